"""Pages every host shares: the clinic's start page, the one-time welcome link,
and the language switch."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chairside.accounts import policies
from chairside.accounts.login_links import login_token_user


def clinic_home(request: HttpRequest) -> HttpResponse:
    """Send each person to their part of the clinic's site."""
    user = request.user
    if policies.is_staff_member(user):
        return HttpResponseRedirect(reverse("web:dashboard"))
    if policies.is_patient(user):
        return HttpResponseRedirect(reverse("portal:home"))
    return render(request, "core/clinic_home.html", {"clinic": request.tenant})


def welcome(request: HttpRequest, token: str) -> HttpResponse:
    """Consume a one-time sign-in link (made at clinic signup)."""
    user = login_token_user(token=token, schema_name=request.tenant.schema_name)
    if user is None:
        return render(
            request,
            "core/welcome_invalid.html",
            {"message": _("This sign-in link has expired or was already used.")},
            status=400,
        )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return HttpResponseRedirect(reverse("clinic-home"))


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language; a signed-in user keeps the choice on their account."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            request.user.language = language
            request.user.save(update_fields=["language"])
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
        )
    return response
