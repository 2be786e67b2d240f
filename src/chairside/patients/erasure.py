"""A patient's erasure, as far as the record itself goes (see
docs/privacy.md).

Called only from privacy.services.patient_erase, which holds the
transaction; each step checks the policy too, so no other caller can erase
by going around it. A record with settled invoices is kept (the books must
name whom they billed, by id) and anonymized; one with none is deleted.
"""

from __future__ import annotations

import pgtrigger
from django.utils import timezone

from chairside.accounts.models import User
from chairside.accounts.policies import ensure
from chairside.patients.models import Patient, PatientEvent
from chairside.patients.policies import can_erase_patient

ERASED = "Erased"


def patient_delete(*, actor: User, patient: Patient) -> None:
    """Delete the record (its appointments went first: scheduling's step).
    Raises ProtectedError when something that must be kept points at it."""
    ensure(can_erase_patient(actor))
    patient.delete()


def patient_anonymize(*, actor: User, patient: Patient) -> None:
    ensure(can_erase_patient(actor))
    patient.first_name = patient.last_name = ERASED
    patient.email = f"erased-{patient.pk}@erased.invalid"
    patient.phone = ""
    patient.date_of_birth = None
    patient.address = ""
    patient.medical_history = ""
    patient.user = None
    patient.is_archived = True
    patient.archived_at = patient.archived_at or timezone.now()
    patient.save()


def erase_patient(*, actor: User, patient_id: int) -> None:
    """Redact the record's audit snapshots: the one place the append-only
    rule is lifted, for this patient's rows, inside the erasure transaction.
    Run it last, so the snapshots the delete or anonymizing made are
    covered too."""
    ensure(can_erase_patient(actor))
    with pgtrigger.ignore("patients.PatientEvent:append_only"):
        PatientEvent.objects.filter(pgh_obj_id=patient_id).update(
            first_name=ERASED,
            last_name=ERASED,
            email=f"erased-{patient_id}@erased.invalid",
            phone="",
            date_of_birth=None,
            address="",
            medical_history="",
        )
