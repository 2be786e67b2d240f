"""Treatment plan JSON. Money is a decimal string ("120.00") in the plan's
currency; teeth are FDI (`tooth`) with the clinic's display beside them."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Field, Schema

from chairside.core.types import Id, SaneDateTime, Text

Phase = Field(1, ge=1, le=20)
Letter = Text(1)


class PlanItemIn(Schema):
    """A planned procedure already on the chart (`chart_entry_id`), or a new
    one: `procedure_code` and its place (teeth in `notation`)."""

    phase: int = Phase
    alternative: Letter = ""
    chart_entry_id: Id | None = None
    procedure_code: Text(20) | None = None
    tooth: Text(8) | None = None
    tooth_to: Text(8) | None = None
    notation: Text(10) = "fdi"
    surfaces: Text(6) = ""
    arch: int | None = Field(None, ge=1, le=2)
    quadrant: int | None = Field(None, ge=1, le=4)
    sextant: int | None = Field(None, ge=1, le=6)


class PlanItemPlace(Schema):
    id: Id
    phase: int = Phase
    alternative: Letter = ""


class PlanUpdate(Schema):
    items: list[PlanItemPlace] = Field(default_factory=list, max_length=200)


class PlanAcceptIn(Schema):
    """`snapshot_hash`: the hash of the snapshot the signer was shown.
    `item_ids` left out: the whole plan (with `alternative` if it has
    some). `signature`: a PNG data URL of the drawn signature; else
    `signer_name`, typed."""

    snapshot_hash: Text(64, min_length=64)
    item_ids: list[Id] | None = Field(None, max_length=200)
    alternative: Letter = ""
    signature: Text(300_000) = ""
    signer_name: Text(200) = ""


class PlanDeclineIn(Schema):
    snapshot_hash: Text(64, min_length=64)


class PhaseBookIn(Schema):
    dentist_id: Id
    appointment_date: SaneDateTime
    chair_id: Id | None = None


class VisitCompleteIn(Schema):
    entry_ids: list[Id] | None = Field(None, max_length=200)


class PlanItemOut(Schema):
    id: int
    chart_entry_id: int
    phase: int
    alternative: str
    code: str
    description: str
    area: str
    tooth: int | None
    tooth_display: str
    surfaces: str
    fee: str
    duration_minutes: int
    # Now, on the chart (the snapshot keeps what was presented).
    entry_status: str = ""
    appointment_id: int | None = None
    accepted: bool | None = None


class AcceptanceOut(Schema):
    accepted_item_ids: list[int]
    alternative: str
    snapshot_hash: str
    signed_by_user_id: int | None
    signed_by_role: str
    in_clinic: bool
    signer_name: str
    signature_kind: str
    ip_address: str | None
    accepted_at: datetime.datetime


class PlanOut(Schema):
    id: int
    patient_id: int
    version: int
    revises_id: int | None
    status: str
    currency: str
    snapshot_hash: str
    presented_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    completed_at: datetime.datetime | None
    created_at: datetime.datetime
    items: list[PlanItemOut]
    totals: dict[str, Any]
    acceptance: AcceptanceOut | None = None
