"""A patient's plan list costs the same queries for one plan as for five
(the staff page, the portal page, the API list); and the plan pages show
statuses and roles by their translated labels, never their stored values."""

from __future__ import annotations

from http import HTTPStatus

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context, tenant_context

from chairside.treatment import services
from conftest import world_user
from tests.world_clinical import world_patient

from .conftest import plan_three

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2027-01-05T12:00:00Z", tick=True):
        yield


def _client(clinic, local):
    client = Client(HTTP_HOST=clinic.host)
    with schema_context(clinic.schema_name):
        client.force_login(world_user(clinic, local))
    return client


def _presented_and_accepted(clinic, catalogue) -> None:
    """A plan presented to the patient and signed by them (so the list has
    snapshots, items and acceptances to load)."""
    plan = plan_three(clinic, catalogue)
    with tenant_context(clinic):
        plan = services.plan_present(
            actor=world_user(clinic, "dentist"), plan_id=plan.pk
        )
        services.plan_accept(
            actor=world_user(clinic, "patient"),
            plan_id=plan.pk,
            snapshot_hash=plan.snapshot_hash,
            signer_name="Pat One",
        )


def _queries(fetch) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    assert response.status_code == HTTPStatus.OK
    return len(captured)


@pytest.mark.parametrize("where", ["staff", "portal", "api"])
def test_plan_list_query_count_does_not_grow_with_plans(alpha, catalogue, api, where):
    patient = world_patient(alpha)
    if where == "staff":
        client = _client(alpha, "dentist")
        fetch = lambda: client.get(f"/app/patients/{patient.pk}/treatment-plans/")  # noqa: E731
    elif where == "portal":
        client = _client(alpha, "patient")
        fetch = lambda: client.get("/portal/treatment-plans/")  # noqa: E731
    else:
        client = api(alpha, "dentist")
        fetch = lambda: client.get(f"/api/patients/{patient.pk}/treatment-plans")  # noqa: E731
    _presented_and_accepted(alpha, catalogue)
    fetch()  # warm per-process caches (the token, the session)
    one = _queries(fetch)
    for _ in range(4):
        _presented_and_accepted(alpha, catalogue)
    five = _queries(fetch)
    assert five == one, (where, one, five)


def test_plan_page_shows_item_statuses_and_signer_role_by_their_labels(
    alpha, catalogue
):
    _presented_and_accepted(alpha, catalogue)
    with tenant_context(alpha):
        plan = world_patient(alpha).treatment_plans.get()
    staff = _client(alpha, "dentist").get(f"/app/treatment-plans/{plan.pk}/")
    html = staff.content.decode()
    assert ">Planned<" in html or "Planned ·" in html or "Planned</td>" in html
    assert ">planned<" not in html
    assert "(Patient)" in html
    assert "(patient)" not in html
    portal = _client(alpha, "patient").get(f"/portal/treatment-plans/{plan.pk}/")
    assert "Planned" in portal.content.decode()
    assert ">planned<" not in portal.content.decode()
