"""Demo invoices and payments for `make run`.

Idempotent: a clinic that already has invoices is left alone. With a local
fake Stripe (`make run STRIPE_LOCAL=1`) each demo clinic also gets a fake
connected account, so card payments can be tried end to end.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django_tenants.utils import tenant_context

from chairside.accounts.models import User
from chairside.billing.models import Invoice
from chairside.billing.services import InvoiceLine, clinic_today, invoice_create
from chairside.patients.models import Patient
from chairside.payments.manual import payment_manual_record
from tenants.models import Clinic

# (lines, paid in cash now, days until due)
VISITS = [
    ([("Check-up and cleaning", 1, "95.00", "PROPHY"),
      ("Bitewings", 2, "25.00", "BWX")], "145.00", 30),
    ([("Composite filling", 1, "180.00", "COMP-2S")], "80.00", 14),
    ([("Whitening consultation", 1, "60.00", "")], None, 21),
]  # fmt: skip


def seed_clinic_billing(clinic: Clinic) -> None:
    if settings.STRIPE_API_BASE and not clinic.stripe_account_id:
        # Only against a fake Stripe: a real account id comes from onboarding.
        clinic.stripe_account_id = f"acct_demo{clinic.slug}"
        clinic.save(update_fields=["stripe_account_id"])
    with tenant_context(clinic):
        if Invoice.objects.exists():
            return
        front_desk = User.objects.filter(email=f"reception@{clinic.slug}.test").first()
        patient_user = User.objects.filter(email=f"patient@{clinic.slug}.test").first()
        if front_desk is None or patient_user is None:
            return
        patient = Patient.objects.filter(user=patient_user).first()
        if patient is None:
            patient = Patient.objects.create(
                first_name=patient_user.first_name or "Pat",
                last_name=patient_user.last_name or "Smile",
                email=patient_user.email,
                user=patient_user,
            )
        for lines, paid, due_in in VISITS:
            # Issued and paid as the demo's receptionist would, so the
            # pages show who recorded what.
            invoice = invoice_create(
                actor=front_desk,
                patient_id=patient.pk,
                lines=[
                    InvoiceLine(text, qty, Decimal(price), code)
                    for text, qty, price, code in lines
                ],
                due_date=clinic_today() + datetime.timedelta(days=due_in),
            )
            if paid:
                payment_manual_record(
                    actor=front_desk,
                    invoice_id=invoice.pk,
                    method="cash",
                    amount=Decimal(paid),
                    reference="Front desk",
                )
