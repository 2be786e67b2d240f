"""Field types shared by API schemas."""

from __future__ import annotations

from typing import Annotated

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from pydantic import AfterValidator

from chairside.core.types import Text


def _email(value: str) -> str:
    value = value.strip().lower()
    try:
        validate_email(value)
    except ValidationError as exc:
        raise ValueError("Enter a valid email address.") from exc
    return value


# Django's own email rules (pydantic's EmailStr refuses reserved test domains
# such as `.test`, which the demo and the test-suite use).
Email = Annotated[Text(254), AfterValidator(_email)]
