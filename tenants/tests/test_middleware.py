from __future__ import annotations

from http import HTTPStatus

import pytest

from tenants.services import clinic_suspend

pytestmark = pytest.mark.django_db


def test_suspended_clinic_refuses_api_calls_with_clear_code(platform_admin, api, alpha):
    client = api(alpha, "admin")
    clinic_suspend(actor=platform_admin, clinic=alpha)

    response = client.get("/api/me")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["error"]["code"] == "clinic_suspended"


def test_suspended_clinic_refuses_pages(platform_admin, api, alpha):
    clinic_suspend(actor=platform_admin, clinic=alpha)
    response = api(alpha).get("/accounts/login/")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "suspended" in response.content.decode()


def test_suspended_clinic_still_answers_health_checks(platform_admin, api, alpha):
    clinic_suspend(actor=platform_admin, clinic=alpha)
    assert api(alpha).get("/health/live").status_code == HTTPStatus.OK


def test_suspension_of_one_clinic_leaves_the_other_alone(
    platform_admin, api, alpha, beta
):
    clinic_suspend(actor=platform_admin, clinic=alpha)
    assert api(beta, "admin").get("/api/me").status_code == HTTPStatus.OK


def test_unknown_clinic_host_is_a_json_404_on_the_api(api):
    client = api(None)
    client.host = "nowhere.localhost"
    response = client.get("/api/me")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["error"]["code"] == "not_found"
