"""Keeping the clinic's scheduling resources: dentists with their working
hours and days off, chairs, and the clinic's rules for patients' own
bookings. Admins only (policies.can_manage_resources); booking against them
is scheduling.appointments.
"""

from __future__ import annotations

import itertools
from datetime import date, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from chairside.accounts.models import Role, User
from chairside.accounts.policies import ensure
from chairside.core.db import constraint_name, unique_key
from chairside.core.errors import ChairsideError, Conflict
from chairside.scheduling import policies, selectors
from chairside.scheduling.errors import SchedulingErrorCode
from chairside.scheduling.models import (
    Chair,
    DayOff,
    Dentist,
    SchedulingSettings,
    WorkingHours,
)

# --- clinic settings ---------------------------------------------------------

SETTINGS_FIELDS = (
    "cancellation_window_hours",
    "max_online_duration_minutes",
    "max_future_online_bookings",
)


@transaction.atomic
def scheduling_settings_update(
    *, actor: User, changes: dict[str, Any]
) -> SchedulingSettings:
    """The clinic's rules for patients' own bookings; admins only."""
    ensure(policies.can_manage_resources(actor))
    settings_row = selectors.scheduling_settings_get(for_update=True)
    fields = [
        name
        for name in SETTINGS_FIELDS
        if changes.get(name) is not None
        and changes[name] != getattr(settings_row, name)
    ]
    for name in fields:
        setattr(settings_row, name, changes[name])
    try:
        # The model's validators hold the bounds; pages and tasks get them
        # here as the API gets them from its schema.
        settings_row.clean_fields()
    except ValidationError as exc:
        field, problems = next(iter(exc.message_dict.items()))
        raise ChairsideError(
            problems[0],
            code=SchedulingErrorCode.SETTINGS_INVALID,
            details={"field": field},
        ) from None
    if fields:
        settings_row.save(update_fields=[*fields, "updated_at"])
    return settings_row


# --- dentists, hours, chairs -------------------------------------------------


def _check_shifts(shifts: list[dict[str, Any]]) -> None:
    by_day: dict[int, list[tuple[time, time]]] = {}
    for shift in shifts:
        if shift["start_time"] >= shift["end_time"]:
            raise ChairsideError(
                _("A shift must end after it starts."),
                code=SchedulingErrorCode.SHIFTS_OVERLAP,
            )
        by_day.setdefault(shift["weekday"], []).append(
            (shift["start_time"], shift["end_time"])
        )
    for spans in by_day.values():
        spans.sort()
        for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
            if s2 < e1:
                raise ChairsideError(
                    _("Shifts on the same day overlap."),
                    code=SchedulingErrorCode.SHIFTS_OVERLAP,
                )


def _check_dentist_user(user_id: int | None, dentist: Dentist | None) -> None:
    if user_id is None:
        return
    account = User.objects.filter(pk=user_id).first()
    if account is None or account.role not in (Role.DENTIST, Role.ADMIN):
        raise ChairsideError(
            _("A dentist can only be linked to a dentist's staff account."),
            code=SchedulingErrorCode.DENTIST_USER_INVALID,
            details={"field": "user_id"},
        )
    taken = Dentist.objects.filter(user_id=user_id)
    if dentist is not None:
        taken = taken.exclude(pk=dentist.pk)
    if taken.exists():
        raise Conflict(
            _("That account is already linked to another dentist."),
            code=SchedulingErrorCode.DENTIST_USER_INVALID,
        )


def _save_dentist(dentist: Dentist) -> None:
    try:
        with transaction.atomic():
            dentist.save()
    except IntegrityError as exc:
        broken = constraint_name(exc)
        if broken == unique_key(Dentist, "license_number"):
            raise Conflict(
                _("Another dentist has this license number."),
                code=SchedulingErrorCode.DENTIST_LICENSE_TAKEN,
                details={"field": "license_number"},
            ) from None
        if broken == unique_key(Dentist, "email"):
            raise Conflict(
                _("Another dentist uses this email address."),
                code=SchedulingErrorCode.DENTIST_EMAIL_TAKEN,
                details={"field": "email"},
            ) from None
        raise


