from __future__ import annotations

from ninja import Schema

from chairside.core.schemas import Email
from chairside.core.types import Text


class TokenObtainIn(Schema):
    email: Email
    password: Text(256, min_length=1)


class RefreshIn(Schema):
    refresh: Text(4096, min_length=1)


class TokenPairOut(Schema):
    access: str
    refresh: str
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int


class MeOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    role: str
    language: str
    clinic: str | None
