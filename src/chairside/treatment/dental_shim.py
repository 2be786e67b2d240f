"""TEMPORARY: the two chart writes treatment needs, written against the
documented contract of `chairside.dental.services` (chart_entry_create,
chart_entry_complete) until engineer A's services are on main. Same names,
same keyword arguments: the switch is one import in services.py, and this
module goes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from chairside.accounts.models import Role
from chairside.accounts.policies import ensure, has_role
from chairside.core.actors import DEMO_SEED, is_system
from chairside.core.clinic_time import clinic_now
from chairside.core.errors import ChairsideError, Conflict
from chairside.dental.areas import validate_location
from chairside.dental.errors import DentalErrorCode
from chairside.dental.models import (
    ChartEntry,
    EntryKind,
    EntryStatus,
    FeeScheduleFee,
    PatientFeeSchedule,
    ProcedureCode,
)
from chairside.dental.teeth import Notation, parse_tooth
from chairside.patients.models import Patient
from chairside.scheduling.models import Dentist


def _can_write_chart(actor: Any) -> bool:
    return has_role(actor, Role.ADMIN, Role.DENTIST) or is_system(actor, DEMO_SEED)


def fee_for(*, patient: Patient, code: ProcedureCode) -> Decimal:
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
    if not found.is_active:
        raise ChairsideError(
            _("This procedure code is no longer in use."),
            code=DentalErrorCode.CODE_INACTIVE,
            details={"field": "procedure_code"},
        )
    return found


@transaction.atomic
def chart_entry_create(
    *,
    actor: Any,
    patient: Patient,
    kind: str,
    procedure_code: str | int,
    status: str = EntryStatus.PLANNED,
    tooth: int | str | None = None,
    tooth_to: int | str | None = None,
    notation: str = Notation.FDI,
    surfaces: str = "",
    arch: int | None = None,
    quadrant: int | None = None,
    sextant: int | None = None,
) -> ChartEntry:
    ensure(_can_write_chart(actor))
    if kind != EntryKind.PROCEDURE or status != EntryStatus.PLANNED:
        raise ChairsideError(_("The shim plans procedures only."))
    code = _code_of(procedure_code)
    location = validate_location(
        code.area,
        tooth_fdi=parse_tooth(tooth, notation) if tooth not in (None, "") else None,
        tooth_to=parse_tooth(tooth_to, notation)
        if tooth_to not in (None, "")
        else None,
        surfaces=surfaces,
        arch=arch,
        quadrant=quadrant,
        sextant=sextant,
    )
    return ChartEntry.objects.create(
        patient=patient,
        kind=kind,
        procedure_code=code,
        **location.as_fields(),
        status=status,
        dentist=Dentist.objects.filter(user_id=getattr(actor, "pk", None)).first(),
        fee=fee_for(patient=patient, code=code),
        created_by_id=getattr(actor, "pk", None),
    )


@transaction.atomic
def chart_entry_complete(*, actor: Any, entry: ChartEntry) -> ChartEntry:
    ensure(_can_write_chart(actor))
    entry = ChartEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.kind != EntryKind.PROCEDURE or entry.status != EntryStatus.PLANNED:
        raise Conflict(
            _("Only a planned procedure can be completed."),
            code=DentalErrorCode.INVALID_TRANSITION,
            details={"status": entry.status},
        )
    entry.status = EntryStatus.COMPLETED
    entry.performed_on = clinic_now().date()
    entry.dentist = (
        Dentist.objects.filter(user_id=getattr(actor, "pk", None)).first()
        or entry.dentist
    )
    entry.save(update_fields=["status", "performed_on", "dentist", "updated_at"])
    return entry
