"""Page guards built on accounts.policies: a direct URL is refused exactly as
the navigation hides it. Every guarded view answers domain errors through
web.errors.page_errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from chairside.accounts import policies
from chairside.web.errors import forbidden, page_errors

View = Callable[..., HttpResponse]


def _guard(predicate: Callable[..., bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        view = page_errors(view)

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
