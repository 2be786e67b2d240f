"""Client addresses, trusting X-Forwarded-For only through our own proxies."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from python_ipware import IpWare


def client_ip(request: HttpRequest) -> str:
    proxy_count = settings.TRUSTED_PROXY_COUNT
    if proxy_count:
        ip, _trusted = IpWare(proxy_count=proxy_count).get_client_ip(
            request.META, strict=True
        )
        if ip is not None:
            return str(ip)
    return request.META.get("REMOTE_ADDR", "")


def url_for_host(request: HttpRequest, host: str) -> str:
    """`host`'s address as seen from this request (same scheme and port), so
    links to a clinic's domain work behind any dev server or test port."""
    here = request.get_host()
    port = here.rsplit(":", 1)[1] if ":" in here else ""
    port = port or settings.SITE_PORT
    return f"{request.scheme}://{host}{':' + port if port else ''}"
