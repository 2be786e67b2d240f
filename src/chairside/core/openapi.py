"""The error shape as an OpenAPI schema, so clients (and the API fuzz test)
know every 4xx answer's body."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorDetail(Schema):
    code: str
    message: str
    details: Any = None


class ErrorOut(Schema):
    error: ErrorDetail


# The client errors any endpoint may answer (ninja's codes_4xx lacks 422).
ERROR_STATUSES = frozenset({400, 401, 403, 404, 405, 409, 413, 422, 429})


def with_errors(responses: dict[Any, Any]) -> dict[Any, Any]:
    """`response=with_errors({200: PatientOut})`: documents 4xx as ErrorOut."""
    return {**responses, ERROR_STATUSES: ErrorOut}
