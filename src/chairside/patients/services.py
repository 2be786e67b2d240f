"""Writing patients. Every change lands in the audit trail via triggers
(chairside.audit.tracking); reads of medical history are recorded here."""

from __future__ import annotations

from datetime import date
from http import HTTPStatus
from typing import Any

import pghistory
import phonenumbers
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chairside.accounts.models import Role, User
from chairside.accounts.policies import ensure
from chairside.audit.tracking import MEDICAL_HISTORY_READ
from chairside.core import crypto
from chairside.core.actors import COMMAND, SystemActor, audit_actor, ensure_system
from chairside.core.clinic_time import clinic_now
from chairside.core.db import constraint_name
from chairside.core.errors import ChairsideError, Conflict, ErrorCode
from chairside.core.regions import clinic_region
from chairside.patients import policies, selectors
from chairside.patients.errors import PatientErrorCode
from chairside.patients.models import Patient

EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "date_of_birth",
    "address",
    "medical_history",
    "user_id",
)
REQUIRED_FIELDS = ("first_name", "last_name", "email")
EMAIL_UNIQUE = "patient_email_unique_ci"  # models.Patient.Meta.constraints
BLANKABLE_FIELDS = ("phone", "address", "medical_history")


def normalize_phone(raw: str) -> str:
    """E.164, reading national numbers with the clinic's country."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, clinic_region())
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ChairsideError(
            _("Enter a valid phone number."),
            code=PatientErrorCode.INVALID_PHONE,
            details={"field": "phone"},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _check_birth_date(value: date | None) -> None:
    if value is not None and value > clinic_now().date():
        raise ChairsideError(
            _("The date of birth cannot be in the future."),
            code=PatientErrorCode.BIRTH_DATE_IN_FUTURE,
            details={"field": "date_of_birth"},
        )


def _check_user_link(user_id: int | None, patient: Patient | None) -> None:
    if user_id is None:
        return
    account = User.objects.filter(pk=user_id).first()
    if account is None or account.role != Role.PATIENT:
        raise ChairsideError(
            _("Only a patient account can be linked to a patient record."),
            code=PatientErrorCode.USER_NOT_A_PATIENT,
            details={"field": "user_id"},
        )
    taken = Patient.objects.filter(user_id=user_id)
    if patient is not None:
        taken = taken.exclude(pk=patient.pk)
    if taken.exists():
        raise Conflict(
            _("That account is already linked to another patient."),
            code=PatientErrorCode.USER_ALREADY_LINKED,
        )


def _save(patient: Patient, **kwargs: Any) -> None:
    try:
        with transaction.atomic():
            patient.save(**kwargs)
    except IntegrityError as exc:
        if constraint_name(exc) == EMAIL_UNIQUE:
            raise Conflict(
                _("Another patient already uses this email address."),
                code=PatientErrorCode.EMAIL_TAKEN,
                details={"field": "email"},
            ) from None
        raise


@transaction.atomic
def patient_create(
    *,
    actor: User,
    first_name: str,
    last_name: str,
    email: str,
    phone: str = "",
    date_of_birth: date | None = None,
    address: str = "",
    medical_history: str = "",
    user_id: int | None = None,
) -> Patient:
    ensure(policies.can_create_patient(actor))
    if medical_history:
        ensure(policies.can_write_medical_history(actor, None))
    if user_id is not None:
        ensure(policies.can_link_user(actor))
    _check_birth_date(date_of_birth)
    _check_user_link(user_id, None)
    patient = Patient(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip().lower(),
        phone=normalize_phone(phone),
        date_of_birth=date_of_birth,
        address=address,
        medical_history=medical_history,
        user_id=user_id,
    )
    _save(patient)
    return patient


def _clean_changes(
    actor: User, patient: Patient, changes: dict[str, Any]
) -> dict[str, Any]:
    """Check and normalise a patient update (policies for the sensitive
    fields, required fields, phone, birth date)."""
    changes = {k: v for k, v in changes.items() if k in EDITABLE_FIELDS}
    for name in REQUIRED_FIELDS:
        if name in changes and not changes[name]:
            raise ChairsideError(
                _("This field is required."),
                code=ErrorCode.VALIDATION_FAILED,
                details={"field": name},
                status=HTTPStatus.UNPROCESSABLE_ENTITY,
            )
    for name in BLANKABLE_FIELDS:
        if name in changes and changes[name] is None:
            changes[name] = ""
    if "medical_history" in changes and (
        changes["medical_history"] != patient.medical_history
    ):
        ensure(policies.can_write_medical_history(actor, patient))
    if "user_id" in changes and changes["user_id"] != patient.user_id:
        ensure(policies.can_link_user(actor))
        _check_user_link(changes["user_id"], patient)
    if "date_of_birth" in changes:
        _check_birth_date(changes["date_of_birth"])
    if "phone" in changes:
        changes["phone"] = normalize_phone(changes["phone"] or "")
    if "email" in changes:
        changes["email"] = changes["email"].strip().lower()
    for name in ("first_name", "last_name"):
        if name in changes:
            changes[name] = changes[name].strip()

    return changes


@transaction.atomic
def patient_update(
    *, actor: User, patient: Patient, changes: dict[str, Any]
) -> Patient:
    """Apply `changes` (a subset of EDITABLE_FIELDS); only changed columns
    are written, so the audit trail shows exactly what changed."""
    ensure(policies.can_edit_patient(actor, patient))
    if patient.is_archived:
        raise Conflict(_("This patient is archived."), code=PatientErrorCode.ARCHIVED)
    changes = _clean_changes(actor, patient, changes)
    changed = []
    for name, value in changes.items():
        current = getattr(patient, name)
        if str(current or "") != str(value or "") or (current is None) != (
            value is None
        ):
            setattr(patient, name, value)
            changed.append(name)
    if changed:
        _save(patient, update_fields=[*changed, "updated_at"])
    return patient


@transaction.atomic
def patient_archive(*, actor: User, patient: Patient) -> Patient:
    """ "Delete" as the spec says: health records must be kept (retention
    laws), so the patient leaves every list but the record stays."""
    ensure(policies.can_archive_patient(actor))
    if not patient.is_archived:
        patient.is_archived = True
        patient.archived_at = timezone.now()
        patient.save(update_fields=["is_archived", "archived_at", "updated_at"])
    return patient


def _record_history_read(actor: User, patient: Patient) -> None:
    with pghistory.context(reader=actor.pk):
        pghistory.create_event(patient, label=MEDICAL_HISTORY_READ)


def patient_medical_history_read(*, actor: User, patient: Patient) -> str:
    """The medical history, for those who may read it; the read is recorded
    in the audit trail."""
    ensure(
        policies.can_read_medical_history(actor, patient),
        _("Only clinicians may read medical histories."),
    )
    _record_history_read(actor, patient)
    return patient.medical_history


def patient_open(*, actor: User, patient_id: int) -> Patient:
    """One patient's record as `actor` is shown it (the API's answer shows
    the medical history to exactly those who may read it, PatientOut): when
    the history is shown, the read is recorded."""
    patient = selectors.patient_get(user=actor, patient_id=patient_id)
    if (
        policies.can_read_medical_history(actor, patient)
        and patient.medical_history is not None
    ):
        _record_history_read(actor, patient)
    return patient


@transaction.atomic
def patient_replace(*, actor: User, patient: Patient, data: dict[str, Any]) -> Patient:
    """A whole record sent back (PUT). The fields `actor` is not shown — the
    medical history for the front desk, the account link for everyone but
    admins — cannot be what they are replacing, so those keep their value."""
    data = dict(data)
    if not policies.can_read_medical_history(actor, patient):
        data.pop("medical_history", None)
    if not policies.can_link_user(actor):
        data.pop("user_id", None)
    return patient_update(actor=actor, patient=patient, changes=data)


def patient_rotate_encryption(*, actor: SystemActor, batch_size: int = 500) -> int:
    """Re-encrypt the active clinic's medical histories under the newest key.

    Works on the stored tokens (MultiFernet.rotate), so plaintext is never
    held longer than one token. Each row's change is an audited update,
    tagged with this reason. An operator's command runs it (COMMAND).
    """
    ensure_system(actor, COMMAND)
    count = 0
    with pghistory.context(reason="encryption_key_rotation", **audit_actor(actor)):
        last_id = 0
        while True:
            with transaction.atomic():
                rows = list(
                    Patient.objects.filter(pk__gt=last_id)
                    .order_by("pk")
                    .values_list("pk", flat=True)[:batch_size]
                )
                if not rows:
                    return count
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT id, medical_history FROM patients_patient"
                        " WHERE id = ANY(%s) FOR UPDATE",
                        [rows],
                    )
                    for pk, token in cursor.fetchall():
                        cursor.execute(
                            "UPDATE patients_patient SET medical_history = %s"
                            " WHERE id = %s",
                            [crypto.rotate(token), pk],
                        )
                        count += 1
                last_id = rows[-1]
