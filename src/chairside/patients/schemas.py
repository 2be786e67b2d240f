from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from chairside.core.schemas import Email
from chairside.core.types import Id, SaneDate, Text
from chairside.patients.policies import can_read_medical_history

Name = Text(50, min_length=1)


class PatientIn(Schema):
    """POST and PUT: the whole record (omitted optional fields are cleared
    by PUT)."""

    first_name: Name
    last_name: Name
    email: Email = Field(max_length=100)
    phone: Text(32) = ""
    date_of_birth: SaneDate | None = None
    address: Text(1000) = ""
    medical_history: Text(20000) = ""
    user_id: Id | None = None


class PatientPatch(Schema):
    """PATCH: only the fields sent are changed."""

    first_name: Name | None = None
    last_name: Name | None = None
    email: Email | None = Field(None, max_length=100)
    phone: Text(32) | None = None
    date_of_birth: SaneDate | None = None
    address: Text(1000) | None = None
    medical_history: Text(20000) | None = None
    user_id: Id | None = None


class PatientListOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    date_of_birth: date | None
    address: str
    user_id: int | None
    is_archived: bool
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_phone(obj: object) -> str:
        # Also called on the dicts the API builds from this schema.
        phone = (
            obj.get("phone") if isinstance(obj, dict) else getattr(obj, "phone", None)
        )
        return str(phone) if phone else ""


class PatientOut(PatientListOut):
    # null when the caller may not read health records (receptionists).
    medical_history: str | None

    @staticmethod
    def resolve_medical_history(obj: object, context: dict | None) -> str | None:
        request = (context or {}).get("request")
        user = getattr(request, "auth", None)
        if user is None or not can_read_medical_history(user, obj):
            return None
        return obj.medical_history


class PatientFilter(Schema):
    q: Text(100) | None = Field(
        None, description="Search name, email and phone (prefix match)."
    )
    archived: bool | None = Field(
        False, description="false (default): active only; true: archived only."
    )
    ordering: Literal[
        "name", "-name", "created_at", "-created_at", "date_of_birth", "-date_of_birth"
    ] = "name"


class EraseOut(Schema):
    outcome: Literal["deleted", "anonymized"]
