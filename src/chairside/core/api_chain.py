"""`/api/` requests take a shorter middleware chain than pages.

The JSON API authenticates every call with a bearer token (accounts.auth):
it has no use for sessions, CSRF tokens, flash messages, allauth's login
state, htmx or static files, yet the page chain runs all of them on every
call — about a tenth of a simple GET's CPU. `ApiMiddlewareChain` sits first
in MIDDLEWARE and hands `/api/` requests to a chain built once from
API_MIDDLEWARE (same order, those left out); everything else goes on down the
page chain. The test client goes through it too, so every API test exercises
the chain production uses.

Whatever the chain answers under /api/ leaves here, so this is also where
an error answered outside ninja's handlers (its 405s, Django's error pages
for a middleware's refusal or failure) is put into the one JSON error shape
(chairside.core.api.as_json_error).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

from chairside.core.api import as_json_error

API_PREFIX = "/api/"


class ApiMiddlewareChain:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.api_chain = _chain(settings.API_MIDDLEWARE)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            return as_json_error(request, self.api_chain(request))
        return self.get_response(request)


def _chain(paths: list[str]) -> Callable[[HttpRequest], HttpResponse]:
    """What BaseHandler.load_middleware builds from settings.MIDDLEWARE,
    built from `paths` (all synchronous middleware). Never by swapping the
    settings for a moment: settings are shared by every thread, and a handler
    loading in another thread would take the wrong list."""
    handler = BaseHandler()
    handler._view_middleware = []
    handler._template_response_middleware = []
    handler._exception_middleware = []
    chain = convert_exception_to_response(handler._get_response)
    for path in reversed(paths):
        middleware = import_string(path)(chain)
        if hasattr(middleware, "process_view"):
            handler._view_middleware.insert(0, middleware.process_view)
        if hasattr(middleware, "process_template_response"):
            handler._template_response_middleware.append(
                middleware.process_template_response
            )
        if hasattr(middleware, "process_exception"):
            handler._exception_middleware.append(middleware.process_exception)
        chain = convert_exception_to_response(middleware)
    handler._middleware_chain = chain
    return chain


class AnonymousUntilAuthenticatedMiddleware:
    """In place of sessions + AuthenticationMiddleware on the API chain:
    `request.user` is anonymous until the bearer token names a user (the
    token check sets it), so code reading it before the view (logs, audit
    context, rate-limit keys) sees what the page chain shows a visitor
    without a session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.user = AnonymousUser()
        return self.get_response(request)
