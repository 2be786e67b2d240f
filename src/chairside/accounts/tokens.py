"""Signing and checking JSON Web Tokens.

Tokens are HS256 only (a token naming any other algorithm, `none` included,
is refused) and carry the schema they were minted in as their audience, so a
token from one clinic means nothing at another clinic or on the public site.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from typing import Any, Literal

import jwt
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from chairside.accounts.errors import AuthErrorCode
from chairside.core.errors import NotAuthenticated
from chairside.core.localcache import LocalTTLCache

ALGORITHM = "HS256"
ISSUER = "chairside"
TokenType = Literal["access", "refresh"]
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "jti", "fam", "typ"]
# An access token is sent with every call of a session: its signature and
# claims are checked once per process and the result kept for up to
# ACCESS_TOKEN_VERIFIED_SECONDS (60; never past the token's expiry, which is
# checked on every use). Revocation is the token family's business
# (accounts.services), not this.
_verified_access: LocalTTLCache[dict[str, Any]] = LocalTTLCache()


def current_audience() -> str:
    return f"chairside:{connection.schema_name}"


def token_encode(
    *,
    token_type: TokenType,
    user_id: int,
    family_id: int,
    issued_at: datetime,
    expires_at: datetime,
    jti: uuid.UUID | None = None,
) -> str:
    claims = {
        "iss": ISSUER,
        "aud": current_audience(),
        "sub": str(user_id),
        "fam": family_id,
        "typ": token_type,
        "jti": str(jti or uuid.uuid4()),
        "iat": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()),
    }
    return jwt.encode(claims, settings.JWT_SIGNING_KEY, algorithm=ALGORITHM)


def token_decode(token: str, *, token_type: TokenType) -> dict[str, Any]:
    key = (current_audience(), token)
    if token_type == "access":  # noqa: S105 - a token type, not a secret
        claims = _verified_access.get(key)
        if claims is not None:
            if claims["exp"] <= time.time():
                _verified_access.forget(key)
                raise NotAuthenticated(
                    _("The token has expired."), code=AuthErrorCode.TOKEN_EXPIRED
                )
            return dict(claims)
    try:
        claims = jwt.decode(
            token,
            settings.JWT_SIGNING_KEY,
            algorithms=[ALGORITHM],
            audience=current_audience(),
            issuer=ISSUER,
            options={"require": _REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError as exc:
        raise NotAuthenticated(
            _("The token has expired."), code=AuthErrorCode.TOKEN_EXPIRED
        ) from exc
    except jwt.InvalidTokenError as exc:
        raise NotAuthenticated(
            _("The token is not valid here."), code=AuthErrorCode.TOKEN_INVALID
        ) from exc
    if claims["typ"] != token_type:
        raise NotAuthenticated(
            _("The token is not valid here."), code=AuthErrorCode.TOKEN_INVALID
        )
    if token_type == "access":  # noqa: S105 - a token type, not a secret
        keep = float(getattr(settings, "ACCESS_TOKEN_VERIFIED_SECONDS", 60))
        lifetime = min(keep, claims["exp"] - time.time())
        _verified_access.set(key, dict(claims), ttl=lifetime)
    return claims
