"""Cached hostname → clinic resolution (tenants.schema_engine.resolution) and the
middleware's use of it: warm requests spend no statement on finding the
clinic, and suspending a clinic takes effect at once."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import connection

from tenants.schema_engine import resolution
from tenants.services import clinic_reactivate, clinic_suspend

pytestmark = pytest.mark.django_db


@pytest.fixture
def caching(local_caches):
    # Tests run inside a transaction, where nothing is cached; let the cache
    # store as it does for real requests (conftest.local_caches).
    return


def test_a_known_host_resolves_once_then_from_the_cache(
    alpha, caching, django_assert_num_queries
):
    with django_assert_num_queries(1):
        first = resolution.clinic_for_hostname(alpha.host)
    with django_assert_num_queries(0):
        second = resolution.clinic_for_hostname(alpha.host)
    assert first.pk == second.pk == alpha.pk
    assert first is not second  # each request gets its own copy


def test_unknown_hosts_are_not_remembered(caching, django_assert_num_queries):
    resolution.clinic_for_hostname("elsewhere.localhost")  # connection warmed up
    for _ in range(2):
        with django_assert_num_queries(1):
            assert resolution.clinic_for_hostname("nowhere.localhost") is None


def test_suspension_is_refused_at_once_despite_the_cache(api, alpha, caching):
    client = api(alpha, "admin")
    assert client.get("/api/me").status_code == HTTPStatus.OK
    resolution.clinic_for_hostname(alpha.host)  # warm

    clinic_suspend(clinic=alpha)
    response = client.get("/api/me")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["error"]["code"] == "clinic_suspended"

    clinic_reactivate(clinic=alpha)
    assert client.get("/api/me").status_code == HTTPStatus.OK


def test_a_warm_api_request_spends_no_statement_on_tenancy(
    api, alpha, caching, django_assert_max_num_queries
):
    client = api(alpha, "admin")
    client.get("/api/me")
    # Warm: what is left is the request's transaction (ATOMIC_REQUESTS: a
    # SAVEPOINT and its RELEASE inside the test's) — no domain lookup, no SET
    # search_path (sent past Django's cursor wrappers, so counted by the
    # backend).
    switches = connection.search_path_changes
    with django_assert_max_num_queries(2) as ctx:
        assert client.get("/api/me").status_code == HTTPStatus.OK
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "tenants_domain" not in sql
    assert connection.search_path_changes == switches


def test_a_schema_switch_carries_no_audit_context(alpha, django_assert_num_queries):
    """pghistory's cursor wrapper prefixes statements with its context; the
    backend's SET search_path goes past it (and so past query capture)."""
    import pghistory

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    switches = connection.search_path_changes
    with pghistory.context(note="x"), django_assert_num_queries(1) as ctx:
        connection.set_tenant(alpha)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_schemas(false)")
            assert cursor.fetchone()[0][0] == alpha.schema_name
    assert connection.search_path_changes == switches + 1
    assert "set_config" not in ctx.captured_queries[0]["sql"]


def test_nothing_is_cached_inside_a_transaction(alpha, django_assert_num_queries):
    resolution.clinic_cache_clear()
    resolution.clinic_for_hostname(alpha.host)
    with django_assert_num_queries(1):
        resolution.clinic_for_hostname(alpha.host)
