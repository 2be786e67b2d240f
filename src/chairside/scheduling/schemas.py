"""Appointment JSON keeps the spec's column names (appointment_date is the
start, duration_minutes, patient_id, dentist_id ...)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    model_validator,
)

from chairside.accounts.models import User
from chairside.core.clinic_time import clinic_tz
from chairside.core.schemas import Email
from chairside.core.types import (
    WALL_TIME_PATTERN,
    DateOrInstant,
    Id,
    SaneDate,
    SaneDateTime,
    Text,
    WallTime,
)
from chairside.scheduling import policies, rules
from chairside.scheduling.models import AppointmentStatus

# One visit's length, as the model's check constraint bounds it.
DurationMinutes = Annotated[
    int, Field(ge=rules.MIN_DURATION_MINUTES, le=rules.MAX_DURATION_MINUTES)
]

Status = Literal[
    "scheduled", "confirmed", "checked_in", "completed", "cancelled", "no_show"
]


class AppointmentIn(Schema):
    """POST: book. A patient may leave patient_id out (their own record);
    chair_id left out picks a free chair."""

    patient_id: Id | None = None
    dentist_id: Id
    chair_id: Id | None = None
    appointment_date: SaneDateTime = Field(
        description="Start; ISO 8601. Without an offset it is clinic time."
    )
    duration_minutes: DurationMinutes = rules.DEFAULT_DURATION_MINUTES
    reason: Text(200) = ""
    notes: Text(5000) = ""


class AppointmentPut(Schema):
    """PUT: the schedulable fields in full; status moves along the machine."""

    patient_id: Id
    dentist_id: Id
    chair_id: Id
    appointment_date: SaneDateTime
    duration_minutes: DurationMinutes = rules.DEFAULT_DURATION_MINUTES
    status: Status
    reason: Text(200) = ""
    notes: Text(5000) = ""
    cancellation_reason: Text(200) = ""


class AppointmentPatch(Schema):
    patient_id: Id | None = None
    dentist_id: Id | None = None
    chair_id: Id | None = None
    appointment_date: SaneDateTime | None = None
    duration_minutes: DurationMinutes | None = None
    status: Status | None = None
    reason: Text(200) | None = None
    notes: Text(5000) | None = None
    cancellation_reason: Text(200) | None = None


class CancelQuery(Schema):
    reason: Text(200) = ""


def _in_clinic_time(value: datetime) -> datetime:
    return value.astimezone(clinic_tz())


ClinicDateTime = Annotated[datetime, AfterValidator(_in_clinic_time)]


# Plain pydantic models read straight from the model's attributes (no
# docstring: it would become the OpenAPI description). ninja's Schema wraps
# every row in a DjangoGetter and resolves each field in Python, which was
# most of the time spent serializing a calendar week.
#
# Two audiences, two shapes: a patient gets their visit, staff also get the
# clinic's own fields (notes, who booked). `appointment_out_schema` is the
# one place that decides which a person gets.
class AppointmentPatientOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    patient_id: int
    dentist_id: int
    chair_id: int
    appointment_date: ClinicDateTime = Field(
        validation_alias=AliasChoices("starts_at", "appointment_date")
    )
    end: ClinicDateTime = Field(validation_alias=AliasChoices("ends_at", "end"))
    duration_minutes: int
    status: Status
    reason: str
    cancellation_reason: str
    created_at: datetime
    updated_at: datetime


class AppointmentOut(AppointmentPatientOut):
    notes: str
    created_by_id: int | None


# What the appointment endpoints answer: the shape `appointment_out_schema`
# chose, already built (a patient's never validates as AppointmentOut: it
# has no notes).
AppointmentView = AppointmentOut | AppointmentPatientOut


def appointment_out_schema(user: User) -> type[AppointmentPatientOut]:
    """The shape of an appointment `user` may see."""
    if policies.sees_staff_fields(user):
        return AppointmentOut
    return AppointmentPatientOut


class AppointmentFilter(Schema):
    date_from: DateOrInstant | None = Field(
        None, alias="from", description="Start on or after (date = clinic midnight)."
    )
    date_to: DateOrInstant | None = Field(
        None, alias="to", description="Start before (a date includes that whole day)."
    )
    dentist: Id | None = None
    chair: Id | None = None
    patient: Id | None = None
    status: list[Status] | None = Field(None, max_length=len(AppointmentStatus))
    scope: Literal["mine", "all"] | None = Field(
        None, description="Dentists see their own unless scope=all."
    )
    ordering: Literal[
        "appointment_date", "-appointment_date", "created_at", "-created_at"
    ] = "appointment_date"


class AvailabilityQuery(Schema):
    dentist: Id | None = None
    date_from: DateOrInstant = Field(..., alias="from")
    date_to: DateOrInstant = Field(..., alias="to")
    duration: DurationMinutes = rules.DEFAULT_DURATION_MINUTES


# Plain pydantic, read from the Slot's attributes: an open week of every
# dentist is a few thousand slots, and ninja's Schema resolves each field of
# each in Python.
class SlotOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    dentist_id: int
    chair_id: int
    start: datetime
    end: datetime


class SchedulingSettingsOut(Schema):
    """The clinic's rules for what patients book and change themselves."""

    cancellation_window_hours: int = Field(
        description="Patients cancel or move a visit online until this many "
        "hours before it; no online booking starts sooner."
    )
    max_online_duration_minutes: int = Field(
        description="The longest visit a patient may book online."
    )
    max_future_online_bookings: int = Field(
        description="Upcoming visits a patient may hold that they booked online."
    )
    updated_at: datetime


