"""The one error type that services raise and the API turns into JSON.

Every API error has the same shape:
    {"error": {"code": "<stable_code>", "message": "<human text>", "details": …}}
Codes are stable strings clients may branch on; messages are translated.
"""

from __future__ import annotations

from enum import StrEnum
from http import HTTPStatus
from typing import Any


class ErrorCode(StrEnum):
    """Codes shared by every app. Apps add their own enums for domain errors."""

    INVALID_INPUT = "invalid_input"
    VALIDATION_FAILED = "validation_failed"
    NOT_AUTHENTICATED = "not_authenticated"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    RATE_LIMITED = "rate_limited"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    CLINIC_SUSPENDED = "clinic_suspended"
    REQUEST_TOO_LARGE = "request_too_large"
    SERVER_ERROR = "server_error"


class ChairsideError(Exception):
    """A domain error: a stable code, a message for people, an HTTP status."""

    status: HTTPStatus = HTTPStatus.BAD_REQUEST
    default_code: str = ErrorCode.INVALID_INPUT
    # An error answer undoes the whole request's writes (chairside.core.api).
    # An error raised after a committed step that records its very outcome (a
    # reused refresh token revoking its sign-in, a card attempt Stripe saw
    # kept as a failed payment) keeps them: the record is the point.
    keeps_writes: bool = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: Any = None,
        status: HTTPStatus | None = None,
        keeps_writes: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = str(code or self.default_code)
        self.details = details
        if status is not None:
            self.status = status
        if keeps_writes is not None:
            self.keeps_writes = keeps_writes


class NotAuthenticated(ChairsideError):
    status = HTTPStatus.UNAUTHORIZED
    default_code = ErrorCode.NOT_AUTHENTICATED


class PermissionDenied(ChairsideError):
    status = HTTPStatus.FORBIDDEN
    default_code = ErrorCode.PERMISSION_DENIED


class NotFound(ChairsideError):
    status = HTTPStatus.NOT_FOUND
    default_code = ErrorCode.NOT_FOUND


class Conflict(ChairsideError):
    status = HTTPStatus.CONFLICT
    default_code = ErrorCode.CONFLICT


class RateLimited(ChairsideError):
    status = HTTPStatus.TOO_MANY_REQUESTS
    default_code = ErrorCode.RATE_LIMITED

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}
