"""Token endpoints and /api/me, mounted on both the public and clinic APIs."""

from __future__ import annotations

from http import HTTPStatus

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from ninja import Router, Status

from chairside.accounts import services
from chairside.accounts.auth import jwt_auth
from chairside.accounts.schemas import MeOut, RefreshIn, TokenObtainIn, TokenPairOut
from chairside.core.ratelimit import enforce_rate_limits, ip_key


def _pair_out(pair: services.TokenPair) -> TokenPairOut:
    return TokenPairOut(
        access=pair.access, refresh=pair.refresh, expires_in=pair.access_expires_in
    )


def build_auth_router() -> Router:
    """A fresh router per API (a ninja router can be mounted only once)."""
    router = Router(tags=["auth"])

    @router.post("/auth/token", response=TokenPairOut, auth=None)
    def obtain_token(request: HttpRequest, payload: TokenObtainIn) -> TokenPairOut:
        enforce_rate_limits(
            request,
            group="auth-token",
            limits=[
                (settings.AUTH_RATE_PER_IP, ip_key(request)),
                (settings.AUTH_RATE_PER_ACCOUNT, f"account:{payload.email.lower()}"),
            ],
        )
        return _pair_out(
            services.tokens_obtain(email=payload.email, password=payload.password)
        )

    @router.post("/auth/refresh", response=TokenPairOut, auth=None)
    def refresh_token(request: HttpRequest, payload: RefreshIn) -> TokenPairOut:
        enforce_rate_limits(
            request,
            group="auth-refresh",
            limits=[(settings.AUTH_RATE_PER_IP, ip_key(request))],
        )
        return _pair_out(services.tokens_refresh(refresh_token=payload.refresh))

    @router.post("/auth/logout", response={HTTPStatus.NO_CONTENT: None}, auth=None)
    def logout(request: HttpRequest, payload: RefreshIn) -> Status[None]:
        services.tokens_revoke(refresh_token=payload.refresh)
        return Status(HTTPStatus.NO_CONTENT, None)

    @router.get("/me", response=MeOut, auth=jwt_auth)
    def me(request: HttpRequest) -> MeOut:
        user = request.auth
        tenant = getattr(request, "tenant", None)
        is_public = connection.schema_name == "public"
        return MeOut(
            id=user.pk,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            role=user.role or ("platform_admin" if user.is_superuser else ""),
            language=user.language,
            clinic=None if is_public or tenant is None else tenant.slug,
        )

    return router
