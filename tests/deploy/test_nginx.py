"""nginx for real: the repository's config, in front of gunicorn running the app."""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import ssl

import pytest

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _token(proxy, host: str, email: str, password: str = PASSWORD):
    body = json.dumps({"email": email, "password": password}).encode()
    return proxy.request(
        "POST",
        host,
        "/api/auth/token",
        body=body,
        headers={"Content-Type": "application/json"},
    )


def test_a_clinic_subdomain_reaches_its_own_clinic_over_https(nginx_proxy):
    response, body = _token(nginx_proxy, "alpha.localhost", "admin@alpha.test")
    assert response.status == 200, body
    access = json.loads(body)["access"]

    response, body = nginx_proxy.request(
        "GET",
        "alpha.localhost",
        "/api/me",
        headers={"Authorization": f"Bearer {access}"},
    )
    assert response.status == 200, body
    assert json.loads(body)["email"] == "admin@alpha.test"

    # beta's people do not exist on alpha's host; alpha's token means nothing
    # on beta's.
    response, _ = _token(nginx_proxy, "alpha.localhost", "admin@beta.test")
    assert response.status == 401
    response, _ = nginx_proxy.request(
        "GET",
        "beta.localhost",
        "/api/me",
        headers={"Authorization": f"Bearer {access}"},
    )
    assert response.status == 401


def test_names_outside_the_base_domain_are_refused_at_the_handshake(nginx_proxy):
    # Clients above verified the certificate for their clinic's name (SNI);
    # any other name gets no certificate at all (ssl_reject_handshake).
    with pytest.raises(ssl.SSLError, match="UNRECOGNIZED_NAME"):
        nginx_proxy.request("GET", "alpha.example.org", "/health/live")


def test_http_redirects_to_https_and_serves_acme_and_health(nginx_proxy):
    response, _ = nginx_proxy.request(
        "GET", "alpha.localhost", "/portal/?next=%2Fx", tls=False
    )
    assert response.status == 301
    assert response.headers["Location"] == "https://alpha.localhost/portal/?next=%2Fx"

    challenge = nginx_proxy.log_dir / "acme" / ".well-known" / "acme-challenge"
    challenge.mkdir(parents=True, exist_ok=True)
    (challenge / "tok123").write_text("tok123.thumbprint")
    response, body = nginx_proxy.request(
        "GET", "localhost", "/.well-known/acme-challenge/tok123", tls=False
    )
    assert (response.status, body) == (200, b"tok123.thumbprint")

    response, _ = nginx_proxy.request(
        "GET", "alpha.localhost", "/health/live", tls=False
    )
    assert response.status == 200


def test_unknown_hosts_get_no_answer(nginx_proxy):
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        nginx_proxy.request("GET", "evil.example.com", "/", tls=False)


def test_security_headers_on_app_and_error_answers(nginx_proxy):
    for path, status in (("/health/live", 200), ("/api/nowhere", 404)):
        response, _ = nginx_proxy.request("GET", "alpha.localhost", path)
        assert response.status == status
        headers = response.headers
        assert headers.get_all("Strict-Transport-Security") == [
            "max-age=63072000; includeSubDomains; preload"
        ]
        assert headers.get_all("X-Content-Type-Options") == ["nosniff"]
        assert headers.get_all("X-Frame-Options") == ["DENY"]
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "camera=()" in headers["Permissions-Policy"]
        assert "nginx/" not in headers.get("Server", "")


def test_static_files_are_served_by_nginx_with_long_cache_and_gzip(nginx_proxy):
    response, body = nginx_proxy.request(
        "GET",
        "alpha.localhost",
        "/static/css/app.css",
        headers={"Accept-Encoding": "gzip"},
    )
    assert response.status == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Strict-Transport-Security"]
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    assert body == (nginx_proxy.log_dir / "www/static/css/app.css").read_bytes()

    response, _ = nginx_proxy.request("GET", "alpha.localhost", "/static/nope.css")
    assert response.status == 404


def test_auth_endpoints_are_rate_limited_but_health_checks_are_not(nginx_proxy):
    # A client address of its own, so other tests' sign-ins do not count.
    source = "127.0.0.2"
    statuses = []
    for _ in range(16):
        response, body = nginx_proxy.request(
            "POST",
            "alpha.localhost",
            "/api/auth/token",
            body=b'{"email": "nobody@alpha.test", "password": "wrong"}',
            headers={
                "Content-Type": "application/json",
                # Spoofing the client address does not reset the budget.
                "X-Forwarded-For": f"10.9.8.{len(statuses)}",
            },
            source=source,
        )
        statuses.append(response.status)
    assert statuses[0] == 401
    assert 429 in statuses
    first_429 = statuses.index(429)
    assert set(statuses[first_429:]) == {429}
    error = json.loads(body)["error"]
    assert error["code"] == "rate_limited"
    assert response.headers["Retry-After"] == "60"

    for _ in range(40):
        response, _ = nginx_proxy.request(
            "GET", "alpha.localhost", "/health/live", source=source
        )
        assert response.status == 200


def test_oversized_uploads_are_refused_before_reaching_the_app(nginx_proxy):
    context = ssl.create_default_context(cafile=str(nginx_proxy.ca_file))
    with (
        socket.create_connection(("127.0.0.1", nginx_proxy.https_port)) as raw,
        context.wrap_socket(raw, server_hostname="alpha.localhost") as tls,
    ):
        tls.sendall(
            b"POST /api/patients HTTP/1.1\r\nHost: alpha.localhost\r\n"
            b"Content-Type: application/octet-stream\r\n"
            b"Content-Length: 25000000\r\nConnection: close\r\n\r\n"
        )
        assert tls.recv(64).startswith(b"HTTP/1.1 413")
