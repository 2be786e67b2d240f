"""A patient's erasure, as far as appointments go (see docs/privacy.md).

Called only from privacy.services.patient_erase, which holds the
transaction; each step checks the policy too. The appointments themselves
stay (the calendar's history of who sat in which chair when is the
clinic's), stripped of every free text that could name or describe the
person; they are deleted only with a record that was never invoiced.
"""

from __future__ import annotations

import pgtrigger

from chairside.accounts.models import User
from chairside.accounts.policies import ensure
from chairside.patients.policies import can_erase_patient
from chairside.scheduling.models import Appointment, AppointmentEvent

FREE_TEXT = {"reason": "", "notes": "", "cancellation_reason": ""}


def appointments_delete(*, actor: User, patient_id: int) -> None:
    """Delete the patient's appointments, when the record itself goes (a
    patient never invoiced: nothing the books need points at them)."""
    ensure(can_erase_patient(actor))
    Appointment.objects.filter(patient_id=patient_id).delete()


def erase_patient(*, actor: User, patient_id: int) -> None:
    """Blank the appointments' free text, and the same in their audit
    snapshots: the one place the append-only rule is lifted, for this
    patient's rows, inside the erasure transaction. Run it after the
    patient's appointments were deleted or kept, so the snapshots those
    writes made are covered too."""
    ensure(can_erase_patient(actor))
    Appointment.objects.filter(patient_id=patient_id).update(**FREE_TEXT)
    with pgtrigger.ignore("scheduling.AppointmentEvent:append_only"):
        AppointmentEvent.objects.filter(patient_id=patient_id).update(**FREE_TEXT)
