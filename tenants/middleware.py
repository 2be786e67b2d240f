"""Which clinic a request is for, and refusing suspended clinics."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware

from chairside.core.api import error_response
from chairside.core.errors import ErrorCode
from tenants.schema_engine.resolution import clinic_for_hostname


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class ClinicTenantMiddleware(TenantMainMiddleware):
    """Resolves `<slug>.<BASE_DOMAIN>` to the clinic's schema.

    Unlike the stock middleware it spends no statement on a warm request: the
    hostname → clinic answer is cached per process
    (tenants.schema_engine.resolution), and the database backend
    (tenants.schema_engine.postgresql_backend) sends `SET search_path` only
    when the connection's current path is not already the clinic's.
    """

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        connection.set_schema_to_public()
        try:
            hostname = self.hostname_from_request(request)
        except DisallowedHost:
            return HttpResponseNotFound()
        clinic = clinic_for_hostname(hostname)
        if clinic is None:
            return self.no_tenant_found(request, hostname)
        clinic.domain_url = hostname
        request.tenant = clinic
        connection.set_tenant(clinic)
        self.setup_url_routing(request)
        return None

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        message = _("No clinic lives at this address.")
        if is_api_request(request):
            return error_response(404, ErrorCode.NOT_FOUND, message)
        return HttpResponseNotFound(message, content_type="text/plain")


class SuspendedClinicMiddleware:
    """A suspended clinic answers 403 everywhere but its health checks."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        clinic = getattr(request, "tenant", None)
        if (
            clinic is not None
            and getattr(clinic, "is_suspended", False)
            and not request.path.startswith("/health/")
        ):
            message = _("This clinic is suspended. Its data is kept safe; please "
                        "contact Chairside support.")  # fmt: skip
            if is_api_request(request):
                return error_response(403, ErrorCode.CLINIC_SUSPENDED, message)
            return render(
                request,
                "tenants/suspended.html",
                {"clinic": clinic, "message": message},
                status=403,
            )
        return self.get_response(request)
