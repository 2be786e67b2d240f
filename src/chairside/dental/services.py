"""Writing the chart and its settings; reading the chart (every
read of it is recorded in the audit trail, as medical-history reads are).

Every function takes the acting user (or the demo seed) and checks its
policy itself (policies.py). The catalogue and the fee schedules are
catalogue.py, the CSV import catalogue_import.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pghistory
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chairside.accounts.policies import ensure
from chairside.audit.tracking import CHART_READ
from chairside.core.clinic_time import clinic_now
from chairside.core.errors import ChairsideError, Conflict, ErrorCode
from chairside.dental import policies, selectors
from chairside.dental.areas import Area, Location, location_teeth, validate_location

# Moved to catalogue.py; re-exported because the staff pages
# (web/views/catalogue.py) and their tests call them here. dental's own
# callers use catalogue.
from chairside.dental.catalogue import (  # noqa: F401  (re-exported)
    fee_schedule_create,
    fee_schedule_set_fees,
    patient_fee_schedule_set,
    procedure_code_create,
    procedure_code_update,
)
from chairside.dental.errors import DentalErrorCode
from chairside.dental.models import (
    IN_MOUTH_STATUSES,
    ChartEntry,
    ChartSettings,
    ConditionType,
    EntryKind,
    EntryStatus,
    NotationPreference,
    ProcedureCode,
    ToothEffect,
)
from chairside.dental.teeth import TEETH, Notation, parse_tooth
from chairside.patients.models import Patient
from chairside.scheduling.models import Appointment, Dentist

# A status an entry is created with, and where each status may go next
# (completing and invalidating have their own functions).
CREATE_STATUSES = (
    EntryStatus.PLANNED,
    EntryStatus.COMPLETED,
    EntryStatus.EXISTING_HERE,
    EntryStatus.EXISTING_ELSEWHERE,
    EntryStatus.REFERRED,
    EntryStatus.DECLINED,
)
CONDITION_STATUSES = (EntryStatus.EXISTING_HERE, EntryStatus.EXISTING_ELSEWHERE)
STATUS_MOVES = {
    EntryStatus.PLANNED: {EntryStatus.DECLINED, EntryStatus.REFERRED},
    EntryStatus.DECLINED: {EntryStatus.PLANNED},
    EntryStatus.REFERRED: {EntryStatus.PLANNED},
}


# --- notation -------------------------------------------------------------------


@transaction.atomic
def chart_settings_set(*, actor: Any, default_notation: str) -> ChartSettings:
    ensure(policies.can_change_chart_settings(actor))
    settings, _created = ChartSettings.objects.update_or_create(
        pk=1, defaults={"default_notation": Notation(default_notation)}
    )
    return settings


@transaction.atomic
def notation_preference_set(*, actor: Any, notation: str | None) -> None:
    """The acting user's own notation (None: the clinic's default)."""
    ensure(policies.can_set_own_notation(actor))
    if notation is None:
        NotationPreference.objects.filter(user_id=actor.pk).delete()
    else:
        NotationPreference.objects.update_or_create(
            user_id=actor.pk, defaults={"notation": Notation(notation)}
        )


# --- chart entries ----------------------------------------------------------------


def _code_of(code: str | int) -> ProcedureCode:
    query = (
        ProcedureCode.objects.filter(pk=code)
        if isinstance(code, int)
        else ProcedureCode.objects.filter(code__iexact=str(code).strip())
    )
    found = query.first()
    if found is None:
        raise ChairsideError(
            _("No such procedure code."),
            code=DentalErrorCode.UNKNOWN_CODE,
            details={"field": "procedure_code"},
        )
    return found


def _condition_of(code: str) -> ConditionType:
    found = ConditionType.objects.filter(code=str(code).strip().lower()).first()
    if found is None or not found.is_active:
        raise ChairsideError(
            _("No such condition."),
            code=DentalErrorCode.UNKNOWN_CONDITION,
            details={"field": "condition"},
        )
    return found


def _location(
    area: str | None,
    *,
    tooth: int | str | None,
    tooth_to: int | str | None,
    notation: str,
    surfaces: str,
    arch: int | None,
    quadrant: int | None,
    sextant: int | None,
) -> Location:
    fdi = parse_tooth(tooth, notation) if tooth not in (None, "") else None
    fdi_to = parse_tooth(tooth_to, notation) if tooth_to not in (None, "") else None
    if area is None:  # a condition: where it is says which area
        area = (
            Area.SURFACE
            if surfaces
            else Area.TOOTH_RANGE
            if fdi_to is not None
            else Area.TOOTH
            if fdi is not None
            else Area.QUADRANT
            if quadrant is not None
            else Area.SEXTANT
            if sextant is not None
            else Area.ARCH
            if arch is not None
            else Area.MOUTH
        )
    return validate_location(
        area,
        tooth_fdi=fdi,
        tooth_to=fdi_to,
        surfaces=surfaces,
        arch=arch,
        quadrant=quadrant,
        sextant=sextant,
    )


def _dentist_for(actor: Any, dentist_id: int | None) -> Dentist | None:
    if dentist_id is not None:
        dentist = Dentist.objects.filter(pk=dentist_id).first()
        if dentist is None:
            raise ChairsideError(
                _("No such dentist."),
                code=ErrorCode.VALIDATION_FAILED,
                details={"field": "dentist_id"},
            )
        return dentist
    return Dentist.objects.filter(user_id=getattr(actor, "pk", None)).first()


@transaction.atomic
def chart_entry_create(
    *,
    actor: Any,
    patient: Patient,
    kind: str,
    status: str | None = None,
    procedure_code: str | int | None = None,
    condition: str | None = None,
    tooth: int | str | None = None,
    tooth_to: int | str | None = None,
    notation: str = Notation.FDI,
    surfaces: str = "",
    arch: int | None = None,
    quadrant: int | None = None,
    sextant: int | None = None,
    supernumerary: bool = False,
    note: str = "",
    dentist_id: int | None = None,
    performed_on: date | None = None,
    appointment_id: int | None = None,
) -> ChartEntry:
    """Chart a condition (`condition`: a ConditionType code) or a procedure
    (`procedure_code`: its code or id), on the area the code requires, teeth
    written in `notation`. A procedure's fee is looked up now
    (selectors.fee_for) and frozen on the entry. A procedure is planned
    unless `status` says otherwise; a condition is a finding, so it is
    existing_here (seen here) or existing_elsewhere, nothing else."""
    ensure(policies.can_write_chart(actor))
    if patient.is_archived:
        raise Conflict(
            _("This patient is archived."), code=DentalErrorCode.PATIENT_ARCHIVED
        )
    _check_performed_on(performed_on)
    if kind == EntryKind.CONDITION:
        status = status or EntryStatus.EXISTING_HERE
        allowed: tuple[str, ...] = CONDITION_STATUSES
    else:
        status = status or EntryStatus.PLANNED
        allowed = CREATE_STATUSES
    if status not in allowed:
        raise ChairsideError(
            _("A chart entry cannot be created with this status."),
            code=DentalErrorCode.INVALID_TRANSITION,
            details={"field": "status"},
        )
    code = condition_type = None
    fee: Decimal | None = None
    if kind == EntryKind.PROCEDURE and procedure_code is not None and not condition:
        code = _code_of(procedure_code)
        if not code.is_active:
            raise ChairsideError(
                _("This procedure code is no longer in use."),
                code=DentalErrorCode.CODE_INACTIVE,
                details={"field": "procedure_code"},
            )
        area: str | None = code.area
        # Work done elsewhere is not billed here: it has no fee.
        if status != EntryStatus.EXISTING_ELSEWHERE:
            fee = selectors.fee_for(patient=patient, code=code)
    elif kind == EntryKind.CONDITION and condition and procedure_code is None:
        condition_type = _condition_of(condition)
        area = None
    else:
        raise ChairsideError(
            _("A procedure names a procedure code; a condition names a condition."),
            code=DentalErrorCode.ENTRY_KIND,
            details={"field": "kind"},
        )
    location = _location(
        area,
        tooth=tooth,
        tooth_to=tooth_to,
        notation=notation,
        surfaces=surfaces,
        arch=arch,
        quadrant=quadrant,
        sextant=sextant,
    )
    appointment = None
    if appointment_id is not None:
        appointment = Appointment.objects.filter(
            pk=appointment_id, patient=patient
        ).first()
        if appointment is None:
            raise ChairsideError(
                _("No such appointment for this patient."),
                code=ErrorCode.VALIDATION_FAILED,
                details={"field": "appointment_id"},
            )
    dentist = _dentist_for(actor, dentist_id)
    if status == EntryStatus.COMPLETED and performed_on is None:
        performed_on = clinic_now().date()
    entry = ChartEntry(
        patient=patient,
        kind=kind,
        procedure_code=code,
        condition_type=condition_type,
        **location.as_fields(),
        supernumerary=supernumerary,
        status=status,
        dentist=dentist,
        performed_on=performed_on,
        fee=fee,
        note=note,
        created_by_id=getattr(actor, "pk", None),
        appointment=appointment,
    )
    entry.save()
    return entry


def _check_performed_on(value: date | None) -> None:
    if value is not None and value > clinic_now().date():
        raise ChairsideError(
            _("A procedure cannot be done on a future date."),
            code=DentalErrorCode.DATE_IN_FUTURE,
            details={"field": "performed_on"},
        )


def _locked(entry: ChartEntry) -> ChartEntry:
    return ChartEntry.objects.select_for_update().get(pk=entry.pk)


@transaction.atomic
def chart_entry_complete(
    *,
    actor: Any,
    entry: ChartEntry,
    dentist_id: int | None = None,
    performed_on: date | None = None,
) -> ChartEntry:
    """A planned procedure done: stamps the date (today by default) and the
    dentist (the actor's own record by default); the fee frozen when it was
    planned stays, and from now on the database keeps it."""
    ensure(policies.can_write_chart(actor))
    _check_performed_on(performed_on)
    entry = _locked(entry)
    if entry.kind != EntryKind.PROCEDURE or entry.status != EntryStatus.PLANNED:
        raise Conflict(
            _("Only a planned procedure can be completed."),
            code=DentalErrorCode.INVALID_TRANSITION,
            details={"status": entry.status},
        )
    entry.status = EntryStatus.COMPLETED
    entry.performed_on = performed_on or clinic_now().date()
    entry.dentist = _dentist_for(actor, dentist_id) or entry.dentist
    entry.save(update_fields=["status", "performed_on", "dentist", "updated_at"])
    return entry


@transaction.atomic
def chart_entry_invalidate(*, actor: Any, entry: ChartEntry, reason: str) -> ChartEntry:
    """A wrong entry: marked invalid with the reason, kept in the history."""
    ensure(policies.can_write_chart(actor))
    reason = (reason or "").strip()
    if not reason:
        raise ChairsideError(
            _("Say why the entry is invalid."),
            code=DentalErrorCode.REASON_REQUIRED,
            details={"field": "reason"},
        )
    entry = _locked(entry)
    if entry.status == EntryStatus.INVALIDATED:
        raise Conflict(
            _("This entry is already invalidated."),
            code=DentalErrorCode.INVALID_TRANSITION,
            details={"status": entry.status},
        )
    entry.status = EntryStatus.INVALIDATED
    entry.invalidated_reason = reason
    entry.invalidated_at = timezone.now()
    entry.invalidated_by_id = getattr(actor, "pk", None)
    entry.save(
        update_fields=[
            "status",
            "invalidated_reason",
            "invalidated_at",
            "invalidated_by",
            "updated_at",
        ]
    )
    return entry


@transaction.atomic
def chart_entry_set_status(*, actor: Any, entry: ChartEntry, status: str) -> ChartEntry:
    """planned ⇄ declined / referred (see STATUS_MOVES)."""
    ensure(policies.can_write_chart(actor))
    entry = _locked(entry)
    if status not in STATUS_MOVES.get(entry.status, set()):
        raise Conflict(
            _("A %(old)s entry cannot become %(new)s.")
            % {"old": entry.status, "new": status},
            code=DentalErrorCode.INVALID_TRANSITION,
            details={"status": entry.status, "to": status},
        )
    entry.status = status
    entry.save(update_fields=["status", "updated_at"])
    return entry


# --- the chart -------------------------------------------------------------------


@dataclass
class ToothState:
    """A tooth as the chart shows it, derived from its entries."""

    fdi: int
    # present | missing | extracted | implant
    presence: str = "present"
    # crown, root_canal, filling, bridge (done or existing)
    restorations: list[str] = field(default_factory=list)
    # condition codes found on it (caries, fracture, watch...)
    conditions: list[str] = field(default_factory=list)
    planned: int = 0
    entry_ids: list[int] = field(default_factory=list)


@dataclass
class Chart:
    patient: Patient
    entries: list[ChartEntry]
    teeth: dict[int, ToothState]
    notation: Notation
    show_notes: bool


_PRESENCE = {
    ToothEffect.MISSING: "missing",
    ToothEffect.EXTRACTED: "extracted",
    ToothEffect.IMPLANT: "implant",
}


def _tooth_states(entries: list[ChartEntry]) -> dict[int, ToothState]:
    states = {t.fdi: ToothState(t.fdi) for t in TEETH}
    for entry in entries:
        if entry.status == EntryStatus.INVALIDATED:
            continue
        location = Location(area=entry.area, tooth=entry.tooth, tooth_to=entry.tooth_to)
        kind_of = entry.procedure_code or entry.condition_type
        effect = kind_of.effect if kind_of is not None else ""
        for fdi in location_teeth(location):
            state = states[fdi]
            state.entry_ids.append(entry.pk)
            if entry.status == EntryStatus.PLANNED:
                state.planned += 1
                continue
            is_fact = (
                entry.kind == EntryKind.CONDITION or entry.status in IN_MOUTH_STATUSES
            )
            if not is_fact or entry.supernumerary:
                continue
            if entry.kind == EntryKind.CONDITION and not effect:
                code = entry.condition_type.code
                if code not in state.conditions:
                    state.conditions.append(code)
            elif effect in _PRESENCE:
                state.presence = _PRESENCE[effect]
                if effect != ToothEffect.IMPLANT:
                    state.restorations.clear()
            elif effect and effect not in state.restorations:
                state.restorations.append(effect)
    return states


def _record_chart_read(actor: Any, patient: Patient) -> None:
    with pghistory.context(reader=getattr(actor, "pk", None)):
        pghistory.create_event(patient, label=CHART_READ)


def patient_chart(*, actor: Any, patient: Patient) -> Chart:
    """The patient's chart: every entry (invalidated ones too: the history)
    and each tooth's state, in a number of queries that does not grow with
    the entries. The read is recorded in the audit trail ("chart.read")."""
    ensure(policies.can_read_chart(actor))
    entries = list(selectors.chart_entries(patient=patient))
    _record_chart_read(actor, patient)
    return Chart(
        patient=patient,
        entries=entries,
        teeth=_tooth_states(entries),
        notation=selectors.notation_for(user=actor),
        show_notes=policies.can_read_chart_notes(actor),
    )
