"""Building blocks for the two NinjaAPI instances (public and clinic).

Every error leaving /api/ goes through here and comes out in the one shape
from chairside.core.errors, never as an HTML page or a stack trace — and
writes nothing: each request runs in one transaction (ATOMIC_REQUESTS), and
since ninja turns an exception into a response inside that transaction
(which Django would then commit), every handler here marks it for rollback.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
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
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: ErrorCode.REQUEST_TOO_LARGE,
    HTTPStatus.INTERNAL_SERVER_ERROR: ErrorCode.SERVER_ERROR,
}
# Headers of an error answer a client acts on, kept when it is reshaped.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


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


def undo_request_writes() -> None:
    """Roll back the request's transaction when its answer is an error."""
    connection = transaction.get_connection()
    if connection.settings_dict["ATOMIC_REQUESTS"] and connection.in_atomic_block:
        transaction.set_rollback(True)


def undo_writes_refused_by(exc: Exception) -> None:
    """An answer made of `exc` writes nothing, unless the error says what it
    wrote must stand (`keeps_writes`: a declined card attempt, a revocation).
    The API's handlers and the pages' (web/errors.py) both go through here."""
    if not getattr(exc, "keeps_writes", False):
        undo_request_writes()


def install_error_handlers(api: NinjaAPI) -> None:
    def handler(exc_class: type[Exception]):
        """api.exception_handler, plus: the request's writes are undone."""

        def register(func):
            def on_error(request: HttpRequest, exc: Exception) -> HttpResponse:
                undo_writes_refused_by(exc)
                return func(request, exc)

            api.add_exception_handler(exc_class, on_error)
            return func

        return register

    @handler(ChairsideError)
    def on_domain_error(request: HttpRequest, exc: ChairsideError) -> HttpResponse:
        response = error_response(exc.status, exc.code, exc.message, exc.details)
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(exc.retry_after)
        return response

    @handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            ErrorCode.VALIDATION_FAILED,
            _("The request is not valid."),
            _validation_details(exc.errors),
        )

    @handler(RequestDataTooBig)
    def on_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        # Raised when ninja reads a body past DATA_UPLOAD_MAX_MEMORY_SIZE.
        return error_response(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            ErrorCode.REQUEST_TOO_LARGE,
            _("The request body is too large."),
        )

    @handler(SuspiciousOperation)
    def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        # Past DATA_UPLOAD_MAX_NUMBER_FIELDS, a malformed multipart body ...
        return error_response(
            HTTPStatus.BAD_REQUEST,
            ErrorCode.INVALID_INPUT,
            _("The request could not be read."),
        )

    @handler(AuthenticationError)
    def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(
            HTTPStatus.UNAUTHORIZED,
            ErrorCode.NOT_AUTHENTICATED,
            _("Authentication credentials were missing or invalid."),
        )

    @handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = _STATUS_CODES.get(HTTPStatus(exc.status_code), ErrorCode.INVALID_INPUT)
        return error_response(exc.status_code, code, str(exc))

    @handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(
            HTTPStatus.NOT_FOUND, ErrorCode.NOT_FOUND, _("Not found.")
        )

    @handler(DjangoPermissionDenied)
    def on_forbidden(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
        return error_response(
            HTTPStatus.FORBIDDEN,
            ErrorCode.PERMISSION_DENIED,
            _("You do not have permission to do this."),
        )

    @handler(Exception)
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


def _status_message(status: int, request: HttpRequest) -> tuple[str, str]:
    """The code and message of an error answer made without ours."""
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return ErrorCode.SERVER_ERROR, _(
            "Something went wrong on our side. It has been logged."
        )
    messages = {
        HTTPStatus.BAD_REQUEST: _("The request could not be read."),
        HTTPStatus.FORBIDDEN: _("You do not have permission to do this."),
        HTTPStatus.NOT_FOUND: _("Not found."),
        HTTPStatus.METHOD_NOT_ALLOWED: _("%(method)s is not allowed here.")
        % {"method": request.method},
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE: _("The request body is too large."),
    }
    try:
        known = HTTPStatus(status)
    except ValueError:
        return ErrorCode.INVALID_INPUT, _("The request could not be handled.")
    code = _STATUS_CODES.get(known, ErrorCode.INVALID_INPUT)
    return code, messages.get(known, known.phrase)


def _is_json(response: HttpResponseBase) -> bool:
    content_type = response.get("Content-Type", "").split(";", 1)[0].strip()
    return content_type == "application/json" or content_type.endswith("+json")


def as_json_error(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """Any error answer under /api/ that is not in the one JSON shape yet,
    reshaped into it. Our handlers above shape what reaches ninja's views;
    what is answered around them would otherwise be HTML or plain text:
    ninja's "Method not allowed" (405, from its path view, before any
    operation runs), its API root view's 404, and Django's own 400/403/404/
    500 pages for what a middleware raises or refuses (a bad Host header, a
    failing tenant lookup). The headers a client acts on stay (Allow,
    Retry-After, WWW-Authenticate); a 405 lists the allowed methods in its
    details as well."""
    if response.status_code < HTTPStatus.BAD_REQUEST or _is_json(response):
        return response
    code, message = _status_message(response.status_code, request)
    details = None
    allow = response.get("Allow")
    if response.status_code == HTTPStatus.METHOD_NOT_ALLOWED and allow is not None:
        allowed = sorted({m.strip() for m in allow.split(",") if m.strip()})
        details = {"method": request.method, "allowed": allowed}
        response["Allow"] = ", ".join(allowed)
    shaped = error_response(response.status_code, code, message, details)
    for header in _KEPT_HEADERS:
        if header in response:
            shaped[header] = response[header]
    return shaped
