"""Booking and changing appointments (the clinic's dentists, hours and
chairs are kept in scheduling.resources).

Where booking is decided: `appointment_book` and `appointment_update` check
the clinic's rules (future, inside working hours in the clinic's zone, not
on a day off, active resources) and then let PostgreSQL's exclusion
constraints decide double-booking, so two concurrent bookings of one slot
can never both succeed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pghistory
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chairside.accounts.models import User
from chairside.accounts.policies import ensure, is_patient
from chairside.core.actors import (
    REMINDER_LINK,
    SystemActor,
    audit_actor,
    ensure_system,
    is_system,
)
from chairside.core.clinic_time import as_clinic_time, clinic_tz, local_datetime
from chairside.core.db import constraint_name
from chairside.core.errors import ChairsideError, Conflict, NotFound
from chairside.patients.models import Patient
from chairside.scheduling import online, policies, rules, selectors
from chairside.scheduling.errors import SchedulingErrorCode
from chairside.scheduling.models import (
    Appointment,
    AppointmentStatus,
    Chair,
    DayOff,
    Dentist,
)
from chairside.scheduling.transitions import RESCHEDULABLE, transition_refusal

S = AppointmentStatus
SCHEDULE_FIELDS = ("starts_at", "duration_minutes", "dentist_id", "chair_id")
# The constraints that say a slot is taken, by the resource they guard.
SLOT_CONSTRAINTS = {
    "appointment_no_dentist_overlap": "dentist",
    "appointment_no_chair_overlap": "chair",
}


# --- rules -------------------------------------------------------------------


def _check_bookable_time(
    dentist: Dentist, start: datetime, duration_minutes: int
) -> None:
    if start <= timezone.now():
        raise ChairsideError(
            _("Appointments must start in the future."),
            code=SchedulingErrorCode.IN_THE_PAST,
            details={"field": "appointment_date"},
        )
    tz = clinic_tz()
    end = start + timedelta(minutes=duration_minutes)
    day = start.astimezone(tz).date()
    if DayOff.objects.filter(dentist=dentist, date=day).exists():
        raise ChairsideError(
            _("The dentist is off that day."),
            code=SchedulingErrorCode.DENTIST_DAY_OFF,
            details={"date": day.isoformat()},
        )
    for shift in dentist.working_hours.filter(weekday=day.weekday()):
        # Wall-clock shift times on that date: a 09:00-17:00 shift stays
        # 09:00-17:00 local across a DST change.
        if local_datetime(day, shift.start_time, tz) <= start and end <= local_datetime(
            day, shift.end_time, tz
        ):
            return
    raise ChairsideError(
        _("That time is outside the dentist's working hours."),
        code=SchedulingErrorCode.OUTSIDE_WORKING_HOURS,
        details={"field": "appointment_date"},
    )


def _active_dentist(dentist_id: int) -> Dentist:
    dentist = Dentist.objects.filter(pk=dentist_id).first()
    if dentist is None:
        raise NotFound(_("No such dentist."), details={"field": "dentist_id"})
    if not dentist.is_active:
        raise Conflict(
            _("This dentist is not taking appointments."),
            code=SchedulingErrorCode.DENTIST_INACTIVE,
        )
    return dentist


def _active_chair(chair_id: int) -> Chair:
    chair = Chair.objects.filter(pk=chair_id).first()
    if chair is None:
        raise NotFound(_("No such chair."), details={"field": "chair_id"})
    if not chair.is_active:
        raise Conflict(
            _("This chair is out of service."), code=SchedulingErrorCode.CHAIR_INACTIVE
        )
    return chair


def _free_chair(
    start: datetime, duration_minutes: int, exclude_id: int | None = None
) -> Chair:
    end = start + timedelta(minutes=duration_minutes)
    busy = selectors.appointment_conflicts(
        start=start, end=end, chair_id=None, exclude_id=exclude_id
    )
    taken = set(busy.filter(chair__is_active=True).values_list("chair_id", flat=True))
    for chair in Chair.objects.filter(is_active=True).order_by("name", "id"):
        if chair.pk not in taken:
            return chair
    raise Conflict(
        _("No chair is free at that time."), code=SchedulingErrorCode.NO_CHAIR_FREE
    )


def _save_slot(appointment: Appointment, **kwargs: Any) -> None:
    """Save, turning an exclusion-constraint violation into a 409 that
    names the appointment already holding the slot."""
    try:
        with transaction.atomic():
            appointment.save(**kwargs)
    except IntegrityError as exc:
        resource = SLOT_CONSTRAINTS.get(constraint_name(exc) or "")
        if resource is None:
            raise
        conflict = selectors.appointment_conflicts(
            start=appointment.starts_at,
            end=appointment.starts_at + timedelta(minutes=appointment.duration_minutes),
            dentist_id=appointment.dentist_id if resource == "dentist" else None,
            chair_id=appointment.chair_id if resource == "chair" else None,
            exclude_id=appointment.pk,
        ).first()
        raise Conflict(
            _("That time is already booked for this %(resource)s.")
            % {"resource": resource},
            code=SchedulingErrorCode.SLOT_TAKEN,
            details={
                "resource": resource,
                "conflicting_appointment_id": conflict.pk if conflict else None,
            },
        ) from None


# --- appointments ------------------------------------------------------------


@transaction.atomic
def appointment_book(
    *,
    actor: User,
    patient_id: int | None,
    dentist_id: int,
    start: datetime,
    duration_minutes: int = rules.DEFAULT_DURATION_MINUTES,
    chair_id: int | None = None,
    reason: str = "",
    notes: str = "",
) -> Appointment:
    """Book a new appointment. Patients book for themselves only (their
    own record is used when patient_id is left out), inside the clinic's
    online rules (scheduling.online)."""
    # Only what booking needs: the whole record would decrypt the medical
    # history and parse the phone number for nothing.
    patients = Patient.objects.only("id", "is_archived", "user_id")
    start = as_clinic_time(start)
    if is_patient(actor):
        # The lock serialises one patient's bookings, so two at once cannot
        # both pass the cap on upcoming online bookings.
        own = patients.select_for_update().filter(user=actor).first()
        if own is None or (patient_id is not None and patient_id != own.pk):
            ensure(False, _("Patients can only book for themselves."))
        patient = own
        if notes:
            ensure(policies.can_write_notes(actor))
        online.check_online_booking(
            selectors.scheduling_settings_get(),
            patient_user_id=actor.pk,
            start=start,
            duration_minutes=duration_minutes,
            now=timezone.now(),
        )
    else:
        ensure(policies.is_booking_staff(actor))
        patient = patients.filter(pk=patient_id).first() if patient_id else None
        if patient is None:
            raise NotFound(_("No such patient."), details={"field": "patient_id"})
    if patient.is_archived:
        raise Conflict(
            _("This patient is archived."), code=SchedulingErrorCode.PATIENT_ARCHIVED
        )
    dentist = _active_dentist(dentist_id)
    chair = (
        _active_chair(chair_id)
        if chair_id is not None
        else _free_chair(start, duration_minutes)
    )
    _check_bookable_time(dentist, start, duration_minutes)
    appointment = Appointment(
        patient=patient,
        dentist=dentist,
        chair=chair,
        starts_at=start,
        duration_minutes=duration_minutes,
        reason=reason,
        notes=notes,
        created_by=actor,
    )
    _save_slot(appointment)
    return appointment


def _check_transition(
    appointment: Appointment, new_status: str, *, now: datetime
) -> None:
    refusal = transition_refusal(
        appointment,
        new_status,
        now=now,
        cancellation_reason=appointment.cancellation_reason,
    )
    if refusal is not None:
        raise refusal


def _check_patient_change(
    appointment: Appointment,
    changed: dict[str, Any],
    new_status: str | None,
    *,
    now: datetime,
) -> None:
    """What a patient changes is judged by the clinic's online rules,
    whichever adapter carried it (API verb, portal, reminder link)."""
    settings_row = selectors.scheduling_settings_get()
    online.check_online_change(
        settings_row,
        appointment,
        now=now,
        confirm_only=new_status == S.CONFIRMED and not changed,
    )
    if "starts_at" in changed:
        online.check_online_start(settings_row, changed["starts_at"], now=now)
    if "duration_minutes" in changed:
        online.check_online_duration(settings_row, changed["duration_minutes"])


def _check_new_patient(actor: User, patient_id: int) -> None:
    ensure(policies.is_booking_staff(actor))
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        raise NotFound(_("No such patient."), details={"field": "patient_id"})
    if patient.is_archived:
        raise Conflict(
            _("This patient is archived."), code=SchedulingErrorCode.PATIENT_ARCHIVED
        )


@transaction.atomic
def appointment_update(
    *, actor: User, appointment: Appointment, changes: dict[str, Any]
) -> Appointment:
    """Reschedule, reassign, annotate or move along the status machine.

    `changes` may hold starts_at, duration_minutes, dentist_id, chair_id,
    patient_id, reason, notes, status and cancellation_reason.
    """
    now = timezone.now()
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    ensure(policies.can_edit_appointment(actor, appointment))
    if "starts_at" in changes and changes["starts_at"] is not None:
        changes["starts_at"] = as_clinic_time(changes["starts_at"])
    if is_patient(actor) and not changes.get("notes"):
        # A patient never sees the notes, so an empty one (a PUT's default)
        # cannot mean "clear them": it is not theirs to change.
        changes = {name: v for name, v in changes.items() if name != "notes"}
    changed = {
        name: value
        for name, value in changes.items()
        if value is not None and getattr(appointment, name) != value
    }
    if "notes" in changed:
        ensure(policies.can_write_notes(actor))
    if "patient_id" in changed:
        _check_new_patient(actor, changed["patient_id"])
    new_status = changed.pop("status", None)
    if new_status is not None:
        ensure(policies.can_set_status(actor, new_status))
    if is_patient(actor) and (changed or new_status is not None):
        _check_patient_change(appointment, changed, new_status, now=now)
    moving = [name for name in SCHEDULE_FIELDS if name in changed]
    if moving:
        if appointment.status not in RESCHEDULABLE:
            raise Conflict(
                _("Only scheduled or confirmed appointments can be moved."),
                code=SchedulingErrorCode.NOT_RESCHEDULABLE,
            )
        dentist = _active_dentist(changed.get("dentist_id", appointment.dentist_id))
        if "chair_id" in changed:
            _active_chair(changed["chair_id"])
        _check_bookable_time(
            dentist,
            changed.get("starts_at", appointment.starts_at),
            changed.get("duration_minutes", appointment.duration_minutes),
        )
    for name, value in changed.items():
        setattr(appointment, name, value)
    if new_status is not None:
        _check_transition(appointment, new_status, now=now)
        appointment.status = new_status
        changed["status"] = new_status
    if changed:
        _save_slot(appointment, update_fields=[*changed, "updated_at"])
    return appointment


def _status_by_system(
    appointment: Appointment,
    new_status: str,
    *,
    actor: SystemActor,
    fields: dict[str, Any] | None = None,
) -> Appointment:
    """A status change nobody signed in makes: the system acts for a patient
    who proved their right another way (a signed reminder link). Same lock,
    state machine and online rules as the patient's own changes; the system
    actor and for whom it acts (`actor.on_behalf`) go into the audit trail."""
    ensure_system(actor, REMINDER_LINK)
    if not actor.on_behalf:
        raise ValueError("a change by the system must say for whom it acts")
    now = timezone.now()
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    _check_transition(appointment, new_status, now=now)
    online.check_online_change(
        selectors.scheduling_settings_get(),
        appointment,
        now=now,
        confirm_only=new_status == S.CONFIRMED,
    )
    appointment.status = new_status
    for name, value in (fields or {}).items():
        setattr(appointment, name, value)
    with pghistory.context(**audit_actor(actor)):
        appointment.save(update_fields=["status", *(fields or {}), "updated_at"])
    return appointment


@transaction.atomic
def appointment_cancel(
    *,
    actor: User | SystemActor,
    appointment: Appointment,
    reason: str = "",
) -> Appointment:
    """DELETE /appointments/{id}: the row stays, with status cancelled.
    Cancelling twice is refused like any other invalid transition; a
    checked-in visit needs a reason.

    A reminder link cancels as `REMINDER_LINK.acting_for("patient N via
    reminder link")` (see _status_by_system)."""
    if is_system(actor):
        return _status_by_system(
            appointment,
            S.CANCELLED,
            actor=actor,
            fields={"cancellation_reason": reason},
        )
    ensure(policies.can_edit_appointment(actor, appointment))
    # appointment_update skips a status that does not change: cancelling a
    # cancelled visit must still be refused.
    if appointment.status == S.CANCELLED:
        _check_transition(appointment, S.CANCELLED, now=timezone.now())
    return appointment_update(
        actor=actor,
        appointment=appointment,
        changes={"status": S.CANCELLED, "cancellation_reason": reason or None},
    )


@transaction.atomic
def appointment_confirm(
    *, actor: User | SystemActor, appointment: Appointment
) -> Appointment:
    """Scheduled → confirmed; a reminder link confirms as a system actor,
    as in appointment_cancel."""
    if is_system(actor):
        return _status_by_system(appointment, S.CONFIRMED, actor=actor)
    return appointment_update(
        actor=actor, appointment=appointment, changes={"status": S.CONFIRMED}
    )
