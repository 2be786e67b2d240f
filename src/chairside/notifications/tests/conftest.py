from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from chairside.notifications.sms import LocmemSmsBackend


@pytest.fixture
def in_alpha(alpha):
    with tenant_context(alpha):
        yield alpha


@pytest.fixture
def in_beta(beta):
    with tenant_context(beta):
        yield beta


@pytest.fixture(autouse=True)
def _sms_outbox(settings):
    settings.SMS_BACKEND = "chairside.notifications.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox = []
    yield LocmemSmsBackend.outbox
    LocmemSmsBackend.outbox = []


@pytest.fixture
def sms_outbox():
    return LocmemSmsBackend.outbox
