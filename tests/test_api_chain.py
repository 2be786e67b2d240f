"""The JSON API's shorter middleware chain (chairside.core.api_chain): what
it keeps, what it leaves to pages, and that a browser session never stands
in for a bearer token."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from conftest import world_user

pytestmark = pytest.mark.django_db


def test_api_answers_carry_the_security_headers_and_no_cookie(api, alpha):
    response = api(alpha, "receptionist").get("/api/me")
    assert response.status_code == HTTPStatus.OK
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Language"]
    assert not response.cookies  # no session, no CSRF cookie


def test_a_browser_session_does_not_authenticate_the_api(alpha):
    browser = Client(HTTP_HOST=alpha.host)
    with schema_context(alpha.schema_name):
        browser.force_login(world_user(alpha, "admin"))
    assert browser.get("/app/").status_code == HTTPStatus.OK  # the page chain
    response = browser.get("/api/me")
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["error"]["code"] == "not_authenticated"


def test_api_errors_speak_the_clinic_language(alpha):
    from tenants.models import Clinic

    # Inside the test's transaction the host -> clinic cache stores nothing.
    Clinic.objects.filter(pk=alpha.pk).update(default_language="es")
    response = Client(HTTP_HOST=alpha.host).get("/api/me")
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["Content-Language"] == "es"


def test_the_request_log_names_the_token_user(api, alpha, caplog):
    with caplog.at_level("INFO", logger="django_structlog"):
        api(alpha, "dentist").get("/api/me")
    finished = [r for r in caplog.records if "request_finished" in r.getMessage()]
    assert finished
    assert f"'user_id': {world_user(alpha, 'dentist').pk}," in finished[-1].getMessage()


def test_pages_keep_their_full_chain(alpha):
    response = Client(HTTP_HOST=alpha.host).get("/accounts/login/")
    assert response.status_code == HTTPStatus.OK
    assert "csrftoken" in response.cookies


def test_chains_built_in_many_threads_leave_the_page_chain_whole(alpha):
    """Test clients load their middleware on their first request, in their
    own thread (scheduling's concurrency test runs fifty at once). The API
    chain must be built without touching the shared settings: swapping them
    for a moment, interleaved across threads, once left MIDDLEWARE as the API
    list for good, and every later page without sessions."""
    import sys
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.conf import settings
    from django.db import connection

    original = list(settings.MIDDLEWARE)
    start = threading.Barrier(32)

    def first_request(_: int) -> None:
        try:
            client = Client(HTTP_HOST=alpha.host)
            start.wait(timeout=60)
            client.get("/health/live")
        finally:
            connection.close()

    # Switch threads as often as possible, so loads interleave.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(max_workers=32) as pool:
            list(pool.map(first_request, range(32)))
    finally:
        sys.setswitchinterval(interval)
    assert list(settings.MIDDLEWARE) == original
    response = Client(HTTP_HOST=alpha.host).get("/accounts/login/")
    assert response.status_code == HTTPStatus.OK
