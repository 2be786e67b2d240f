"""seed_demo's platform admin: created once, and admitted to the console."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.test import Client
from django_tenants.utils import schema_context

from chairside.accounts.models import User
from chairside.demo import seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_demo_clinics(monkeypatch):
    # Provisioning the two demo clinics is the slow part and not under test.
    monkeypatch.setattr(seed, "DEMO_CLINICS", [])


def test_seed_demo_creates_one_platform_admin_however_often_it_runs(
    no_demo_clinics, capsys
):
    call_command("seed_demo")
    call_command("seed_demo")

    with schema_context("public"):
        admin = User.objects.get(email=seed.PLATFORM_ADMIN_EMAIL)
        assert admin.is_superuser
        assert (
            EmailAddress.objects.filter(
                user=admin, email=seed.PLATFORM_ADMIN_EMAIL, primary=True, verified=True
            ).count()
            == 1
        )
    assert "localhost/console/" in capsys.readouterr().out


def test_the_seeded_platform_admin_signs_in_to_the_console(no_demo_clinics):
    call_command("seed_demo")
    client = Client(HTTP_HOST="localhost")

    response = client.post(
        "/console/login/",
        {"username": seed.PLATFORM_ADMIN_EMAIL, "password": seed.DEMO_PASSWORD},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/console/"
    assert client.get("/console/").status_code == HTTPStatus.OK
