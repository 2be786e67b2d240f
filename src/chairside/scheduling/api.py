"""/api/appointments, /api/availability, /api/dentists, /api/chairs,
/api/scheduling/settings."""

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate
from pydantic import TypeAdapter

from chairside.accounts.auth import jwt_auth
from chairside.core.clinic_time import as_clinic_time
from chairside.core.openapi import with_errors
from chairside.core.pagination import BoundedLimitOffsetPagination
from chairside.core.types import MAX_BIGINT
from chairside.scheduling import appointments, resources, selectors
from chairside.scheduling.models import Appointment
from chairside.scheduling.schemas import (
    AppointmentFilter,
    AppointmentIn,
    AppointmentPatch,
    AppointmentPatientOut,
    AppointmentPut,
    AppointmentView,
    AvailabilityQuery,
    CancelQuery,
    ChairIn,
    ChairOut,
    ChairPatch,
    DentistFilter,
    DentistIn,
    DentistOut,
    DentistPatch,
    SchedulingSettingsOut,
    SchedulingSettingsPatch,
    SlotOut,
    appointment_out_schema,
)

router = Router(tags=["scheduling"], auth=jwt_auth)

ObjectId = Path(..., ge=1, le=MAX_BIGINT)
NO_CONTENT = with_errors({HTTPStatus.NO_CONTENT: None})


def _appointment_changes(
    payload: AppointmentPut | AppointmentPatch, *, partial: bool
) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=partial)
    if "appointment_date" in data:
        data["starts_at"] = data.pop("appointment_date")
    return data


# --- appointments ------------------------------------------------------------


def _shaped(request: HttpRequest, appointment: Appointment) -> AppointmentPatientOut:
    """The appointment as the caller may see it (schemas decide)."""
    return appointment_out_schema(request.auth).model_validate(appointment)


class _ShapedRows(Sequence):
    """A queryset the paginator slices and counts, each row shaped for the
    caller on the way out."""

    def __init__(self, request: HttpRequest, rows: Any) -> None:
        self.request, self.rows = request, rows

    def __len__(self) -> int:
        return self.rows.count()

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [_shaped(self.request, row) for row in self.rows[index]]
        return _shaped(self.request, self.rows[index])


@router.get("/appointments", response=with_errors({200: list[AppointmentView]}))
@paginate(BoundedLimitOffsetPagination)
def list_appointments(request: HttpRequest, filters: Query[AppointmentFilter]) -> Any:
    rows = selectors.appointment_list(
        user=request.auth,
        starts_from=(as_clinic_time(filters.date_from) if filters.date_from else None),
        starts_before=(
            as_clinic_time(filters.date_to, end_of_day=True)
            if filters.date_to
            else None
        ),
        dentist_id=filters.dentist,
        chair_id=filters.chair,
        patient_id=filters.patient,
        statuses=filters.status,
        scope=filters.scope,
        ordering=filters.ordering,
    )
    return _ShapedRows(request, rows)


@router.post(
    "/appointments", response=with_errors({HTTPStatus.CREATED: AppointmentView})
)
def create_appointment(request: HttpRequest, payload: AppointmentIn) -> Status[Any]:
    appointment = appointments.appointment_book(
        actor=request.auth,
        patient_id=payload.patient_id,
        dentist_id=payload.dentist_id,
        chair_id=payload.chair_id,
        start=payload.appointment_date,
        duration_minutes=payload.duration_minutes,
        reason=payload.reason,
        notes=payload.notes,
    )
    return Status(HTTPStatus.CREATED, _shaped(request, appointment))


@router.get(
    "/appointments/{appointment_id}", response=with_errors({200: AppointmentView})
)
def get_appointment(request: HttpRequest, appointment_id: int = ObjectId) -> Any:
    return _shaped(
        request,
        selectors.appointment_get(user=request.auth, appointment_id=appointment_id),
    )


@router.put(
    "/appointments/{appointment_id}", response=with_errors({200: AppointmentView})
)
def replace_appointment(
    request: HttpRequest, payload: AppointmentPut, appointment_id: int = ObjectId
) -> Any:
    appointment = selectors.appointment_get(
        user=request.auth, appointment_id=appointment_id
    )
    return _shaped(
        request,
        appointments.appointment_update(
            actor=request.auth,
            appointment=appointment,
            changes=_appointment_changes(payload, partial=False),
        ),
    )


@router.patch(
    "/appointments/{appointment_id}", response=with_errors({200: AppointmentView})
)
def update_appointment(
    request: HttpRequest, payload: AppointmentPatch, appointment_id: int = ObjectId
) -> Any:
    appointment = selectors.appointment_get(
        user=request.auth, appointment_id=appointment_id
    )
    return _shaped(
        request,
        appointments.appointment_update(
            actor=request.auth,
            appointment=appointment,
            changes=_appointment_changes(payload, partial=True),
        ),
    )


@router.delete(
    "/appointments/{appointment_id}", response=with_errors({200: AppointmentView})
)
def cancel_appointment(
    request: HttpRequest, params: Query[CancelQuery], appointment_id: int = ObjectId
) -> Any:
    """Cancels: the appointment is kept, with status `cancelled`."""
    appointment = selectors.appointment_get(
        user=request.auth, appointment_id=appointment_id
    )
    return _shaped(
        request,
        appointments.appointment_cancel(
            actor=request.auth, appointment=appointment, reason=params.reason
        ),
    )


# An open week of every dentist is a few thousand slots: validated and
# written as JSON by pydantic-core in one go rather than handed to ninja's
# per-object validation and the json module's per-datetime default().
_SLOTS = TypeAdapter(list[SlotOut])


