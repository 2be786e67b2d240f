"""The one mapping from domain errors to page responses, as core/api.py is
for the API.

- `form_error_from(exc, form)`: a service's refusal shown on the form, next
  to the field its details name (`{"field": ...}`), else above the form;
  `error_rows(exc)` the per-row problems of a refused file, to list.
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
from contextvars import ContextVar
from functools import wraps
from http import HTTPStatus

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from chairside.core.api import error_response, undo_writes_refused_by
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
    the service's says so in `error_fields` (service name -> form field).
    The page answers with the form again, so the request's writes are undone
    as for any other refusal."""
    refuse_writes(exc)
    field = error_field(exc)
    aliases: Mapping[str, str] = getattr(form, "error_fields", {})
    field = aliases.get(field, field) if field else None
    form.add_error(field if field in form.fields else None, exc.message)


def error_rows(exc: ChairsideError) -> list[dict]:
    """The per-row problems a refusal of a whole file carries (a CSV
    import's `details["rows"]`: row, field, message), for the page to list."""
    details = exc.details if isinstance(exc.details, dict) else {}
    rows = details.get("rows")
    return (
        [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []
    )


def message_refusal(request: HttpRequest, exc: ChairsideError) -> None:
    """For a page that answers a refusal with a redirect and a message."""
    refuse_writes(exc)
    messages.error(request, exc.message)


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
    if isinstance(exc, NotFound) and not wants_json(request):
        raise Http404(exc.message) from exc  # leaves the request's atomic block
    refuse_writes(exc)
    if wants_json(request):
        return error_json(exc)
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
            response = error_json(exc)
            undo_writes_refused_by(exc)
            return response

    return wrapped


# While a page view runs (inside page_errors), the refusals it shows. The
# request's writes are undone once its answer is rendered: undoing them at
# once would also refuse the queries the page itself still needs.
_refusals: ContextVar[list[ChairsideError] | None] = ContextVar(
    "page_refusals", default=None
)


def refuse_writes(exc: ChairsideError) -> None:
    """The page answering now shows `exc`: its writes will be undone."""
    refusals = _refusals.get()
    if refusals is None:
        raise RuntimeError("a page that shows a refusal must be wrapped in page_errors")
    refusals.append(exc)


def page_errors(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object):
        refusals: list[ChairsideError] = []
        scope = _refusals.set(refusals)
        try:
            try:
                response = view(request, *args, **kwargs)
            except ChairsideError as exc:
                response = page_error_response(request, exc)
            for exc in refusals:
                undo_writes_refused_by(exc)
            return response
        finally:
            _refusals.reset(scope)

    return wrapped
