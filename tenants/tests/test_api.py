from __future__ import annotations

from http import HTTPStatus

import pytest
from django_tenants.utils import schema_exists

from conftest import PASSWORD
from tenants.models import Clinic

pytestmark = pytest.mark.django_db


def signup_payload(**overrides):
    return {
        "name": "Gamma Dental",
        "slug": "gamma",
        "owner_email": "owner@gamma.test",
        "owner_password": PASSWORD,
        "time_zone": "Europe/Paris",
        "currency": "EUR",
    } | overrides


def test_signup_creates_clinic_and_returns_its_url(api):
    response = api(None).post("/api/public/clinics", signup_payload(plan="practice"))

    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert body["slug"] == "gamma"
    assert body["url"] == "http://gamma.localhost"
    assert body["plan"] == "practice"
    assert schema_exists("clinic_gamma")


def test_new_owner_can_sign_in_at_the_new_clinic(api):
    api(None).post("/api/public/clinics", signup_payload())
    clinic = Clinic.objects.get(slug="gamma")

    response = api(clinic).post(
        "/api/auth/token", {"email": "owner@gamma.test", "password": PASSWORD}
    )
    assert response.status_code == HTTPStatus.OK
    me = api(clinic).get(
        "/api/me", HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}"
    )
    assert me.json()["role"] == "admin"
    assert me.json()["clinic"] == "gamma"


def test_reserved_slug_gets_a_clear_error(api):
    response = api(None).post("/api/public/clinics", signup_payload(slug="admin"))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["code"] == "slug_reserved"
    assert response.json()["error"]["details"] == {"field": "slug"}


def test_duplicate_slug_gets_409(api, alpha):
    response = api(None).post("/api/public/clinics", signup_payload(slug="alpha"))

    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["code"] == "slug_taken"


def test_missing_fields_get_422_with_their_location(api):
    response = api(None).post("/api/public/clinics", {"name": "Gamma"})

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    locations = {tuple(d["loc"][-1:]) for d in error["details"]}
    assert {("slug",), ("owner_email",), ("owner_password",)} <= locations


def test_signup_is_not_served_on_clinic_domains(api, alpha):
    response = api(alpha).post("/api/public/clinics", signup_payload())
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_plans_are_listed_with_decimal_prices(api):
    response = api(None).get("/api/public/plans")
    plans = {p["code"]: p for p in response.json()}
    assert plans["starter"]["monthly_price"] == "49.00"


def test_signup_form_shows_errors_inline(client):
    response = client.post(
        "/signup/",
        {
            "name": "Gamma",
            "slug": "www",
            "owner_first_name": "A",
            "owner_last_name": "B",
            "owner_email": "owner@gamma.test",
            "owner_password": PASSWORD,
            "time_zone": "UTC",
            "currency": "USD",
            "language": "en",
            "plan": "starter",
        },
        HTTP_HOST="localhost",
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "is reserved" in response.content.decode()
