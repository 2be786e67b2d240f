"""Every treatment-plan endpoint x every role: allowed or refused; another
patient's plan is not found on every endpoint; an error answer writes
nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import pytest
import time_machine
from django_tenants.utils import tenant_context

from chairside.dental.models import ChartEntry
from chairside.treatment import services
from chairside.treatment.models import PlanAcceptance, PlanItem, TreatmentPlan
from chairside.treatment.tests.conftest import (
    catalogue,  # noqa: F401  (fixture)
    plan_three,
    signature_data_url,
)
from conftest import world_user
from tests.world_clinical import clinic_dt, world_dentist, world_patient

pytestmark = pytest.mark.django_db

ROLES = ("admin", "dentist", "receptionist", "patient")
STAFF = {"admin", "dentist", "receptionist"}
CLINICAL = {"admin", "dentist"}
EVERYONE = set(ROLES)


@dataclass
class World:
    clinic: Any
    draft: TreatmentPlan
    presented: TreatmentPlan
    accepted: TreatmentPlan  # accepted, phase 1 booked
    appointment: Any
    other: TreatmentPlan  # patient2's, presented
    dentist_id: int
    draft_item_id: int


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2027-01-05T12:00:00Z", tick=True):
        yield


@pytest.fixture
def world(alpha, catalogue) -> World:  # noqa: F811
    dentist = world_user(alpha, "dentist")
    draft = plan_three(alpha, catalogue)
    with tenant_context(alpha):
        draft_item_id = draft.items.order_by("id").first().pk
        presented = services.plan_create(actor=dentist, patient_id=draft.patient_id)
        accepted = services.plan_create(actor=dentist, patient_id=draft.patient_id)
        for plan in (presented, accepted):
            services.plan_item_add(
                actor=dentist, plan_id=plan.pk, procedure_code="T-CROWN", tooth="11"
            )
            services.plan_item_add(
                actor=dentist, plan_id=plan.pk, phase=2, procedure_code="T-EXAM"
            )
            services.plan_present(actor=dentist, plan_id=plan.pk)
        accepted.refresh_from_db()
        services.plan_accept(
            actor=dentist,
            plan_id=accepted.pk,
            snapshot_hash=accepted.snapshot_hash,
            signer_name="Pat One",
        )
        appointment = services.plan_phase_book(
            actor=dentist,
            plan_id=accepted.pk,
            phase=1,
            dentist_id=world_dentist(alpha).pk,
            start=clinic_dt(alpha, "2027-01-08 10:00"),
        )
        other = services.plan_create(
            actor=dentist, patient_id=world_patient(alpha, "patient2").pk
        )
        services.plan_item_add(actor=dentist, plan_id=other.pk, procedure_code="T-EXAM")
        services.plan_present(actor=dentist, plan_id=other.pk)
        for plan in (presented, other):
            plan.refresh_from_db()
    return World(
        alpha,
        draft,
        presented,
        accepted,
        appointment,
        other,
        world_dentist(alpha).pk,
        draft_item_id,
    )


@dataclass
class Case:
    method: str
    path: Callable[[World], str]
    allowed: set[str]
    body: Callable[[World], dict] | None = None
    refused: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.path.__name__}"


def p(template: str) -> Callable[[World], str]:
    def path(w: World) -> str:
        return template.format(w=w)

    path.__name__ = template
    return path


def _accept(w: World) -> dict:
    return {
        "snapshot_hash": w.presented.snapshot_hash,
        "signature": signature_data_url(),
    }


def _book(w: World) -> dict:
    return {
        "dentist_id": w.dentist_id,
        "appointment_date": clinic_dt(w.clinic, "2027-01-11 10:00").isoformat(),
    }


HIDDEN = {"patient": 404}  # a draft is not shown to the patient
CASES = [
    Case("get", p("/api/patients/{w.draft.patient_id}/treatment-plans"), EVERYONE),
    Case(
        "post",
        p("/api/patients/{w.draft.patient_id}/treatment-plans"),
        CLINICAL,
    ),
    Case("get", p("/api/treatment-plans/{w.presented.pk}"), EVERYONE),
    Case("get", p("/api/treatment-plans/{w.draft.pk}"), STAFF, refused=HIDDEN),
    Case(
        "patch",
        p("/api/treatment-plans/{w.draft.pk}"),
        CLINICAL,
        lambda w: {"items": [{"id": w.draft_item_id, "phase": 3}]},
        refused=HIDDEN,
    ),
    Case(
        "post",
        p("/api/treatment-plans/{w.draft.pk}/items"),
        CLINICAL,
        lambda w: {"procedure_code": "T-EXAM", "phase": 2},
        refused=HIDDEN,
    ),
    Case(
        "delete",
        p("/api/treatment-plans/{w.draft.pk}/items/{w.draft_item_id}"),
        CLINICAL,
        refused=HIDDEN,
    ),
    Case(
        "post", p("/api/treatment-plans/{w.draft.pk}/present"), CLINICAL, refused=HIDDEN
    ),
    Case("post", p("/api/treatment-plans/{w.presented.pk}/accept"), EVERYONE, _accept),
    Case(
        "post",
        p("/api/treatment-plans/{w.presented.pk}/decline"),
        EVERYONE,
        lambda w: {"snapshot_hash": w.presented.snapshot_hash},
    ),
    Case("post", p("/api/treatment-plans/{w.presented.pk}/revise"), CLINICAL),
    Case("post", p("/api/treatment-plans/{w.accepted.pk}/phases/2/book"), STAFF, _book),
    Case(
        "post",
        p("/api/appointments/{w.appointment.pk}/complete-procedures"),
        CLINICAL,
        lambda w: {},
    ),
    Case("get", p("/api/treatment-plans/{w.presented.pk}/estimate.pdf"), EVERYONE),
]


def _call(client, method: str, path: str, body: dict | None):
    call = getattr(client, method)
    return call(path) if body is None else call(path, body)


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("role", [*ROLES, None], ids=lambda r: r or "anonymous")
def test_treatment_endpoint_role_matrix(api, world, case, role):
    body = case.body(world) if case.body else None
    response = _call(api(world.clinic, role), case.method, case.path(world), body)
    if role is None:
        assert response.status_code == HTTPStatus.UNAUTHORIZED
    elif role in case.allowed:
        assert response.status_code < 400, (role, str(case), response.content[:300])
    else:
        expected = case.refused.get(role, HTTPStatus.FORBIDDEN)
        assert response.status_code == expected, (role, str(case), response.content)
        assert "error" in response.json()


OTHERS = [
    ("get", "/api/treatment-plans/{id}", None),
    ("patch", "/api/treatment-plans/{id}", {"items": []}),
    ("post", "/api/treatment-plans/{id}/items", {"procedure_code": "T-EXAM"}),
    ("delete", "/api/treatment-plans/{id}/items/1", None),
    ("post", "/api/treatment-plans/{id}/present", None),
    ("post", "/api/treatment-plans/{id}/accept", "accept"),
    ("post", "/api/treatment-plans/{id}/decline", "decline"),
    ("post", "/api/treatment-plans/{id}/revise", None),
    ("post", "/api/treatment-plans/{id}/phases/1/book", "book"),
    ("get", "/api/treatment-plans/{id}/estimate.pdf", None),
]


def test_another_patients_plan_is_not_found_on_every_endpoint(api, world):
    client = api(world.clinic, "patient")
    bodies = {
        "accept": {"snapshot_hash": world.other.snapshot_hash, "signer_name": "Pat"},
        "decline": {"snapshot_hash": world.other.snapshot_hash},
        "book": _book(world),
    }
    for method, template, shape in OTHERS:
        body = bodies.get(shape, shape) if isinstance(shape, str) else shape
        response = _call(client, method, template.format(id=world.other.pk), body)
        assert response.status_code == HTTPStatus.NOT_FOUND, (method, template)
        assert "Sam" not in response.content.decode()
    response = client.get(f"/api/patients/{world.other.patient_id}/treatment-plans")
    assert response.status_code == HTTPStatus.NOT_FOUND
    with tenant_context(world.clinic):
        assert not PlanAcceptance.objects.filter(plan=world.other).exists()


def test_editing_a_presented_plan_answers_409(api, world):
    client = api(world.clinic, "dentist")
    response = client.post(
        f"/api/treatment-plans/{world.presented.pk}/items", {"procedure_code": "T-EXAM"}
    )
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["code"] == "treatment_plan_not_draft"


def test_accept_with_another_hash_is_refused_and_writes_nothing(api, world):
    client = api(world.clinic, "patient")
    response = client.post(
        f"/api/treatment-plans/{world.presented.pk}/accept",
        {"snapshot_hash": "a" * 64, "signature": signature_data_url()},
    )
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["code"] == "treatment_snapshot_mismatch"
    with tenant_context(world.clinic):
        assert not PlanAcceptance.objects.filter(plan=world.presented).exists()
        world.presented.refresh_from_db()
        assert world.presented.status == "presented"


def test_an_item_refused_by_the_chart_writes_nothing(api, world):
    """The item's chart entry is created before the place is refused? No:
    a refused request leaves no entry and no item behind."""
    client = api(world.clinic, "dentist")
    with tenant_context(world.clinic):
        entries, items = ChartEntry.objects.count(), PlanItem.objects.count()
    response = client.post(
        f"/api/treatment-plans/{world.draft.pk}/items",
        {"procedure_code": "T-COMP", "tooth": "16", "surfaces": ""},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    with tenant_context(world.clinic):
        assert (ChartEntry.objects.count(), PlanItem.objects.count()) == (
            entries,
            items,
        )


def test_visit_invoice_endpoint_bills_completed_procedures(api, world):
    dentist = api(world.clinic, "dentist")
    done = dentist.post(
        f"/api/appointments/{world.appointment.pk}/complete-procedures", {}
    )
    assert done.status_code == HTTPStatus.OK, done.content
    desk = api(world.clinic, "receptionist")
    assert api(world.clinic, "patient").post(
        f"/api/appointments/{world.appointment.pk}/invoice", {}
    ).status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND)
    response = desk.post(f"/api/appointments/{world.appointment.pk}/invoice", {})
    assert response.status_code == HTTPStatus.CREATED, response.content
    items = response.json()["items"]
    assert [(i["procedure_code"], i["tooth"], i["unit_price"]) for i in items] == [
        ("T-CROWN", "11", "900.00")
    ]
    again = desk.post(f"/api/appointments/{world.appointment.pk}/invoice", {})
    assert again.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.CONFLICT)


def test_estimate_pdf(api, world):
    response = api(world.clinic, "patient").get(
        f"/api/treatment-plans/{world.presented.pk}/estimate.pdf"
    )
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
