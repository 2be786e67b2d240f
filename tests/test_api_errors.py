"""Every error from /api/ has one JSON shape; no HTML, no stack traces."""

from __future__ import annotations

from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db


def assert_error_shape(response, status, code=None):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert isinstance(error["message"], str)
    assert error["message"]
    if code:
        assert error["code"] == code


def test_unknown_endpoint_is_json_404(api, alpha):
    assert_error_shape(api(alpha).get("/api/no/such/thing"), 404, "not_found")
    assert_error_shape(api(None).get("/api/no/such/thing"), 404, "not_found")


def test_missing_token_is_json_401(api, alpha):
    assert_error_shape(api(alpha).get("/api/me"), 401, "not_authenticated")


def test_malformed_json_is_json_error(api, alpha):
    response = api(alpha).client.post(
        "/api/auth/token",
        "{not json",
        content_type="application/json",
        HTTP_HOST=alpha.host,
    )
    assert response.status_code in (HTTPStatus.BAD_REQUEST, 422)
    assert "error" in response.json()


def test_validation_error_is_json_422(api, alpha):
    response = api(alpha).post("/api/auth/token", {"email": "not-an-email"})
    assert_error_shape(response, 422, "validation_failed")


def test_unexpected_exception_is_json_500_without_traceback(api, alpha, monkeypatch):
    from chairside.accounts import services

    def boom(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services, "tokens_obtain", boom)
    response = api(alpha).post(
        "/api/auth/token", {"email": "a@alpha.test", "password": "x"}
    )
    assert_error_shape(response, 500, "server_error")
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_openapi_schema_and_docs_are_served(api, alpha):
    schema = api(alpha).get("/api/openapi.json")
    assert schema.status_code == HTTPStatus.OK
    assert "/api/auth/token" in schema.json()["paths"]
    assert api(alpha).get("/api/docs").status_code == HTTPStatus.OK
