from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from chairside.core.types import DateOrInstant, Id, Text


class AuditEventOut(Schema):
    at: datetime
    action: str = Field(
        description="create, update, archive, restore, delete, medical_history.read"
    )
    model: str = Field(
        description="app_label.Model of the record, e.g. patients.Patient"
    )
    object_id: str
    actor_id: int | None
    actor_email: str | None
    ip: str | None
    method: str | None
    path: str | None
    changes: dict[str, Any] | None = Field(
        description="{field: [old, new]} for updates; null otherwise."
    )
    snapshot: dict[str, Any] | None


class AuditFilter(Schema):
    model: Text(100) | None = None
    object_id: Text(40) | None = None
    action: Text(50) | None = None
    actor: Id | None = None
    date_from: DateOrInstant | None = Field(None, alias="from")
    date_to: DateOrInstant | None = Field(None, alias="to")


__all__ = ["AuditEventOut", "AuditFilter", "date"]
