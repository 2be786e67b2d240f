"""Building blocks for the two NinjaAPI instances (public and clinic).

Every error leaving /api/ goes through here and comes out in the one shape
from chairside.core.errors, never as an HTML page or a stack trace.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from chairside.core.errors import ChairsideError, ErrorCode, RateLimited, error_body

logger = logging.getLogger(__name__)

_STATUS_CODES = {
    HTTPStatus.BAD_REQUEST: ErrorCode.INVALID_INPUT,
    HTTPStatus.UNAUTHORIZED: ErrorCode.NOT_AUTHENTICATED,
    HTTPStatus.FORBIDDEN: ErrorCode.PERMISSION_DENIED,
    HTTPStatus.NOT_FOUND: ErrorCode.NOT_FOUND,
    HTTPStatus.METHOD_NOT_ALLOWED: ErrorCode.METHOD_NOT_ALLOWED,
    HTTPStatus.CONFLICT: ErrorCode.CONFLICT,
    HTTPStatus.TOO_MANY_REQUESTS: ErrorCode.RATE_LIMITED,
}


def error_response(
    status: int, code: str, message: str, details: Any = None
) -> JsonResponse:
    return JsonResponse(error_body(code, message, details), status=status)


def _validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # pydantic's error dicts may carry exception objects in "ctx"; keep the
    # parts a client can use.
    return [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "message": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in errors
    ]


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ChairsideError)
    def on_domain_error(request: HttpRequest, exc: ChairsideError) -> HttpResponse:
        response = error_response(exc.status, exc.code, exc.message, exc.details)
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            ErrorCode.VALIDATION_FAILED,
            _("The request is not valid."),
            _validation_details(exc.errors),
        )

    @api.exception_handler(AuthenticationError)
    def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(
            HTTPStatus.UNAUTHORIZED,
            ErrorCode.NOT_AUTHENTICATED,
            _("Authentication credentials were missing or invalid."),
        )

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = _STATUS_CODES.get(HTTPStatus(exc.status_code), ErrorCode.INVALID_INPUT)
        return error_response(exc.status_code, code, str(exc))

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(
            HTTPStatus.NOT_FOUND, ErrorCode.NOT_FOUND, _("Not found.")
        )

    @api.exception_handler(DjangoPermissionDenied)
    def on_forbidden(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
        return error_response(
            HTTPStatus.FORBIDDEN,
            ErrorCode.PERMISSION_DENIED,
            _("You do not have permission to do this."),
        )

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unhandled error in %s %s", request.method, request.path)
        return error_response(
            HTTPStatus.INTERNAL_SERVER_ERROR,
            ErrorCode.SERVER_ERROR,
            _("Something went wrong on our side. It has been logged."),
        )


def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Catch-all for /api/ paths that match no endpoint."""
    return error_response(
        HTTPStatus.NOT_FOUND, ErrorCode.NOT_FOUND, _("No such API endpoint.")
    )
