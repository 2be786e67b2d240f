"""Reading the catalogue, the fees and chart entries. (The chart as a whole,
whose every read is audited, is services.patient_chart.)"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from chairside.accounts.policies import ensure
from chairside.core.errors import NotFound
from chairside.dental import policies
from chairside.dental.models import (
    ChartEntry,
    ChartSettings,
    FeeSchedule,
    FeeScheduleFee,
    NotationPreference,
    PatientFeeSchedule,
    ProcedureCode,
)
from chairside.dental.teeth import Notation
from chairside.patients.models import Patient


def procedure_code_list(
    *, user: Any, q: str | None = None, active: bool | None = None
) -> QuerySet[ProcedureCode]:
    ensure(policies.can_read_catalogue(user))
    codes = ProcedureCode.objects.all()
    if active is not None:
        codes = codes.filter(is_active=active)
    if q:
        codes = codes.filter(
            Q(code__istartswith=q.strip()) | Q(short_description__icontains=q.strip())
        )
    return codes.order_by("code")


def procedure_code_get(*, user: Any, code_id: int) -> ProcedureCode:
    ensure(policies.can_read_catalogue(user))
    code = ProcedureCode.objects.filter(pk=code_id).first()
    if code is None:
        raise NotFound(_("No such procedure code."))
    return code


def fee_schedule_list(*, user: Any) -> QuerySet[FeeSchedule]:
    ensure(policies.can_read_catalogue(user))
    return FeeSchedule.objects.prefetch_related("fees__code").order_by(
        "-is_standard", "name"
    )


def fee_schedule_get(*, user: Any, schedule_id: int) -> FeeSchedule:
    ensure(policies.can_read_catalogue(user))
    schedule = FeeSchedule.objects.filter(pk=schedule_id).first()
    if schedule is None:
        raise NotFound(_("No such fee schedule."))
    return schedule


def fee_for(*, patient: Patient, code: ProcedureCode) -> Decimal:
    """The fee of `code` for `patient`: their schedule's, else the clinic's
    standard schedule's, else the code's default."""
    own = (
        PatientFeeSchedule.objects.filter(patient=patient)
        .values_list("schedule_id", flat=True)
        .first()
    )
    found = {
        ("own" if schedule_id == own else "standard"): fee
        for schedule_id, fee in FeeScheduleFee.objects.filter(code=code)
        .filter(Q(schedule__is_standard=True) | Q(schedule_id=own))
        .values_list("schedule_id", "fee")
    }
    return found.get("own", found.get("standard", code.default_fee))


def patient_fee_schedule(*, patient: Patient) -> FeeSchedule | None:
    link = PatientFeeSchedule.objects.select_related("schedule").filter(patient=patient)
    found = link.first()
    return found.schedule if found else None


def chart_entry_get(*, user: Any, entry_id: int) -> ChartEntry:
    """The entry, for those who may read charts; otherwise a 404."""
    entry = (
        ChartEntry.objects.select_related("patient", "procedure_code")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None or not policies.can_read_chart(user):
        raise NotFound(_("No such chart entry."))
    return entry


def chart_entries(*, patient: Patient) -> QuerySet[ChartEntry]:
    """A patient's entries, oldest first, with their procedure codes and
    condition types: one query however long the chart. Joined, not
    prefetched: a prefetch skips its query when no entry has that kind, so
    the count would change with the chart's mix (and prefetching measured
    no faster for 300 entries)."""
    return (
        ChartEntry.objects.filter(patient=patient)
        .select_related("procedure_code", "condition_type")
        .order_by("created_at", "id")
    )


def notation_for(*, user: Any) -> Notation:
    """The user's own notation, else the clinic's default, else FDI."""
    pk = getattr(user, "pk", None)
    if pk is not None:
        own = (
            NotationPreference.objects.filter(user_id=pk)
            .values_list("notation", flat=True)
            .first()
        )
        if own:
            return Notation(own)
    return clinic_notation()


def clinic_notation() -> Notation:
    """The clinic's default tooth notation (FDI until an admin picks one)."""
    default = (
        ChartSettings.objects.filter(pk=1)
        .values_list("default_notation", flat=True)
        .first()
    )
    return Notation(default or Notation.FDI)
