"""The dental endpoints x every role: allowed or refused (the convention of
tests/test_api_matrix.py: a patient gets 403 on their own record's chart and
404 on anyone else's)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from http import HTTPStatus
from typing import Any

import pytest
from django_tenants.utils import schema_context

from chairside.dental.models import (
    ChartEntry,
    FeeSchedule,
    ProcedureCode,
)
from chairside.patients.models import Patient
from tests.world_clinical import world_patient

pytestmark = pytest.mark.django_db

ROLES = ("admin", "dentist", "receptionist", "patient")
EVERYONE = set(ROLES)
STAFF = {"admin", "dentist", "receptionist"}
CLINICAL = {"admin", "dentist"}
ADMIN = {"admin"}


@dataclass
class World:
    clinic: Any
    own: Patient
    other: Patient
    code: ProcedureCode
    schedule: FeeSchedule
    entry: ChartEntry


@pytest.fixture
def world(alpha) -> World:
    with schema_context(alpha.schema_name):
        own, other = world_patient(alpha), world_patient(alpha, "patient2")
        code = ProcedureCode.objects.create(
            code="M-EXAM",
            short_description="Exam",
            category="diagnostic",
            area="mouth",
            default_fee=Decimal("40.00"),
        )
        schedule = FeeSchedule.objects.create(name="Matrix")

        def entry() -> ChartEntry:
            return ChartEntry.objects.create(
                patient=other, kind="procedure", procedure_code=code,
                area="mouth", status="planned", fee=Decimal("40.00"),
            )  # fmt: skip

        return World(alpha, own, other, code, schedule, entry())


def _csv(w: World) -> str:
    return (
        "code,short_description,long_description,category,area,"
        "duration_minutes,fee,is_hygiene,triggers_recall,active\n"
        "M-EXAM,Exam,,diagnostic,mouth,20,40.00,false,false,true\n"
    )


@dataclass
class Case:
    method: str
    path: Callable[[World], str]
    allowed: set[str]
    body: Callable[[World], Any] | None = None
    refused: dict[str, int] = field(default_factory=dict)
    multipart: bool = False

    def __str__(self) -> str:
        return f"{self.method} {self.path.__name__}"


def p(template: str) -> Callable[[World], str]:
    def path(w: World) -> str:
        return template.format(w=w)

    path.__name__ = template
    return path


ENTRY = {"kind": "procedure", "procedure_code": "M-EXAM"}
CASES = [
    Case("get", p("/api/teeth?notation=palmer"), EVERYONE),
    Case("get", p("/api/procedure-codes"), STAFF),
    Case(
        "post",
        p("/api/procedure-codes"),
        CLINICAL,
        lambda w: {
            "code": "NEW",
            "short_description": "New",
            "category": "other",
            "area": "tooth",
        },
    ),
    Case(
        "patch",
        p("/api/procedure-codes/{w.code.pk}"),
        CLINICAL,
        lambda w: {"short_description": "Exam, periodic"},
    ),
    Case(
        "patch",
        p("/api/procedure-codes/{w.code.pk}"),
        ADMIN,
        lambda w: {"default_fee": "41.00"},
    ),
    Case("post", p("/api/procedure-codes/import"), CLINICAL, _csv, multipart=True),
    Case("get", p("/api/fee-schedules"), STAFF),
    Case("post", p("/api/fee-schedules"), ADMIN, lambda w: {"name": "Plan X"}),
    Case(
        "put",
        p("/api/fee-schedules/{w.schedule.pk}/fees"),
        ADMIN,
        lambda w: {"fees": [{"procedure_code_id": w.code.pk, "fee": "30.00"}]},
    ),
    Case(
        "put",
        p("/api/patients/{w.other.pk}/fee-schedule"),
        ADMIN,
        lambda w: {"schedule_id": w.schedule.pk},
        refused={"patient": 404},
    ),
    Case("get", p("/api/patients/{w.own.pk}/chart"), STAFF),
    Case("get", p("/api/patients/{w.other.pk}/chart"), STAFF, refused={"patient": 404}),
    Case(
        "post",
        p("/api/patients/{w.own.pk}/chart/entries"),
        CLINICAL,
        lambda w: ENTRY,
    ),
    Case(
        "post",
        p("/api/patients/{w.other.pk}/chart/entries"),
        CLINICAL,
        lambda w: ENTRY,
        refused={"patient": 404},
    ),
    Case(
        "post",
        p("/api/chart-entries/{w.entry.pk}/complete"),
        CLINICAL,
        lambda w: {},
        refused={"patient": 404},
    ),
    Case(
        "post",
        p("/api/chart-entries/{w.entry.pk}/status"),
        CLINICAL,
        lambda w: {"status": "declined"},
        refused={"patient": 404},
    ),
    Case("get", p("/api/chart/settings"), EVERYONE),
    Case("put", p("/api/chart/settings"), ADMIN, lambda w: {"default_notation": "fdi"}),
    Case("put", p("/api/chart/settings/mine"), STAFF, lambda w: {"notation": None}),
    Case(
        "post",
        p("/api/chart-entries/{w.entry.pk}/invalidate"),
        CLINICAL,
        lambda w: {"reason": "Charted on the wrong patient"},
        refused={"patient": 404},
    ),
]


def call(client, case: Case, w: World):
    if case.multipart:
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("codes.csv", case.body(w).encode(), "text/csv")
        return client.client.post(case.path(w), {"file": upload}, **client._headers({}))
    method = getattr(client, case.method)
    if case.body is None:
        return method(case.path(w))
    return method(case.path(w), case.body(w))


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("role", [*ROLES, None], ids=lambda r: r or "anonymous")
def test_dental_endpoint_role_matrix(api, world, case, role):
    response = call(api(world.clinic, role), case, world)
    if role is None:
        assert response.status_code == HTTPStatus.UNAUTHORIZED
    elif role in case.allowed:
        assert response.status_code < 400, (role, str(case), response.json())
    else:
        expected = case.refused.get(role, HTTPStatus.FORBIDDEN)
        assert response.status_code == expected, (role, str(case), response.content)
        assert "error" in response.json()


def test_alpha_entries_are_invisible_from_beta(api, world, beta):
    client = api(beta, "admin")
    assert client.get(f"/api/patients/{world.other.pk}/chart").status_code in (
        HTTPStatus.NOT_FOUND,
        HTTPStatus.OK,  # beta may have its own patient with that id
    )
    with schema_context(beta.schema_name):
        assert not ChartEntry.objects.filter(pk=world.entry.pk).exists()
    response = client.post(
        f"/api/chart-entries/{world.entry.pk}/invalidate", {"reason": "x"}
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    codes = [c["code"] for c in client.get("/api/procedure-codes").json()]
    assert "M-EXAM" not in codes
