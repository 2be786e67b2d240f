"""A patient's erasure, as far as invoices go (see docs/privacy.md).

Called only from privacy.services.patient_erase, which holds the
transaction; the step checks the policy too.
Issued invoices must be kept for the tax and
accounting retention period, so they stay with what the books need: number,
dates, currency, status, every amount and each line's quantity, unit price
and total. Free text, where a name, a diagnosis or a treatment can be
written, is replaced.
"""

from __future__ import annotations

import pgtrigger

from chairside.accounts.models import User
from chairside.accounts.policies import ensure
from chairside.billing.models import Invoice, InvoiceEvent, InvoiceItem
from chairside.patients.policies import can_erase_patient

ERASED = "Erased"
FREE_TEXT = {"notes": "", "void_reason": ""}


def erase_patient(*, actor: User, patient_id: int) -> None:
    """Blank the invoices' notes and line descriptions, and the same in the
    invoices' audit snapshots (the one place the append-only rule is lifted:
    this patient's rows, inside the erasure transaction)."""
    ensure(can_erase_patient(actor))
    invoices = Invoice.objects.filter(patient_id=patient_id)
    invoices.update(**FREE_TEXT)
    # A line must still say something: it keeps its place on the invoice.
    InvoiceItem.objects.filter(invoice__in=invoices).update(
        description=ERASED, procedure_code=""
    )
    with pgtrigger.ignore("billing.InvoiceEvent:append_only"):
        InvoiceEvent.objects.filter(patient_id=patient_id).update(**FREE_TEXT)
