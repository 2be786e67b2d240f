"""The staff plan pages and the portal's: the dentist plans and presents,
the patient signs in the portal (a drawn signature), the desk books phase 1;
another patient's plan is a 404 page."""

from __future__ import annotations

from http import HTTPStatus

import pytest
import time_machine
from django.test import Client
from django_tenants.utils import schema_context, tenant_context

from chairside.treatment.models import PlanAcceptance, PlanStatus, TreatmentPlan
from conftest import world_user
from tests.world_clinical import world_dentist, world_patient

from .conftest import signature_data_url

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


def test_plan_pages_walk(alpha, catalogue):
    patient = world_patient(alpha)
    dentist = _client(alpha, "dentist")
    response = dentist.post(f"/app/patients/{patient.pk}/treatment-plans/new/")
    assert response.status_code == HTTPStatus.FOUND
    plan_url = response["Location"]
    plan_id = int(plan_url.rstrip("/").rsplit("/", 1)[1])
    for code, tooth, surfaces, phase in (
        ("T-EXAM", "", "", 1),
        ("T-COMP", "16", "MOD", 1),
        ("T-CROWN", "36", "", 2),
    ):
        added = dentist.post(
            f"{plan_url}items/",
            {
                "procedure_code": code,
                "tooth": tooth,
                "surfaces": surfaces,
                "phase": phase,
            },
        )
        assert added.status_code == HTTPStatus.FOUND, added.content[:500]
    page = dentist.get(plan_url)
    assert page.status_code == HTTPStatus.OK
    assert "1070.00" in page.content.decode()
    refused = dentist.post(
        f"{plan_url}items/", {"procedure_code": "T-COMP", "tooth": "16", "phase": 1}
    )
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert dentist.post(f"{plan_url}present/").status_code == HTTPStatus.FOUND
    with tenant_context(alpha):
        plan = TreatmentPlan.objects.get(pk=plan_id)
    assert plan.status == PlanStatus.PRESENTED
    assert dentist.get(f"{plan_url}estimate.pdf").content.startswith(b"%PDF")

    portal = _client(alpha, "patient")
    assert (
        f"/portal/treatment-plans/{plan_id}/"
        in portal.get("/portal/treatment-plans/").content.decode()
    )
    shown = portal.get(f"/portal/treatment-plans/{plan_id}/")
    assert shown.status_code == HTTPStatus.OK
    assert 'id="signature-pad"' in shown.content.decode()
    items = [i["id"] for i in plan.snapshot["items"]]
    signed = portal.post(
        f"/portal/treatment-plans/{plan_id}/",
        {
            "snapshot_hash": plan.snapshot_hash,
            "item_ids": items,
            "signature": signature_data_url(),
        },
    )
    assert signed.status_code == HTTPStatus.FOUND
    with tenant_context(alpha):
        plan.refresh_from_db()
        assert plan.status == PlanStatus.ACCEPTED
        assert PlanAcceptance.objects.get(plan=plan).signature_kind == "drawn"

    other = _client(alpha, "patient2")
    assert other.get(f"/portal/treatment-plans/{plan_id}/").status_code == 404
    assert (
        other.get(f"/portal/treatment-plans/{plan_id}/estimate.pdf").status_code == 404
    )

    desk = _client(alpha, "receptionist")
    booked = desk.post(
        f"{plan_url}phases/1/book/",
        {"dentist": world_dentist(alpha).pk, "start": "2027-01-07T10:00"},
    )
    assert booked.status_code == HTTPStatus.FOUND
    with tenant_context(alpha):
        assert (
            plan.items.filter(phase=1, chart_entry__appointment__isnull=False).count()
            == 2
        )
    assert "Invoice this visit" in desk.get(plan_url).content.decode()


def test_portal_sign_with_a_stale_hash_is_refused(alpha, catalogue):
    from chairside.treatment import services

    from .conftest import plan_three

    plan = plan_three(alpha, catalogue)
    with tenant_context(alpha):
        services.plan_present(actor=world_user(alpha, "dentist"), plan_id=plan.pk)
    portal = _client(alpha, "patient")
    response = portal.post(
        f"/portal/treatment-plans/{plan.pk}/",
        {"snapshot_hash": "0" * 64, "signer_name": "Pat One"},
        follow=True,
    )
    assert "changed since it was shown" in response.content.decode()
    with tenant_context(alpha):
        assert not PlanAcceptance.objects.filter(plan=plan).exists()
