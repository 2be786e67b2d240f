"""Tests on the local Citus cluster (coordinator + two workers).

`make test-cluster` (scripts/citus_cluster test) starts the cluster with a
fresh database and runs these with DATABASE_URL at the coordinator and
CHAIRSIDE_CITUS=1. Anywhere else (the plain suite) they are skipped, saying
how to run them; without the Citus source archive they are skipped with the
script's reason.

The session uses the cluster's database as it is, instead of the test
database pytest-django would create: a database created through the
coordinator is a plain one, without Citus or the workers. The world is the
suite's fixed one (clinics alpha and beta, conftest._build_world), provisioned
on the cluster, so alpha and beta are distributed schemas. What the tests
write is committed; the cluster is thrown away afterwards.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connection

HERE = Path(__file__).resolve().parent


def _skip_reason() -> str | None:
    if os.environ.get("CITUS_CLUSTER_UNAVAILABLE"):
        return os.environ["CITUS_CLUSTER_UNAVAILABLE"]
    if os.environ.get("CHAIRSIDE_CITUS") != "1" or not os.environ.get(
        "CITUS_CLUSTER_URL"
    ):
        return "needs the local Citus cluster: make test-cluster"
    return None


def pytest_collection_modifyitems(config, items) -> None:
    reason = _skip_reason()
    if reason is None:
        return
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker):
    from django.conf import settings
    from django.core.management import call_command

    from conftest import _build_world
    from tenants.schema_engine import citus
    from tests.world_clinical import build_clinical_world

    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'")
            if not cursor.fetchone() or not settings.CLINIC_CITUS:
                pytest.exit("tests/cluster run against a database without Citus")
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        citus.cluster_prepare()
        _build_world()
        build_clinical_world()
        connection.set_schema_to_public()


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Database access outside a test transaction: what the test writes is
    committed (the cluster is fresh per run)."""
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()


# The suite's alpha and beta fixtures take `db` (a transaction rolled back
# after the test); here the app server in another process must see what
# the test writes, so they come outside any transaction.
@pytest.fixture
def alpha(committed):
    from tenants.models import Clinic

    return Clinic.objects.get(slug="alpha")


@pytest.fixture
def beta(committed):
    from tenants.models import Clinic

    return Clinic.objects.get(slug="beta")
