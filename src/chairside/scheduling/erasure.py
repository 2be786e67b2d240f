"""A patient's erasure, as far as appointments go (see docs/privacy.md).

Called only from patients.services.patient_erase, which checks the policy
and holds the transaction. The appointments themselves stay (the calendar's
history of who sat in which chair when is the clinic's), stripped of every
free text that could name or describe the person.
"""

from __future__ import annotations

import pgtrigger

from chairside.scheduling.models import Appointment, AppointmentEvent

FREE_TEXT = {"reason": "", "notes": "", "cancellation_reason": ""}


def erase_patient(*, patient_id: int) -> None:
    """Blank the appointments' free text, and the same in their audit
    snapshots: the one place the append-only rule is lifted, for this
    patient's rows, inside the erasure transaction. Run it after the
    patient's appointments were deleted or kept, so the snapshots those
    writes made are covered too."""
    Appointment.objects.filter(patient_id=patient_id).update(**FREE_TEXT)
    with pgtrigger.ignore("scheduling.AppointmentEvent:append_only"):
        AppointmentEvent.objects.filter(patient_id=patient_id).update(**FREE_TEXT)