class SchedulingSettingsPatch(Schema):
    cancellation_window_hours: int | None = Field(
        None, ge=0, le=rules.MAX_CANCELLATION_WINDOW_HOURS
    )
    max_online_duration_minutes: DurationMinutes | None = None
    max_future_online_bookings: int | None = Field(
        None, ge=1, le=rules.MAX_FUTURE_ONLINE_BOOKINGS
    )


class ShiftIn(Schema):
    weekday: int = Field(..., ge=0, le=6, description="0 = Monday … 6 = Sunday")
    start_time: WallTime
    end_time: WallTime

    @model_validator(mode="after")
    def _ordered(self) -> ShiftIn:
        if self.start_time >= self.end_time:
            raise ValueError("start_time must be before end_time")
        return self


class DayOffIn(Schema):
    date: SaneDate
    reason: Text(200) = ""


class DentistIn(Schema):
    first_name: Text(50, min_length=1)
    last_name: Text(50, min_length=1)
    email: Email = Field(max_length=100)
    specialty: Text(100) = ""
    license_number: Text(50) | None = None
    is_active: bool = True
    user_id: Id | None = None
    working_hours: list[ShiftIn] = Field(default_factory=list, max_length=50)
    days_off: list[DayOffIn] = Field(default_factory=list, max_length=400)


class DentistPatch(Schema):
    first_name: Text(50, min_length=1) | None = None
    last_name: Text(50, min_length=1) | None = None
    email: Email | None = Field(None, max_length=100)
    specialty: Text(100) | None = None
    license_number: Text(50) | None = None
    is_active: bool | None = None
    user_id: Id | None = None
    working_hours: list[ShiftIn] | None = Field(None, max_length=50)
    days_off: list[DayOffIn] | None = Field(None, max_length=400)


class ShiftOut(Schema):
    weekday: int
    start_time: str = Field(pattern=WALL_TIME_PATTERN, examples=["09:00"])
    end_time: str = Field(pattern=WALL_TIME_PATTERN, examples=["13:00"])

    @staticmethod
    def resolve_start_time(obj: object) -> str:
        return obj.start_time.strftime("%H:%M")  # type: ignore[attr-defined]

    @staticmethod
    def resolve_end_time(obj: object) -> str:
        return obj.end_time.strftime("%H:%M")  # type: ignore[attr-defined]


class DayOffOut(Schema):
    date: date
    reason: str


class DentistOut(Schema):
    id: int
    user_id: int | None
    first_name: str
    last_name: str
    email: str
    specialty: str
    license_number: str | None
    is_active: bool
    working_hours: list[ShiftOut]
    days_off: list[DayOffOut] = Field(description="Upcoming days off.")
    created_at: datetime

    @staticmethod
    def resolve_working_hours(obj: object) -> list[object]:
        return list(obj.working_hours.all())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_days_off(obj: object) -> list[object]:
        return list(obj.days_off.all())  # type: ignore[attr-defined]


class DentistFilter(Schema):
    active: bool | None = True


class ChairIn(Schema):
    name: Text(50, min_length=1)
    is_active: bool = True


class ChairPatch(Schema):
    name: Text(50, min_length=1) | None = None
    is_active: bool | None = None


class ChairOut(Schema):
    id: int
    name: str
    is_active: bool


ALL_STATUSES = [s.value for s in AppointmentStatus]
