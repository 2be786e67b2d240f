"""`/api/` requests take a shorter middleware chain than pages.

The JSON API authenticates every call with a bearer token (accounts.auth):
it has no use for sessions, CSRF tokens, flash messages, allauth's login
state, htmx or static files, yet the page chain runs all of them on every
call — about a tenth of a simple GET's CPU. `ApiMiddlewareChain` sits first
in MIDDLEWARE and hands `/api/` requests to a chain built once from
API_MIDDLEWARE (same order, those left out); everything else goes on down the
page chain. The test client goes through it too, so every API test exercises
the chain production uses.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.handlers.base import BaseHandler
from django.http import HttpRequest, HttpResponse
from django.test.utils import override_settings

API_PREFIX = "/api/"


class ApiMiddlewareChain:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        handler = BaseHandler()
        # load_middleware reads settings.MIDDLEWARE; this runs once, while
        # the outer handler loads its own chain (start-up, one thread).
        with override_settings(MIDDLEWARE=settings.API_MIDDLEWARE):
            handler.load_middleware()
        self.api_chain = handler._middleware_chain

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            return self.api_chain(request)
        return self.get_response(request)


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
