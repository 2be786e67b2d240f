"""Isolation between clinics beyond the database: cache, cookies, schemas."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django_tenants.utils import schema_context

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_cache_key_set_in_one_clinic_is_a_miss_in_another(alpha, beta):
    with schema_context(alpha.schema_name):
        cache.set("isolation-probe", "alpha-secret", 30)
        assert cache.get("isolation-probe") == "alpha-secret"
    with schema_context(beta.schema_name):
        assert cache.get("isolation-probe") is None
    with schema_context("public"):
        assert cache.get("isolation-probe") is None
    with schema_context(alpha.schema_name):
        cache.delete("isolation-probe")


def test_session_cookie_is_host_only_and_useless_at_another_clinic(client, alpha, beta):
    response = client.post(
        "/accounts/login/",
        {"login": "receptionist@alpha.test", "password": PASSWORD},
        HTTP_HOST=alpha.host,
    )
    assert response.status_code == HTTPStatus.FOUND
    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["domain"] == ""  # host-only: never sent to siblings
    assert session_cookie["httponly"]

    # Signed in at alpha: the start page sends staff on to their dashboard.
    at_alpha = client.get("/", HTTP_HOST=alpha.host)
    assert at_alpha.status_code == HTTPStatus.FOUND

    # The same cookie replayed at beta is anonymous there.
    at_beta = client.get("/", HTTP_HOST=beta.host)
    assert at_beta.status_code == HTTPStatus.OK
    assert not at_beta.wsgi_request.user.is_authenticated


def test_csrf_cookie_is_host_only(client, alpha):
    response = client.get("/accounts/login/", HTTP_HOST=alpha.host)
    assert response.cookies[settings.CSRF_COOKIE_NAME]["domain"] == ""


def _tables_in(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            [schema],
        )
        return {row[0] for row in cursor.fetchall()}


def tenant_only_models():
    shared = set(settings.SHARED_APPS)
    return [
        model
        for app in settings.TENANT_APPS
        if app not in shared
        for model in apps.get_app_config(app.rsplit(".", 1)[-1]).get_models()
        # Unmanaged and proxy models (pghistory's Events, a query over the
        # event tables) have no table of their own.
        if model._meta.managed and not model._meta.proxy
    ]


def test_tenant_only_tables_never_exist_in_the_public_schema(alpha):
    public_tables = _tables_in("public")
    clinic_tables = _tables_in(alpha.schema_name)
    for model in tenant_only_models():
        table = model._meta.db_table
        assert table in clinic_tables
        assert table not in public_tables


def test_clinic_schemas_do_not_hold_platform_tables(alpha):
    clinic_tables = _tables_in(alpha.schema_name)
    assert "tenants_clinic" not in clinic_tables
    assert "tenants_domain" not in clinic_tables
