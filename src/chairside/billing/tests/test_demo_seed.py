"""The demo's invoices (chairside.demo.billing) for `make run`."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from chairside.accounts.services import user_create
from chairside.billing.models import Invoice
from chairside.core.actors import COMMAND
from chairside.demo.billing import seed_clinic_billing

pytestmark = pytest.mark.django_db


def test_demo_billing_is_seeded_once(alpha, settings):
    settings.STRIPE_API_BASE = ""
    with tenant_context(alpha):
        # The demo's front-desk login (the world has patient@ already).
        user_create(
            actor=COMMAND,
            email="reception@alpha.test",
            password="x" * 12,
            role="receptionist",
        )
        assert not Invoice.objects.exists()

    seed_clinic_billing(alpha)
    seed_clinic_billing(alpha)

    with tenant_context(alpha):
        invoices = list(Invoice.objects.order_by("id"))
        assert [i.status for i in invoices] == ["paid", "partially_paid", "pending"]
        assert sum(i.amount_paid for i in invoices) == Decimal("225.00")
    alpha.refresh_from_db()
    assert alpha.stripe_account_id is None  # no fake account without localstripe


def test_demo_clinic_gets_a_fake_account_only_with_local_stripe(alpha, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:8420"
    seed_clinic_billing(alpha)
    alpha.refresh_from_db()
    assert alpha.stripe_account_id == "acct_demoalpha"
