from __future__ import annotations

from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/health/live", "/health/ready"])
def test_health_endpoints_answer_on_public_and_clinic_hosts(client, alpha, path):
    for host in ("localhost", alpha.host):
        response = client.get(path, HTTP_HOST=host, HTTP_ACCEPT="application/json")
        assert response.status_code == HTTPStatus.OK, (host, response.content)


def test_ready_reports_the_database(client):
    response = client.get(
        "/health/ready", HTTP_HOST="localhost", HTTP_ACCEPT="application/json"
    )
    assert any("Database" in name for name in response.json())
