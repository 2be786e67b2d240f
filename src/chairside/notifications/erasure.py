"""A patient's erasure, as far as reminders go (see docs/privacy.md).

Called only from privacy.services.patient_erase, which holds the
transaction; the step checks the policy too.
The reminder rows stay (when what was sent, for
the clinic's record of its own messages); the address or number they went
to, and provider errors that may quote it, do not.
"""

from __future__ import annotations

from django.db.models import Q

from chairside.accounts.models import User
from chairside.accounts.policies import ensure
from chairside.notifications.models import Reminder, ReminderStatus
from chairside.patients.policies import can_erase_patient


def erase_patient(*, actor: User, patient_id: int) -> None:
    ensure(can_erase_patient(actor))
    reminders = Reminder.objects.filter(
        Q(appointment__patient_id=patient_id) | Q(invoice__patient_id=patient_id)
    )
    # Nothing more goes to a person who asked to be forgotten.
    reminders.filter(status__in=[ReminderStatus.PENDING, ReminderStatus.FAILED]).update(
        status=ReminderStatus.SKIPPED,
        skip_reason="patient_erased",
        next_attempt_at=None,
    )
    reminders.update(recipient="", last_error="")
