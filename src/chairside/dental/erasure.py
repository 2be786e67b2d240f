"""A patient's erasure, as far as the chart goes (see docs/privacy.md).

Called only from privacy.services.patient_erase, which holds the
transaction; the step checks the policy too. Health records must be kept
for their retention period, so the chart stays with its clinical facts —
which procedure or condition, where, when, by whom, at what fee, its
status — as invoices keep their amounts. The free text, where a name or
anything else about the person can be written (notes, invalidation
reasons), is blanked, in the audit snapshots too. The entries keep the
patient record from being deleted (PROTECT), so it is anonymized instead.
"""

from __future__ import annotations

import pgtrigger

from chairside.accounts.models import User
from chairside.accounts.policies import ensure
from chairside.dental.models import ChartEntry, ChartEntryEvent, EntryStatus
from chairside.patients.policies import can_erase_patient

ERASED = "Erased"  # an invalidated entry must still give a reason


def erase_patient(*, actor: User, patient_id: int) -> None:
    """Blank the free text of the patient's chart and of its snapshots: the
    one place the triggers that keep completed entries and the append-only
    history are lifted, for this patient's rows, inside the erasure's
    transaction."""
    ensure(can_erase_patient(actor))
    entries = ChartEntry.objects.filter(patient_id=patient_id)
    with pgtrigger.ignore(
        "dental.ChartEntry:completed_entry_frozen",
        "dental.ChartEntry:invalidated_entry_final",
        "dental.ChartEntryEvent:append_only",
    ):
        entries.exclude(note="").update(note="")
        entries.filter(status=EntryStatus.INVALIDATED).update(invalidated_reason=ERASED)
        events = ChartEntryEvent.objects.filter(patient_id=patient_id)
        events.exclude(note="").update(note="")
        events.exclude(invalidated_reason="").update(invalidated_reason=ERASED)
