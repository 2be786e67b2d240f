"""Page guards built on accounts.policies: a direct URL is refused exactly as
the navigation hides it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from http import HTTPStatus

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from chairside.accounts import policies

View = Callable[..., HttpResponse]


def forbidden(request: HttpRequest, message: str | None = None) -> HttpResponse:
    return render(
        request,
        "web/forbidden.html",
        {"message": message or _("You do not have access to this page.")},
        status=HTTPStatus.FORBIDDEN,
    )


def _guard(predicate: Callable[..., bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not predicate(request.user):
                return forbidden(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = _guard(policies.is_staff_member)
admin_required = _guard(policies.is_clinic_admin)
patient_required = _guard(policies.is_patient)
