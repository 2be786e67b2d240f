"""The invoice for a visit, made from the procedures completed at it.

Each completed, not yet billed procedure booked on the appointment becomes
a line: its code and description, where on the mouth it was (tooth and
surfaces, as the clinic writes teeth) and the fee frozen on the chart entry
when it was planned. A procedure is billed once: the line links its chart
entry under a UNIQUE, and the appointment has one invoice (a OneToOne), so
two desks invoicing the same visit at once get one invoice and a 409.
Manual lines stay possible (invoice_create with lines of your own).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from chairside.accounts.models import User
from chairside.accounts.policies import ensure
from chairside.billing import policies
from chairside.billing.errors import BillingErrorCode
from chairside.billing.models import Invoice
from chairside.billing.services import InvoiceLine, invoice_create
from chairside.core.errors import ChairsideError, NotFound
from chairside.dental.display import entry_place
from chairside.dental.models import ChartEntry, EntryKind, EntryStatus
from chairside.dental.selectors import clinic_notation
from chairside.scheduling.models import Appointment
from chairside.scheduling.policies import can_view_appointment


def visit_billable_entries(*, appointment: Appointment) -> list[ChartEntry]:
    """The visit's completed procedures that no invoice line bills yet."""
    return list(
        ChartEntry.objects.filter(
            appointment=appointment,
            kind=EntryKind.PROCEDURE,
            status=EntryStatus.COMPLETED,
            invoice_item__isnull=True,
        )
        .select_related("procedure_code")
        .order_by("pk")
    )


@transaction.atomic
def invoice_for_visit(
    *,
    actor: User,
    appointment_id: int,
    due_date: datetime.date | None = None,
    notes: str = "",
) -> Invoice:
    ensure(policies.can_create_invoice(actor))
    appointment = Appointment.objects.filter(pk=appointment_id).first()
    if appointment is None or not can_view_appointment(actor, appointment):
        raise NotFound(
            _("No such appointment."), code=BillingErrorCode.APPOINTMENT_NOT_FOUND
        )
    entries = visit_billable_entries(appointment=appointment)
    if not entries:
        raise ChairsideError(
            _("This visit has no completed procedure to bill."),
            code=BillingErrorCode.VISIT_NOTHING_TO_BILL,
        )
    notation = clinic_notation()
    lines = []
    for entry in entries:
        tooth, surfaces = entry_place(entry, notation)
        code = entry.procedure_code
        lines.append(
            InvoiceLine(
                description=code.short_description[:200],
                quantity=1,
                unit_price=entry.fee if entry.fee is not None else code.default_fee,
                procedure_code=code.code,
                tooth=tooth,
                surfaces=surfaces,
                chart_entry_id=entry.pk,
            )
        )
    return invoice_create(
        actor=actor,
        patient_id=appointment.patient_id,
        appointment_id=appointment.pk,
        lines=lines,
        due_date=due_date,
        notes=notes,
    )
