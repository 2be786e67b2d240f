"""The clinic's procedure catalogue and its fee schedules: creating and
changing codes (never deleting one: it is deactivated), schedules, their
fees and which schedule a patient is on. The fee an entry is charged is
looked up by selectors.fee_for and frozen on the entry (services.py); the
CSV import is catalogue_import.py.

Every function takes the acting user (or the demo seed) and checks its
policy itself (policies.py): any fee is the admin's to set.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from chairside.accounts.policies import ensure
from chairside.core.db import constraint_name
from chairside.core.errors import ChairsideError, Conflict, ErrorCode
from chairside.dental import policies
from chairside.dental.areas import Area
from chairside.dental.errors import DentalErrorCode
from chairside.dental.models import (
    FeeSchedule,
    FeeScheduleFee,
    PatientFeeSchedule,
    ProcedureCode,
)
from chairside.patients.models import Patient

CODE_UNIQUE = "dental_code_unique_ci"  # models.ProcedureCode.Meta.constraints
CODE_FIELDS = (
    "code",
    "short_description",
    "long_description",
    "category",
    "area",
    "default_duration_minutes",
    "default_fee",
    "effect",
    "is_hygiene",
    "triggers_recall",
    "is_active",
)


# --- catalogue ---------------------------------------------------------------


def _check_code_fields(fields: dict[str, Any]) -> None:
    if "code" in fields:
        fields["code"] = fields["code"].strip().upper()
        if not fields["code"]:
            raise ChairsideError(
                _("A procedure code is required."),
                code=ErrorCode.VALIDATION_FAILED,
                details={"field": "code"},
            )
    if "area" in fields and fields["area"] not in Area.values:
        raise ChairsideError(
            _("Unknown treatment area."),
            code=DentalErrorCode.INVALID_AREA,
            details={"field": "area"},
        )


def _save_code(code: ProcedureCode, **kwargs: Any) -> None:
    try:
        with transaction.atomic():
            code.save(**kwargs)
    except IntegrityError as exc:
        if constraint_name(exc) == CODE_UNIQUE:
            raise Conflict(
                _("The catalogue already has the code %(code)s.") % {"code": code.code},
                code=DentalErrorCode.CODE_TAKEN,
                details={"field": "code"},
            ) from None
        raise


@transaction.atomic
def procedure_code_create(*, actor: Any, **fields: Any) -> ProcedureCode:
    """A new code of the clinic's catalogue (fields: models.ProcedureCode's,
    see CODE_FIELDS). Setting a default fee is the admin's."""
    ensure(policies.can_manage_catalogue(actor))
    fields = {k: v for k, v in fields.items() if k in CODE_FIELDS}
    if fields.get("default_fee"):
        ensure(policies.can_change_fees(actor), _("Only admins set fees."))
    _check_code_fields(fields)
    code = ProcedureCode(**fields)
    _save_code(code)
    return code


@transaction.atomic
def procedure_code_update(
    *, actor: Any, procedure_code: ProcedureCode, changes: dict[str, Any]
) -> ProcedureCode:
    """Change a code (deactivate it with is_active=False: a code is never
    deleted). Entries already charted keep their frozen fee."""
    ensure(policies.can_manage_catalogue(actor))
    changes = {k: v for k, v in changes.items() if k in CODE_FIELDS}
    if (
        "default_fee" in changes
        and Decimal(changes["default_fee"]) != procedure_code.default_fee
    ):
        ensure(policies.can_change_fees(actor), _("Only admins set fees."))
    _check_code_fields(changes)
    changed = [k for k, v in changes.items() if getattr(procedure_code, k) != v]
    for name in changed:
        setattr(procedure_code, name, changes[name])
    if changed:
        _save_code(procedure_code, update_fields=[*changed, "updated_at"])
    return procedure_code


# --- fees ----------------------------------------------------------------------


@transaction.atomic
def fee_schedule_create(
    *, actor: Any, name: str, is_standard: bool = False
) -> FeeSchedule:
    """A named schedule (e.g. "Membership"). Making it the standard one takes
    that role from the previous standard schedule."""
    ensure(policies.can_change_fees(actor), _("Only admins manage fee schedules."))
    name = name.strip()
    if FeeSchedule.objects.filter(name__iexact=name).exists():
        raise Conflict(
            _("A fee schedule is already called %(name)s.") % {"name": name},
            code=DentalErrorCode.SCHEDULE_NAME_TAKEN,
            details={"field": "name"},
        )
    if is_standard:
        FeeSchedule.objects.filter(is_standard=True).update(is_standard=False)
    return FeeSchedule.objects.create(name=name, is_standard=is_standard)


@transaction.atomic
def fee_schedule_set_fees(
    *, actor: Any, schedule: FeeSchedule, fees: dict[int, Decimal | None]
) -> FeeSchedule:
    """Set (or with None, remove) the schedule's fee of each code id. Fees
    already frozen on chart entries do not move."""
    ensure(policies.can_change_fees(actor), _("Only admins set fees."))
    codes = set(ProcedureCode.objects.filter(pk__in=fees).values_list("pk", flat=True))
    unknown = sorted(set(fees) - codes)
    if unknown:
        raise ChairsideError(
            _("Unknown procedure codes."),
            code=DentalErrorCode.UNKNOWN_CODE,
            details={"field": "fees", "code_ids": unknown},
        )
    for code_id, fee in fees.items():
        if fee is None:
            FeeScheduleFee.objects.filter(schedule=schedule, code_id=code_id).delete()
        else:
            FeeScheduleFee.objects.update_or_create(
                schedule=schedule, code_id=code_id, defaults={"fee": fee}
            )
    return schedule


@transaction.atomic
def patient_fee_schedule_set(
    *, actor: Any, patient: Patient, schedule: FeeSchedule | None
) -> None:
    """Put a patient on a schedule (None: back to the clinic's standard)."""
    ensure(policies.can_change_fees(actor), _("Only admins set fees."))
    if schedule is None:
        PatientFeeSchedule.objects.filter(patient=patient).delete()
    else:
        PatientFeeSchedule.objects.update_or_create(
            patient=patient, defaults={"schedule": schedule}
        )
