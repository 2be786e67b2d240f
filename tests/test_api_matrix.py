"""Every clinical endpoint x every role: allowed or refused, plus
cross-clinic and cross-patient access, plus list query counts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from chairside.patients.models import Patient
from chairside.scheduling.models import Appointment, Chair, Dentist
from tests.world_clinical import clinic_dt, world_chair, world_dentist, world_patient

pytestmark = pytest.mark.django_db

ROLES = ("admin", "dentist", "receptionist", "patient")
STAFF = {"admin", "dentist", "receptionist"}
EVERYONE = set(ROLES)
ADMIN = {"admin"}


@dataclass
class World:
    clinic: Any
    own: Patient  # patient@'s record
    other: Patient  # patient2@'s record
    own_appointment: Appointment
    other_appointment: Appointment
    dentist: Dentist
    chair: Chair


@pytest.fixture
def world(alpha) -> World:
    with schema_context(alpha.schema_name):
        own, other = world_patient(alpha), world_patient(alpha, "patient2")
        dentist, chair = world_dentist(alpha), world_chair(alpha)
        make = Appointment.objects.create
        own_appt = make(
            patient=own,
            dentist=dentist,
            chair=chair,
            starts_at=clinic_dt(alpha, "2027-01-06 10:00"),
        )
        other_appt = make(
            patient=other,
            dentist=dentist,
            chair=chair,
            starts_at=clinic_dt(alpha, "2027-01-06 11:00"),
        )
    return World(alpha, own, other, own_appt, other_appt, dentist, chair)


def _patient_body(w: World, email: str = "m@x.test") -> dict:
    return {"first_name": "M", "last_name": "N", "email": email}


def _appointment_body(w: World, wall: str = "2027-01-07 15:00") -> dict:
    return {
        "patient_id": w.own.pk,
        "dentist_id": w.dentist.pk,
        "appointment_date": clinic_dt(w.clinic, wall).isoformat(),
    }


def _put_appointment(w: World) -> dict:
    return {
        **_appointment_body(w, "2027-01-07 16:00"),
        "chair_id": w.chair.pk,
        "status": "confirmed",
    }


@dataclass
class Case:
    method: str
    path: Callable[[World], str]
    allowed: set[str]
    body: Callable[[World], dict] | None = None
    # Refusal for roles outside `allowed`: 403, or 404 where the object is
    # someone else's (existence is not confirmed).
    refused: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.path.__name__}"


def p(template: str) -> Callable[[World], str]:
    def path(w: World) -> str:
        return template.format(w=w)

    path.__name__ = template
    return path


CASES = [
    Case("get", p("/api/patients"), STAFF),
    Case("post", p("/api/patients"), STAFF, _patient_body),
    Case("get", p("/api/patients/{w.own.pk}"), EVERYONE),
    Case("get", p("/api/patients/{w.other.pk}"), STAFF, refused={"patient": 404}),
    Case(
        "put",
        p("/api/patients/{w.own.pk}"),
        EVERYONE,
        lambda w: {**_patient_body(w, w.own.email), "phone": "+12025550101"},
    ),
    Case(
        "put",
        p("/api/patients/{w.other.pk}"),
        STAFF,
        lambda w: _patient_body(w, w.other.email),
        refused={"patient": 404},
    ),
    Case("patch", p("/api/patients/{w.own.pk}"), EVERYONE, lambda w: {"address": "A"}),
    Case(
        "patch",
        p("/api/patients/{w.other.pk}"),
        STAFF,
        lambda w: {"address": "A"},
        refused={"patient": 404},
    ),
    Case("delete", p("/api/patients/{w.own.pk}"), ADMIN),
    Case("delete", p("/api/patients/{w.other.pk}"), ADMIN, refused={"patient": 404}),
    Case(
        "post", p("/api/patients/{w.other.pk}/erase"), ADMIN, refused={"patient": 404}
    ),
    Case("get", p("/api/appointments"), EVERYONE),
    Case("post", p("/api/appointments"), EVERYONE, _appointment_body),
    Case("get", p("/api/appointments/{w.own_appointment.pk}"), EVERYONE),
    Case(
        "get",
        p("/api/appointments/{w.other_appointment.pk}"),
        STAFF,
        refused={"patient": 404},
    ),
    Case(
        "put", p("/api/appointments/{w.own_appointment.pk}"), EVERYONE, _put_appointment
    ),
    Case(
        "put",
        p("/api/appointments/{w.other_appointment.pk}"),
        STAFF,
        _put_appointment,
        refused={"patient": 404},
    ),
    Case(
        "patch",
        p("/api/appointments/{w.own_appointment.pk}"),
        EVERYONE,
        lambda w: {"status": "confirmed"},
    ),
    Case(
        "patch",
        p("/api/appointments/{w.other_appointment.pk}"),
        STAFF,
        lambda w: {"status": "confirmed"},
        refused={"patient": 404},
    ),
    Case("delete", p("/api/appointments/{w.own_appointment.pk}"), EVERYONE),
    Case(
        "delete",
        p("/api/appointments/{w.other_appointment.pk}"),
        STAFF,
        refused={"patient": 404},
    ),
    Case("get", p("/api/availability?from=2027-01-06&to=2027-01-07"), EVERYONE),
    Case("get", p("/api/dentists"), EVERYONE),
    Case("get", p("/api/dentists/{w.dentist.pk}"), EVERYONE),
    Case(
        "post",
        p("/api/dentists"),
        ADMIN,
        lambda w: {"first_name": "N", "last_name": "D", "email": "nd@x.test"},
    ),
    Case(
        "put",
        p("/api/dentists/{w.dentist.pk}"),
        ADMIN,
        lambda w: {"first_name": "N", "last_name": "D", "email": w.dentist.email},
    ),
    Case(
        "patch", p("/api/dentists/{w.dentist.pk}"), ADMIN, lambda w: {"specialty": "X"}
    ),
    Case("delete", p("/api/dentists/{w.dentist.pk}"), ADMIN),
    Case("get", p("/api/chairs"), EVERYONE),
    Case("get", p("/api/chairs/{w.chair.pk}"), EVERYONE),
    Case("post", p("/api/chairs"), ADMIN, lambda w: {"name": "Chair 9"}),
    Case("put", p("/api/chairs/{w.chair.pk}"), ADMIN, lambda w: {"name": "Chair 1b"}),
    Case("patch", p("/api/chairs/{w.chair.pk}"), ADMIN, lambda w: {"is_active": True}),
    Case("delete", p("/api/chairs/{w.chair.pk}"), ADMIN),
    Case("get", p("/api/audit"), ADMIN),
]


def _call(client, case: Case, w: World):
    method = getattr(client, case.method)
    if case.body is None:
        return method(case.path(w))
    return method(case.path(w), case.body(w))


@pytest.fixture
def frozen_clock():
    with time_machine.travel("2027-01-05T12:00:00Z", tick=True):
        yield


@pytest.mark.usefixtures("frozen_clock")
@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("role", [*ROLES, None], ids=lambda r: r or "anonymous")
def test_endpoint_role_matrix(api, world, case, role):
    response = _call(api(world.clinic, role), case, world)
    if role is None:
        assert response.status_code == HTTPStatus.UNAUTHORIZED
    elif role in case.allowed:
        assert response.status_code < 400, (role, str(case), response.json())
    else:
        expected = case.refused.get(role, HTTPStatus.FORBIDDEN)
        assert response.status_code == expected, (role, str(case), response.content)
        assert "error" in response.json()


# --- cross-clinic ------------------------------------------------------------


@pytest.mark.usefixtures("frozen_clock")
def test_alpha_token_on_beta_host_is_401(api, alpha, beta):
    token = api(alpha, "admin").token
    client = api(beta)
    client.token = token
    for path in ("/api/patients", "/api/appointments", "/api/audit", "/api/dentists"):
        assert client.get(path).status_code == HTTPStatus.UNAUTHORIZED


@pytest.mark.usefixtures("frozen_clock")
def test_alpha_cannot_reach_beta_ids(api, alpha, beta):
    with schema_context(beta.schema_name):
        beta_patient = Patient.objects.create(
            first_name="B", last_name="Only", email="b-only@x.test"
        )
        beta_appt = Appointment.objects.create(
            patient=beta_patient,
            dentist=world_dentist(beta),
            chair=world_chair(beta),
            starts_at=datetime(2027, 1, 6, 9, tzinfo=UTC),
        )
    with schema_context(alpha.schema_name):
        assert not Patient.objects.filter(pk=beta_patient.pk).exists()
        assert not Appointment.objects.filter(pk=beta_appt.pk).exists()
    client = api(alpha, "admin")
    for path in (
        f"/api/patients/{beta_patient.pk}",
        f"/api/appointments/{beta_appt.pk}",
    ):
        for method in (client.get, client.patch, client.delete):
            response = method(path)
            assert response.status_code == HTTPStatus.NOT_FOUND
            assert "Only" not in response.content.decode()
    names = [p["last_name"] for p in client.get("/api/patients?q=only").json()["items"]]
    assert names == []


def test_patient_lists_only_own_appointments(api, world):
    client = api(world.clinic, "patient")
    ids = {a["id"] for a in client.get("/api/appointments").json()["items"]}
    assert ids == {world.own_appointment.pk}
    # Filters cannot widen it.
    widened = client.get(f"/api/appointments?patient={world.other.pk}").json()
    assert widened["items"] == []


def test_dentist_defaults_to_own_appointments(api, world, alpha):
    with schema_context(alpha.schema_name):
        theirs = Appointment.objects.create(
            patient=world.other,
            dentist=world_dentist(alpha, "dentist2"),
            chair=world_chair(alpha, "Chair 2"),
            starts_at=clinic_dt(alpha, "2027-01-06 10:00"),
        )
    client = api(alpha, "dentist")
    own = {a["id"] for a in client.get("/api/appointments").json()["items"]}
    assert theirs.pk not in own
    assert world.own_appointment.pk in own
    everyone = {
        a["id"] for a in client.get("/api/appointments?scope=all").json()["items"]
    }
    assert theirs.pk in everyone


def test_appointment_list_filters_and_order(api, world, alpha):
    client = api(alpha, "receptionist")
    items = client.get(
        f"/api/appointments?patient={world.other.pk}&status=scheduled&from=2027-01-06&to=2027-01-06"
    ).json()["items"]
    assert [a["id"] for a in items] == [world.other_appointment.pk]
    newest_first = client.get("/api/appointments?ordering=-appointment_date").json()[
        "items"
    ]
    assert [a["id"] for a in newest_first][:2] == [
        world.other_appointment.pk,
        world.own_appointment.pk,
    ]
    assert (
        client.get(f"/api/appointments?chair={world.chair.pk}&status=cancelled").json()[
            "count"
        ]
        == 0
    )


# --- query counts ------------------------------------------------------------


def _seed_many(clinic, n: int) -> None:
    with schema_context(clinic.schema_name):
        patients = Patient.objects.bulk_create(
            Patient(first_name=f"P{i}", last_name=f"Many{i}", email=f"many{i}@x.test")
            for i in range(n)
        )
        dentist, chair = world_dentist(clinic), world_chair(clinic)
        base = clinic_dt(clinic, "2027-02-01 09:00")
        for i, patient in enumerate(patients):
            Appointment.objects.create(
                patient=patient,
                dentist=dentist,
                chair=chair,
                starts_at=base + timedelta(hours=i),
            )
        for i in range(n):
            Chair.objects.create(name=f"Many chair {i}")
            Dentist.objects.create(
                first_name="D", last_name=f"{i}", email=f"d{i}@x.test"
            )


@pytest.mark.parametrize(
    "path",
    [
        "/api/patients",
        "/api/appointments",
        "/api/dentists",
        "/api/chairs",
        "/api/audit",
    ],
)
def test_list_query_count_does_not_grow_with_page_size(api, alpha, path):
    _seed_many(alpha, 30)
    client = api(alpha, "admin")
    counts = []
    for limit in (2, 30):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{path}?limit={limit}")
        assert response.status_code == HTTPStatus.OK
        assert len(response.json()["items"]) == limit
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 8, counts


def test_patient_list_is_bounded(api, alpha, django_assert_max_num_queries):
    _seed_many(alpha, 30)
    client = api(alpha, "receptionist")
    with django_assert_max_num_queries(6):
        client.get("/api/patients?limit=200")
    assert client.get("/api/patients?limit=201").status_code == 422
