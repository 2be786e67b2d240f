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


# --- answers made outside ninja's handlers (chairside.core.api.as_json_error)

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# ninja's own views (the docs, the schema, the API root) take any method.
NINJA_OWN_VIEWS = {"api-root", "openapi-json", "openapi-view"}


def _routes(ninja_api):
    """(request path, allowed methods) of every route of `ninja_api`, the
    methods read from its OpenAPI schema."""
    import re

    paths = ninja_api.get_openapi_schema(path_prefix="/api/")["paths"]
    patterns, _app, _namespace = ninja_api.urls
    for pattern in patterns:
        if pattern.name in NINJA_OWN_VIEWS:
            continue
        route = "/api/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
        assert route in paths, f"{route} is not in the OpenAPI schema"
        allowed = {method.upper() for method in paths[route]}
        yield re.sub(r"\{\w+\}", "1", route), allowed


@pytest.mark.parametrize("which", ["clinic", "public"])
def test_every_route_answers_a_method_it_does_not_take_with_json_405(api, alpha, which):
    from config.api import clinic_api, public_api

    client = api(alpha) if which == "clinic" else api(None)
    ninja_api = clinic_api if which == "clinic" else public_api
    checked = 0
    for path, allowed in _routes(ninja_api):
        method = next(m for m in METHODS if m not in allowed)
        response = client.client.generic(method, path, **client._headers({}))
        assert_error_shape(
            response, HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed"
        )
        assert set(response["Allow"].split(", ")) == allowed, path
        assert response.json()["error"]["details"] == {
            "method": method,
            "allowed": sorted(allowed),
        }
        checked += 1
    assert checked > (20 if which == "clinic" else 3)


def test_api_root_is_json_404(api, alpha):
    # ninja's root view raises Http404 outside its own handlers.
    assert_error_shape(api(alpha).get("/api/"), HTTPStatus.NOT_FOUND, "not_found")
    assert_error_shape(api(None).get("/api/"), HTTPStatus.NOT_FOUND, "not_found")


def test_a_trailing_slash_is_json_404_not_a_redirect(api, alpha):
    response = api(alpha, "receptionist").get("/api/teeth/")
    assert_error_shape(response, HTTPStatus.NOT_FOUND, "not_found")


def test_a_host_django_refuses_is_json_under_api(api, alpha):
    response = api(alpha).client.get("/api/teeth", HTTP_HOST="bad host!")
    assert response.status_code >= HTTPStatus.BAD_REQUEST
    assert_error_shape(response, response.status_code)


def test_form_body_on_a_json_endpoint_is_json_400(api, alpha):
    client = api(alpha, "admin")
    response = client.client.post(
        "/api/fee-schedules", {"name": "Form"}, **client._headers({})
    )
    assert_error_shape(response, HTTPStatus.BAD_REQUEST, "invalid_input")


def test_a_failing_middleware_is_json_500_without_traceback(api, alpha, monkeypatch):
    from django.test import Client

    import tenants.middleware

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(tenants.middleware, "clinic_for_hostname", boom)
    response = Client(raise_request_exception=False).get(
        "/api/teeth", HTTP_HOST=alpha.host
    )
    assert_error_shape(response, HTTPStatus.INTERNAL_SERVER_ERROR, "server_error")
    assert "secret internals" not in response.content.decode()
