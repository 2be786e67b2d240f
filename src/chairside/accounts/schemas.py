from __future__ import annotations

from ninja import Schema
from pydantic import Field

from chairside.core.schemas import Email


class TokenObtainIn(Schema):
    email: Email
    password: str = Field(min_length=1, max_length=256)


class RefreshIn(Schema):
    refresh: str = Field(min_length=1, max_length=4096)


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
