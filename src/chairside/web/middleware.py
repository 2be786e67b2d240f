"""Language and time zone of every page: the user's language, else the clinic's
default; times shown in the clinic's own time zone."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def language_for(request: HttpRequest) -> str | None:
    """Signed-in user's language, then an explicit choice (the language cookie
    set by Django's set_language view), then the clinic's default. On the
    public site with none of these, LocaleMiddleware's Accept-Language guess
    stands (None)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in SUPPORTED:
        return user.language
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in SUPPORTED:
        return cookie
    clinic = getattr(request, "tenant", None)
    default = getattr(clinic, "default_language", None)
    if clinic is not None and clinic.schema_name != "public" and default in SUPPORTED:
        return default
    return None


class ClinicLocaleMiddleware:
    """Runs after authentication (LocaleMiddleware runs before it and cannot
    see the user): re-activates the language, and the clinic's time zone so
    templates and forms read and write local clinic times."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_for(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        clinic = getattr(request, "tenant", None)
        zone = getattr(clinic, "time_zone", "") if clinic is not None else ""
        try:
            timezone.activate(ZoneInfo(zone)) if zone else timezone.deactivate()
        except ZoneInfoNotFoundError:
            timezone.deactivate()
        response = self.get_response(request)
        if language:
            response.headers.setdefault("Content-Language", language)
        return response
