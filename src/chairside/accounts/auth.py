"""django-ninja authentication: a bearer access token, checked on every call."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from chairside.accounts.models import User
from chairside.accounts.services import access_token_user


class JWTAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = access_token_user(token)
        # Downstream code (audit trail, policies) reads request.user as usual.
        request.user = user
        return user


jwt_auth = JWTAuth()
