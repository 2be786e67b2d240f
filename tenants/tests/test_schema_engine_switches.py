"""Each part of tenants/schema_engine can be turned off by a setting
(tenants/schema_engine/README.md), and the app then works as stock
django-tenants would for that part."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_tenants.migration_executors.standard import StandardExecutor
from django_tenants.utils import schema_exists

from tenants.models import Clinic
from tenants.schema_engine import resolution, schema_clone, spare_pool
from tenants.schema_engine.migrate import PlanOnceExecutor, get_executor
from tenants.tests.catalog import provision_gamma

pytestmark = pytest.mark.django_db

SPARE = spare_pool.SPARE_PREFIX + "feedfacefeedface"


@pytest.fixture
def one_spare() -> str:
    spare_pool.spare_pool_empty()
    schema_clone.forget_cached_scripts()
    assert schema_clone.template_is_current()
    with transaction.atomic():
        schema_clone.clone_template_into(SPARE)
    return SPARE


def test_a_signup_takes_a_spare_by_default(one_spare):
    clinic, _owner = provision_gamma()
    assert schema_exists(clinic.schema_name)
    assert not schema_exists(one_spare)  # renamed into the clinic


def test_pool_size_zero_hands_out_no_spare(one_spare, settings):
    settings.CLINIC_SPARE_POOL_SIZE = 0

    clinic, _owner = provision_gamma()

    assert schema_exists(clinic.schema_name)
    assert schema_exists(one_spare)  # copied from the template instead
    assert spare_pool.spare_pool_fill()["created"] == 0


def test_cloning_off_provisions_from_migrations(one_spare, settings, monkeypatch):
    settings.CLINIC_SCHEMA_CLONING = False
    migrated = []
    copy = schema_clone.clone_template_into

    def create_schema(self, **kwargs):
        # Stands in for django-tenants' migrate of the new schema (minutes):
        # the switch decides which way is taken, not what migrating gives.
        migrated.append(self.schema_name)
        copy(self.schema_name)

    def refuse(*args, **kwargs):
        pytest.fail("cloning is off")

    monkeypatch.setattr(Clinic, "create_schema", create_schema)
    monkeypatch.setattr("tenants.services.clone_template_into", refuse)

    clinic, _owner = provision_gamma()

    assert migrated == [clinic.schema_name]
    assert schema_exists(one_spare)  # a spare is a copy: not used either
    assert spare_pool.pool_size() == 0


def test_the_executor_setting_selects_stock_django_tenants(settings, monkeypatch):
    monkeypatch.delenv("EXECUTOR", raising=False)
    assert get_executor() is PlanOnceExecutor

    settings.CLINIC_MIGRATE_EXECUTOR = "standard"

    assert get_executor() is StandardExecutor
    assert get_executor("planonce") is PlanOnceExecutor  # --executor wins


def test_resolution_cache_off_looks_every_host_up(
    alpha, local_caches, settings, django_assert_num_queries
):
    settings.CLINIC_CACHE_SECONDS = settings.CLINIC_CACHE_SYNCED_SECONDS = 0
    resolution.clinic_for_hostname(alpha.host)  # connection warmed up
    for _ in range(2):
        with django_assert_num_queries(1):
            assert resolution.clinic_for_hostname(alpha.host).pk == alpha.pk
