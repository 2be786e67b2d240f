"""Provisioning by copying a template schema (tenants.schema_engine.schema_clone).

Alpha's schema stands in for the template here, so the tests can damage it
inside their rolled-back transaction: a copy must have the
same tables, constraints, indexes and triggers, by name, and provisioning
must stay all-or-nothing.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from chairside.accounts.models import User
from tenants import services
from tenants.models import Clinic, Domain
from tenants.schema_engine import schema_clone, spare_pool
from tenants.tests.catalog import provision_gamma

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha_as_template(alpha, settings):
    settings.CLINIC_TEMPLATE_SCHEMA = alpha.schema_name
    # A signup here must copy the template, not rename a spare.
    spare_pool.spare_pool_empty()
    schema_clone.forget_cached_scripts()
    yield alpha.schema_name
    schema_clone.forget_cached_scripts()


def _catalog(schema: str) -> dict[str, set]:
    queries = {
        "tables": "SELECT relname FROM pg_class WHERE relnamespace = %s::regnamespace"
        " AND relkind = 'r'",
        "indexes": "SELECT relname FROM pg_class WHERE relnamespace = %s::regnamespace"
        " AND relkind = 'i'",
        "constraints": "SELECT conname || ':' || contype::text FROM pg_constraint"
        " WHERE connamespace = %s::regnamespace",
        "triggers": "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid ="
        " t.tgrelid WHERE c.relnamespace = %s::regnamespace AND NOT t.tgisinternal",
        "columns": "SELECT c.relname || '.' || a.attname || ':' ||"
        " format_type(a.atttypid, a.atttypmod) || ':' || a.attnotnull::text || ':'"
        " || a.attidentity::text"
        " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
        " WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'r'"
        " AND a.attnum > 0 AND NOT a.attisdropped",
    }
    out = {}
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            cursor.execute(sql, [schema])
            out[name] = {row[0] for row in cursor.fetchall()}
    return out


def test_the_template_counts_as_current_only_when_fully_migrated(alpha_as_template):
    assert schema_clone.template_is_current()
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{alpha_as_template}".django_migrations'  # noqa: S608
            " WHERE app = 'accounts'"
        )
    assert not schema_clone.template_is_current()


def test_a_provisioned_clinic_is_an_exact_structural_copy(alpha_as_template):
    clinic, owner = provision_gamma()

    assert _catalog(clinic.schema_name) == _catalog(alpha_as_template)
    with schema_context(clinic.schema_name):
        assert User.objects.get(pk=owner.pk).email == "owner@gamma.test"
        # Identity sequences continue after the copied rows.
        created = User.objects.create_user("later@gamma.test", "x" * 12)
        assert created.pk > owner.pk


def test_a_clone_failure_midway_leaves_no_schema_domain_or_user(
    alpha_as_template, monkeypatch
):
    def explode(**kwargs):
        assert schema_exists("clinic_gamma")  # the copy is there by now
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(services, "user_create", explode)
    with pytest.raises(RuntimeError):
        provision_gamma()

    connection.set_schema_to_public()
    assert not Clinic.objects.filter(slug="gamma").exists()
    assert not Domain.objects.filter(domain__startswith="gamma.").exists()
    assert not schema_exists("clinic_gamma")


def test_identifiers_are_quoted_by_psycopg_in_the_clone_script():
    from chairside.core.sql import quoted_name

    assert quoted_name("clinic_alpha") == '"clinic_alpha"'
    assert quoted_name('odd"name') == '"odd""name"'
