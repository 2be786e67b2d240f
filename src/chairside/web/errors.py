"""The one mapping from domain errors to page responses, as core/api.py is
for the API.

- `form_error_from(exc, form)`: a service's refusal shown on the form, next
  to the field its details name (`{"field": ...}`), else above the form.
- `page_errors`: a view decorator (every page guard applies it) turning an
  uncaught domain error into the page's answer: the JSON envelope when the
  request asks for JSON, a 404 page for NotFound, the forbidden page for
  PermissionDenied, an error page with the error's status and message for
  any other refusal.
- `json_errors`: the same for JSON-only endpoints (the calendar's feed,
  booking and moves, the portal's card checkout): always the envelope.
- `error_json(exc)` / `form_error_json(form)`: the envelope itself
  ({"error": {"code", "message", "details"}}, chairside.core.errors).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from http import HTTPStatus

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from chairside.core.api import error_response
from chairside.core.errors import (
    ChairsideError,
    ErrorCode,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)

View = Callable[..., HttpResponse]


def error_field(exc: ChairsideError) -> str | None:
    details = exc.details if isinstance(exc.details, dict) else {}
    field = details.get("field")
    return field if isinstance(field, str) else None


def form_error_from(exc: ChairsideError, form: forms.BaseForm) -> None:
    """Show `exc` on `form`. A form whose fields are named differently from
    the service's says so in `error_fields` (service name -> form field)."""
    field = error_field(exc)
    aliases: Mapping[str, str] = getattr(form, "error_fields", {})
    field = aliases.get(field, field) if field else None
    form.add_error(field if field in form.fields else None, exc.message)


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def error_json(exc: ChairsideError) -> JsonResponse:
    return error_response(exc.status, exc.code, exc.message, exc.details)


def form_error_json(form: forms.BaseForm) -> JsonResponse:
    """An invalid form of a JSON endpoint: one readable message, the
    per-field errors in details."""
    message = " ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errs)}"
        for name, errs in form.errors.items()
    )
    return error_response(
        HTTPStatus.BAD_REQUEST, ErrorCode.VALIDATION_FAILED, message, form.errors
    )


def forbidden(request: HttpRequest, message: str | None = None) -> HttpResponse:
    return render(
        request,
        "web/forbidden.html",
        {"message": message or _("You do not have access to this page.")},
        status=HTTPStatus.FORBIDDEN,
    )


def page_error_response(request: HttpRequest, exc: ChairsideError) -> HttpResponse:
    if wants_json(request):
        return error_json(exc)
    if isinstance(exc, NotFound):
        raise Http404(exc.message) from exc
    if isinstance(exc, PermissionDenied | NotAuthenticated):
        return forbidden(request, exc.message)
    return render(
        request, "web/error.html", {"message": exc.message}, status=exc.status
    )


def json_errors(view: View) -> View:
    """For a page's JSON-only endpoint: a refusal is always the envelope,
    whatever the request accepts."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object):
        try:
            return view(request, *args, **kwargs)
        except ChairsideError as exc:
            return error_json(exc)

    return wrapped


def page_errors(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object):
        try:
            return view(request, *args, **kwargs)
        except ChairsideError as exc:
            return page_error_response(request, exc)

    return wrapped