def _replace_schedule(
    dentist: Dentist,
    working_hours: list[dict[str, Any]] | None,
    days_off: list[dict[str, Any]] | None,
) -> None:
    if working_hours is not None:
        _check_shifts(working_hours)
        dentist.working_hours.all().delete()
        WorkingHours.objects.bulk_create(
            WorkingHours(dentist=dentist, **s) for s in working_hours
        )
    if days_off is not None:
        dentist.days_off.all().delete()
        unique: dict[date, str] = {d["date"]: d.get("reason", "") for d in days_off}
        DayOff.objects.bulk_create(
            DayOff(dentist=dentist, date=d, reason=r) for d, r in unique.items()
        )


DENTIST_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "specialty",
    "license_number",
    "is_active",
    "user_id",
)


@transaction.atomic
def dentist_create(
    *,
    actor: User,
    working_hours: list[dict[str, Any]] | None = None,
    days_off: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> Dentist:
    ensure(policies.can_manage_resources(actor))
    data = {k: v for k, v in fields.items() if k in DENTIST_FIELDS}
    data["email"] = data["email"].lower()
    data["license_number"] = data.get("license_number") or None
    _check_dentist_user(data.get("user_id"), None)
    dentist = Dentist(**data)
    _save_dentist(dentist)
    _replace_schedule(dentist, working_hours or [], days_off or [])
    return dentist


@transaction.atomic
def dentist_update(
    *, actor: User, dentist: Dentist, changes: dict[str, Any]
) -> Dentist:
    ensure(policies.can_manage_resources(actor))
    working_hours = changes.pop("working_hours", None)
    days_off = changes.pop("days_off", None)
    for name, raw in changes.items():
        if name not in DENTIST_FIELDS:
            continue
        if name in ("first_name", "last_name", "email", "is_active") and raw is None:
            continue
        value = raw.lower() if name == "email" else raw
        if name == "specialty":
            value = value or ""
        if name == "license_number":
            value = value or None
        if name == "user_id" and value != dentist.user_id:
            _check_dentist_user(value, dentist)
        setattr(dentist, name, value)
    _save_dentist(dentist)
    _replace_schedule(dentist, working_hours, days_off)
    return dentist


@transaction.atomic
def dentist_deactivate(*, actor: User, dentist: Dentist) -> Dentist:
    """Dentists with history are kept (appointments point at them)."""
    ensure(policies.can_manage_resources(actor))
    dentist.is_active = False
    dentist.save(update_fields=["is_active", "updated_at"])
    return dentist


def _save_chair(chair: Chair) -> None:
    try:
        with transaction.atomic():
            chair.save()
    except IntegrityError as exc:
        if constraint_name(exc) == unique_key(Chair, "name"):
            raise Conflict(
                _("Another chair has this name."),
                code=SchedulingErrorCode.CHAIR_NAME_TAKEN,
                details={"field": "name"},
            ) from None
        raise


@transaction.atomic
def chair_create(*, actor: User, name: str, is_active: bool = True) -> Chair:
    ensure(policies.can_manage_resources(actor))
    chair = Chair(name=name.strip(), is_active=is_active)
    _save_chair(chair)
    return chair


@transaction.atomic
def chair_update(*, actor: User, chair: Chair, changes: dict[str, Any]) -> Chair:
    ensure(policies.can_manage_resources(actor))
    if changes.get("name") is not None:
        chair.name = changes["name"].strip()
    if changes.get("is_active") is not None:
        chair.is_active = changes["is_active"]
    _save_chair(chair)
    return chair


@transaction.atomic
def chair_deactivate(*, actor: User, chair: Chair) -> Chair:
    ensure(policies.can_manage_resources(actor))
    chair.is_active = False
    chair.save(update_fields=["is_active", "updated_at"])
    return chair
