"""A patient's right to erasure, across every app that holds something
about them (see docs/privacy.md).

Erasure crosses the domain: invoices (billing), payments, appointments
(scheduling), the dental chart (dental), reminders (notifications), the
account (accounts) and the record itself (patients). Each app has its
own erase step in its `erasure.py`, which knows what that app must keep by
law and what it blanks; this app, above them all, runs the steps in one transaction.
"""

from __future__ import annotations

from typing import Literal

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from chairside.accounts.models import User
from chairside.accounts.policies import ensure
from chairside.accounts.services import user_erase
from chairside.billing import erasure as billing_erasure
from chairside.billing.models import OPEN_STATUSES, Invoice
from chairside.core.errors import Conflict
from chairside.dental import erasure as dental_erasure
from chairside.notifications import erasure as notifications_erasure
from chairside.patients import erasure as patients_erasure
from chairside.patients.errors import PatientErrorCode
from chairside.patients.models import Patient
from chairside.patients.policies import can_erase_patient
from chairside.payments import erasure as payments_erasure
from chairside.scheduling import erasure as scheduling_erasure
from chairside.treatment import erasure as treatment_erasure


@transaction.atomic
def patient_erase(*, actor: User, patient: Patient) -> Literal["deleted", "anonymized"]:
    """Right to erasure, done by an admin on request.

    Refused while invoices are open (the debt is still being handled). With
    no invoices at all, the patient and their appointments are deleted.
    Settled invoices must be kept by law, so then the record is anonymized
    in place instead. Either way the person's account goes (they can no
    longer sign in; their sessions and API tokens end), every app removes
    what it holds about them, and the audit snapshots are redacted the same
    way (the events themselves stay: who erased whom, when, from where).
    """
    ensure(can_erase_patient(actor))
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    invoices = Invoice.objects.filter(patient_id=patient.pk)
    open_count = invoices.filter(status__in=OPEN_STATUSES).count()
    if open_count:
        raise Conflict(
            _("This patient has open invoices; settle or void them first."),
            code=PatientErrorCode.OPEN_INVOICES,
            details={"open_invoices": open_count},
        )
    patient_id = patient.pk
    if patient.user is not None:
        user_erase(actor=actor, user=patient.user)
        patient.user = None
    notifications_erasure.erase_patient(actor=actor, patient_id=patient_id)
    payments_erasure.erase_patient(actor=actor, patient_id=patient_id)
    billing_erasure.erase_patient(actor=actor, patient_id=patient_id)
    dental_erasure.erase_patient(actor=actor, patient_id=patient_id)
    treatment_erasure.erase_patient(actor=actor, patient_id=patient_id)
    outcome: Literal["deleted", "anonymized"] = "anonymized"
    if not invoices.exists():
        try:
            with transaction.atomic():
                scheduling_erasure.appointments_delete(
                    actor=actor, patient_id=patient_id
                )
                patients_erasure.patient_delete(actor=actor, patient=patient)
            outcome = "deleted"
        except (ProtectedError, RestrictedError):
            # Something that must be kept (another app's records) still
            # points at the patient: fall back to anonymizing.
            pass
    if outcome == "anonymized":
        patients_erasure.patient_anonymize(actor=actor, patient=patient)
    # After the delete or the anonymizing: their snapshots are redacted too.
    scheduling_erasure.erase_patient(actor=actor, patient_id=patient_id)
    patients_erasure.erase_patient(actor=actor, patient_id=patient_id)
    return outcome
