from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import BaseModel

from chairside.core.types import Id, Money, SaneDate, Text
from chairside.dental.areas import Area
from chairside.dental.models import Category, ToothEffect
from chairside.dental.surfaces import display_surfaces
from chairside.dental.teeth import NAMES, Notation

NotationName = Literal["fdi", "universal", "palmer"]
AreaName = Literal[tuple(Area.values)]  # type: ignore[valid-type]
CategoryName = Literal[tuple(Category.values)]  # type: ignore[valid-type]
EffectName = Literal[tuple(ToothEffect.values)]  # type: ignore[valid-type]
Duration = Field(30, ge=0, le=480)
ToothInput = Text(8, min_length=1)


class NotationQuery(Schema):
    notation: NotationName | None = None


class ToothOut(Schema):
    fdi: int
    universal: str
    palmer: str
    name: str  # in the notation asked for
    dentition: str
    arch: int
    quadrant: int
    sextant: int
    is_anterior: bool


class ProcedureCodeIn(Schema):
    code: Text(20, min_length=1)
    short_description: Text(100, min_length=1)
    long_description: Text(2000) = ""
    category: CategoryName
    area: AreaName
    default_duration_minutes: int = Duration
    default_fee: Money = Decimal("0")
    effect: EffectName = ""
    is_hygiene: bool = False
    triggers_recall: bool = False
    is_active: bool = True


class ProcedureCodePatch(Schema):
    short_description: Text(100, min_length=1) | None = None
    long_description: Text(2000) | None = None
    category: CategoryName | None = None
    area: AreaName | None = None
    default_duration_minutes: int | None = Field(None, ge=0, le=480)
    default_fee: Money | None = None
    effect: EffectName | None = None
    is_hygiene: bool | None = None
    triggers_recall: bool | None = None
    is_active: bool | None = None


class ProcedureCodeOut(Schema):
    id: int
    code: str
    short_description: str
    long_description: str
    category: str
    area: str
    default_duration_minutes: int
    default_fee: Decimal
    effect: str
    is_hygiene: bool
    triggers_recall: bool
    is_active: bool


class ProcedureCodeFilter(Schema):
    q: Text(50) | None = None
    active: bool | None = None


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int


class FeeScheduleIn(Schema):
    name: Text(100, min_length=1)
    is_standard: bool = False


class FeeIn(Schema):
    procedure_code_id: Id
    fee: Money | None  # None removes the code from the schedule


class FeesIn(Schema):
    fees: list[FeeIn] = Field(..., max_length=2000)


class FeeOut(Schema):
    procedure_code_id: int = Field(..., alias="code_id")
    code: str = Field(..., alias="code.code")
    fee: Decimal


class FeeScheduleOut(Schema):
    id: int
    name: str
    is_standard: bool
    fees: list[FeeOut]

    @staticmethod
    def resolve_fees(obj: Any) -> list[Any]:
        return list(obj.fees.all())


class PatientFeeScheduleIn(Schema):
    schedule_id: Id | None


class ChartEntryIn(Schema):
    kind: Literal["condition", "procedure"]
    status: (
        Literal[
            "planned",
            "completed",
            "existing_here",
            "existing_elsewhere",
            "referred",
            "declined",
        ]
        | None
    ) = None  # a procedure: planned; a condition: existing_here
    procedure_code: Text(20, min_length=1) | None = None
    condition: Text(30, min_length=1) | None = None
    tooth: ToothInput | None = None
    tooth_to: ToothInput | None = None
    notation: NotationName = "fdi"
    surfaces: Text(12) = ""
    arch: int | None = Field(None, ge=1, le=2)
    quadrant: int | None = Field(None, ge=1, le=4)
    sextant: int | None = Field(None, ge=1, le=6)
    supernumerary: bool = False
    note: Text(5000) = ""
    dentist_id: Id | None = None
    performed_on: SaneDate | None = None
    appointment_id: Id | None = None


class CompleteIn(Schema):
    dentist_id: Id | None = None
    performed_on: SaneDate | None = None


class InvalidateIn(Schema):
    reason: Text(1000, min_length=1)


# The chart's answers are plain pydantic models validated from the dicts
# entry_out and the chart endpoint build (no docstrings: they would become
# the OpenAPI descriptions). ninja's Schema wraps every value in a
# DjangoGetter and resolves each field in Python: for a chart of 300 entries
# that was most of the request (docs/benchmarks.md).
class ChartEntryOut(BaseModel):
    id: int
    patient_id: int
    kind: str
    status: str
    procedure_code: str | None
    procedure_code_id: int | None
    description: str
    condition: str | None
    area: str
    tooth: int | None  # FDI
    tooth_name: str | None  # in the caller's notation
    tooth_to: int | None
    tooth_to_name: str | None
    surfaces: str  # canonical (MODBLV)
    surfaces_display: str  # I for O on anterior teeth
    arch: int | None
    quadrant: int | None
    sextant: int | None
    supernumerary: bool
    fee: Decimal | None
    dentist_id: int | None
    performed_on: date | None
    # Clinical free text: null for those who may not read it (reception).
    note: str | None
    invalidated_reason: str | None
    invalidated_at: datetime | None
    appointment_id: int | None
    created_at: datetime


def entry_out(entry: Any, notation: Notation, show_notes: bool) -> dict[str, Any]:
    """A chart entry as the API answers it, teeth named in `notation`."""
    code, condition = entry.procedure_code, entry.condition_type
    names = NAMES[Notation(notation)]
    return {
        "id": entry.pk,
        "patient_id": entry.patient_id,
        "kind": entry.kind,
        "status": entry.status,
        "procedure_code": code.code if code else None,
        "procedure_code_id": entry.procedure_code_id,
        "description": code.short_description if code else condition.name,
        "condition": condition.code if condition else None,
        "area": entry.area,
        "tooth": entry.tooth,
        "tooth_name": names[entry.tooth] if entry.tooth else None,
        "tooth_to": entry.tooth_to,
        "tooth_to_name": names[entry.tooth_to] if entry.tooth_to else None,
        "surfaces": entry.surfaces,
        "surfaces_display": (
            display_surfaces(entry.tooth, entry.surfaces) if entry.tooth else ""
        ),
        "arch": entry.arch,
        "quadrant": entry.quadrant,
        "sextant": entry.sextant,
        "supernumerary": entry.supernumerary,
        "fee": entry.fee,
        "dentist_id": entry.dentist_id,
        "performed_on": entry.performed_on,
        "note": entry.note if show_notes else None,
        "invalidated_reason": entry.invalidated_reason if show_notes else None,
        "invalidated_at": entry.invalidated_at,
        "appointment_id": entry.appointment_id,
        "created_at": entry.created_at,
    }


class ToothStateOut(BaseModel):
    fdi: int
    name: str
    presence: str
    restorations: list[str]
    conditions: list[str]
    planned: int
    entry_ids: list[int]


class ChartOut(BaseModel):
    patient_id: int
    notation: str
    entries: list[ChartEntryOut]
    teeth: list[ToothStateOut]


class StatusIn(Schema):
    status: Literal["planned", "declined", "referred"]


class ChartSettingsIn(Schema):
    default_notation: NotationName


class MyNotationIn(Schema):
    notation: NotationName | None  # None: the clinic's default


class ChartSettingsOut(Schema):
    default_notation: str
    notation: str  # the caller's: their own, else the clinic's
