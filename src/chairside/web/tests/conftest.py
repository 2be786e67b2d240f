from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from conftest import world_user


@pytest.fixture
def web(db):
    """web(clinic, "receptionist") -> a test client signed in on that clinic's
    host (session in the clinic's schema); web(clinic) -> anonymous."""

    def make(clinic, local: str | None = None) -> Client:
        client = Client(HTTP_HOST=clinic.host)
        if local:
            with schema_context(clinic.schema_name):
                client.force_login(world_user(clinic, local))
        return client

    return make
