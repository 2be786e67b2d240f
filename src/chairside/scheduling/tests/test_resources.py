"""Dentists (with hours and days off) and chairs: admin CRUD."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from tests.world_clinical import world_chair, world_dentist

pytestmark = pytest.mark.django_db

DENTIST = {
    "first_name": "Nia",
    "last_name": "Enamel",
    "email": "Nia@Clinic.test",
    "specialty": "Endodontics",
    "license_number": "LIC-77",
    "working_hours": [
        {"weekday": 0, "start_time": "09:00", "end_time": "12:00"},
        {"weekday": 0, "start_time": "13:00", "end_time": "17:30"},
    ],
    "days_off": [{"date": "2027-01-11", "reason": "Conference"}],
}


def test_admin_creates_a_dentist_with_split_shift(api, alpha):
    response = api(alpha, "admin").post("/api/dentists", DENTIST)
    assert response.status_code == HTTPStatus.CREATED, response.json()
    body = response.json()
    assert body["email"] == "nia@clinic.test"
    assert body["working_hours"] == [
        {"weekday": 0, "start_time": "09:00", "end_time": "12:00"},
        {"weekday": 0, "start_time": "13:00", "end_time": "17:30"},
    ]


@pytest.mark.parametrize(
    "shifts",
    [
        [{"weekday": 0, "start_time": "09:00", "end_time": "12:00"},
         {"weekday": 0, "start_time": "11:00", "end_time": "14:00"}],
        [{"weekday": 0, "start_time": "12:00", "end_time": "09:00"}],
        [{"weekday": 0, "start_time": "09:00+02:00", "end_time": "12:00"}],
        [{"weekday": 7, "start_time": "09:00", "end_time": "12:00"}],
    ],
)  # fmt: skip
def test_bad_shifts_are_refused(api, alpha, shifts):
    response = api(alpha, "admin").post(
        "/api/dentists", {**DENTIST, "working_hours": shifts}
    )
    assert response.status_code in (HTTPStatus.BAD_REQUEST, 422)


def test_license_and_email_are_unique(api, alpha):
    client = api(alpha, "admin")
    client.post("/api/dentists", DENTIST)
    same_license = client.post("/api/dentists", {**DENTIST, "email": "x@clinic.test"})
    assert same_license.json()["error"]["code"] == "dentist_license_taken"
    same_email = client.post("/api/dentists", {**DENTIST, "license_number": "LIC-78"})
    assert same_email.json()["error"]["code"] == "dentist_email_taken"


def test_patch_replaces_hours_only_when_sent(api, alpha):
    dentist = world_dentist(alpha)
    client = api(alpha, "admin")
    kept = client.patch(f"/api/dentists/{dentist.pk}", {"specialty": "Surgery"}).json()
    assert len(kept["working_hours"]) == 10
    replaced = client.patch(
        f"/api/dentists/{dentist.pk}",
        {"working_hours": [{"weekday": 2, "start_time": "10:00", "end_time": "11:00"}]},
    ).json()
    assert replaced["working_hours"] == [
        {"weekday": 2, "start_time": "10:00", "end_time": "11:00"}
    ]


def test_delete_deactivates_and_inactive_dentists_are_not_bookable(api, alpha):
    dentist = world_dentist(alpha, "dentist2")
    client = api(alpha, "admin")
    assert client.delete(f"/api/dentists/{dentist.pk}").status_code == 204
    active = [d["id"] for d in client.get("/api/dentists").json()["items"]]
    assert dentist.pk not in active
    assert client.get(f"/api/dentists/{dentist.pk}").json()["is_active"] is False
    slots = client.get(
        f"/api/availability?dentist={dentist.pk}&from=2027-01-06&to=2027-01-07"
    ).json()
    assert slots == []


def test_chairs_crud(api, alpha):
    client = api(alpha, "admin")
    created = client.post("/api/chairs", {"name": "Chair 3"})
    assert created.status_code == HTTPStatus.CREATED
    duplicate = client.post("/api/chairs", {"name": "Chair 3"})
    assert duplicate.json()["error"]["code"] == "chair_name_taken"
    chair = world_chair(alpha, "Chair 2")
    renamed = client.put(f"/api/chairs/{chair.pk}", {"name": "Window chair"}).json()
    assert renamed["name"] == "Window chair"
    assert client.delete(f"/api/chairs/{chair.pk}").status_code == 204
    names = [c["name"] for c in client.get("/api/chairs").json()["items"]]
    assert names == ["Chair 1", "Chair 3"]
    assert client.get("/api/chairs?active=false").json()["items"][0]["name"] == (
        "Window chair"
    )
