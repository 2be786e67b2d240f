"""A patient's erasure, as far as reminders go (see docs/privacy.md).

Called only from patients.services.patient_erase, which checks the policy
and holds the transaction. The reminder rows stay (when what was sent, for
the clinic's record of its own messages); the address or number they went
to, and provider errors that may quote it, do not.
"""

from __future__ import annotations

from django.db.models import Q

from chairside.notifications.models import Reminder, ReminderStatus


def erase_patient(*, patient_id: int) -> None:
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