@router.get("/availability", response=with_errors({200: list[SlotOut]}))
def get_availability(request: HttpRequest, query: Query[AvailabilityQuery]) -> Any:
    slots = selectors.availability(
        user=request.auth,
        dentist_id=query.dentist,
        start=as_clinic_time(query.date_from),
        end=as_clinic_time(query.date_to, end_of_day=True),
        duration_minutes=query.duration,
    )
    body = _SLOTS.dump_json(_SLOTS.validate_python(slots, from_attributes=True))
    return HttpResponse(body, content_type="application/json; charset=utf-8")


# --- clinic settings ---------------------------------------------------------


@router.get("/scheduling/settings", response=with_errors({200: SchedulingSettingsOut}))
def get_scheduling_settings(request: HttpRequest) -> Any:
    """The clinic's rules for patients' own bookings; everyone signed in
    reads them (the portal shows them), admins change them."""
    return selectors.scheduling_settings_read(user=request.auth)


@router.patch(
    "/scheduling/settings", response=with_errors({200: SchedulingSettingsOut})
)
def update_scheduling_settings(
    request: HttpRequest, payload: SchedulingSettingsPatch
) -> Any:
    return resources.scheduling_settings_update(
        actor=request.auth, changes=payload.model_dump(exclude_unset=True)
    )


# --- dentists ----------------------------------------------------------------


@router.get("/dentists", response=with_errors({200: list[DentistOut]}))
@paginate(BoundedLimitOffsetPagination)
def list_dentists(request: HttpRequest, filters: Query[DentistFilter]) -> Any:
    return selectors.dentist_list(user=request.auth, active=filters.active)


@router.post("/dentists", response=with_errors({HTTPStatus.CREATED: DentistOut}))
def create_dentist(request: HttpRequest, payload: DentistIn) -> Status[Any]:
    dentist = resources.dentist_create(actor=request.auth, **payload.model_dump())
    return Status(
        HTTPStatus.CREATED,
        selectors.dentist_get(user=request.auth, dentist_id=dentist.pk),
    )


@router.get("/dentists/{dentist_id}", response=with_errors({200: DentistOut}))
def get_dentist(request: HttpRequest, dentist_id: int = ObjectId) -> Any:
    return selectors.dentist_get(user=request.auth, dentist_id=dentist_id)


def _update_dentist(
    request: HttpRequest, dentist_id: int, changes: dict[str, Any]
) -> Any:
    dentist = selectors.dentist_get(user=request.auth, dentist_id=dentist_id)
    resources.dentist_update(actor=request.auth, dentist=dentist, changes=changes)
    return selectors.dentist_get(user=request.auth, dentist_id=dentist_id)


@router.put("/dentists/{dentist_id}", response=with_errors({200: DentistOut}))
def replace_dentist(
    request: HttpRequest, payload: DentistIn, dentist_id: int = ObjectId
) -> Any:
    return _update_dentist(request, dentist_id, payload.model_dump())


@router.patch("/dentists/{dentist_id}", response=with_errors({200: DentistOut}))
def update_dentist(
    request: HttpRequest, payload: DentistPatch, dentist_id: int = ObjectId
) -> Any:
    return _update_dentist(request, dentist_id, payload.model_dump(exclude_unset=True))


@router.delete("/dentists/{dentist_id}", response=NO_CONTENT)
def deactivate_dentist(
    request: HttpRequest, dentist_id: int = ObjectId
) -> Status[None]:
    """Deactivates: past appointments keep pointing at the dentist."""
    dentist = selectors.dentist_get(user=request.auth, dentist_id=dentist_id)
    resources.dentist_deactivate(actor=request.auth, dentist=dentist)
    return Status(HTTPStatus.NO_CONTENT, None)


# --- chairs ------------------------------------------------------------------


@router.get("/chairs", response=with_errors({200: list[ChairOut]}))
@paginate(BoundedLimitOffsetPagination)
def list_chairs(request: HttpRequest, filters: Query[DentistFilter]) -> Any:
    return selectors.chair_list(user=request.auth, active=filters.active)


@router.post("/chairs", response=with_errors({HTTPStatus.CREATED: ChairOut}))
def create_chair(request: HttpRequest, payload: ChairIn) -> Status[Any]:
    return Status(
        HTTPStatus.CREATED,
        resources.chair_create(actor=request.auth, **payload.model_dump()),
    )


@router.get("/chairs/{chair_id}", response=with_errors({200: ChairOut}))
def get_chair(request: HttpRequest, chair_id: int = ObjectId) -> Any:
    return selectors.chair_get(user=request.auth, chair_id=chair_id)


@router.put("/chairs/{chair_id}", response=with_errors({200: ChairOut}))
def replace_chair(
    request: HttpRequest, payload: ChairIn, chair_id: int = ObjectId
) -> Any:
    chair = selectors.chair_get(user=request.auth, chair_id=chair_id)
    return resources.chair_update(
        actor=request.auth, chair=chair, changes=payload.model_dump()
    )


@router.patch("/chairs/{chair_id}", response=with_errors({200: ChairOut}))
def update_chair(
    request: HttpRequest, payload: ChairPatch, chair_id: int = ObjectId
) -> Any:
    chair = selectors.chair_get(user=request.auth, chair_id=chair_id)
    return resources.chair_update(
        actor=request.auth, chair=chair, changes=payload.model_dump(exclude_unset=True)
    )


@router.delete("/chairs/{chair_id}", response=NO_CONTENT)
def deactivate_chair(request: HttpRequest, chair_id: int = ObjectId) -> Status[None]:
    chair = selectors.chair_get(user=request.auth, chair_id=chair_id)
    resources.chair_deactivate(actor=request.auth, chair=chair)
    return Status(HTTPStatus.NO_CONTENT, None)
