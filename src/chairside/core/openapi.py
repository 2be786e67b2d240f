"""The error shape as an OpenAPI schema, so clients (and the API fuzz test)
know every 4xx answer's body."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from ninja.responses import codes_4xx


class ErrorDetail(Schema):
    code: str
    message: str
    details: Any = None


class ErrorOut(Schema):
    error: ErrorDetail


def with_errors(responses: dict[Any, Any]) -> dict[Any, Any]:
    """`response=with_errors({200: PatientOut})`: documents 4xx as ErrorOut."""
    return {**responses, codes_4xx: ErrorOut}
