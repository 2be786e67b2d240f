"""Search finds people by name, the local part of their email and their
phone, not by the email domain they share with the rest of the clinic."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import quote

import pytest
from django_tenants.utils import schema_context

from chairside.patients.models import Patient
from chairside.patients.selectors import patient_search_query

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_domain(alpha):
    people = [
        ("Clint", "Eastwood", "clint.e@clinicmail.test"),
        ("Ana", "Patel", "ana.patel@clinicmail.test"),
        ("Ben", "Okafor", "bokafor@clinicmail.test"),
        ("Zoe", "Smith", "zoe.smith.3@clinicmail.test"),
        ("Hugo", "Benitez", "hugo+dentist@clinicmail.test"),
    ]
    with schema_context(alpha.schema_name):
        return [
            Patient.objects.create(first_name=f, last_name=last, email=e)
            for f, last, e in people
        ]


def _search(client, q: str) -> list[str]:
    response = client.get(f"/api/patients?q={quote(q)}")
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["count"] == len(body["items"])
    return sorted(p["last_name"] for p in body["items"])


@pytest.mark.usefixtures("shared_domain")
def test_the_shared_domain_matches_nobody(api, alpha):
    client = api(alpha, "receptionist")
    # Every address is @clinicmail.test: its words would match everyone.
    assert _search(client, "clinicmail") == []
    assert _search(client, "test") == []
    # "cli" is Clint alone, not the whole clinic by its domain.
    assert _search(client, "cli") == ["Eastwood"]


@pytest.mark.usefixtures("shared_domain")
def test_names_and_the_local_part_still_match(api, alpha):
    client = api(alpha, "receptionist")
    assert _search(client, "ben") == ["Benitez", "Okafor"]
    assert _search(client, "bokaf") == ["Okafor"]
    assert _search(client, "dentist") == ["Benitez"]  # hugo+dentist@
    assert _search(client, "zoe smith 3") == ["Smith"]


@pytest.mark.usefixtures("shared_domain")
def test_a_whole_address_finds_its_owner(api, alpha):
    client = api(alpha, "receptionist")
    assert _search(client, "ana.patel@clinicmail.test") == ["Patel"]
    assert _search(client, "zoe.smith.3@clin") == ["Smith"]
    # Only a domain: nothing to look for.
    assert _search(client, "@clinicmail.test") == []


def test_an_address_without_a_local_part_is_no_query():
    assert patient_search_query("@clinicmail.test") is None
    assert patient_search_query("zoe@clinicmail.test") is not None
