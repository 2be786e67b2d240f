"""Signups renamed from spare schemas built ahead of time
(tenants.schema_engine.spare_pool).

A renamed spare must be exactly what a copy of the template gives: the same
structure by name and definition, the same starting rows, sequences that
continue where the template's stand, working audit triggers, and nothing that
still names the spare. A stale spare is never handed out, and a failed signup
gives its spare back.
"""

from __future__ import annotations

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django_tenants.utils import schema_context, schema_exists
from djstripe.models import Customer

from chairside.accounts.models import User
from chairside.core.pg_address import conninfo
from chairside.patients.models import Patient
from tenants import services
from tenants.models import Clinic, Domain
from tenants.schema_engine import schema_clone, spare_pool
from tenants.tests.catalog import (
    mentions,
    provision_gamma,
    schema_fingerprint,
    sequence_positions,
)

pytestmark = pytest.mark.django_db

SPARE = spare_pool.SPARE_PREFIX + "0123456789abcdef"


@pytest.fixture
def template() -> str:
    # Spares a worker may have built in this test database (after a signup
    # in a browser test) are dropped for this test only.
    spare_pool.spare_pool_empty()
    schema_clone.forget_cached_scripts()
    assert schema_clone.template_is_current()
    return schema_clone.template_schema_name()


@pytest.fixture
def spare(template) -> str:
    assert spare_pool.spare_names() == []
    with transaction.atomic():
        schema_clone.clone_template_into(SPARE)
    return SPARE


def _same_as_template(schema: str, template: str, *, rows: bool = True) -> None:
    """The copy of the template a spare is built from re-creates two
    exclusion constraints from pg_get_constraintdef's text, which PostgreSQL
    parses back into an equivalent but differently printed predicate
    (`ARRAY[a::text, ...]` for `ARRAY[a, ...]::text[]`): those compare by name."""
    ours = schema_fingerprint(schema, rows=rows)
    theirs = schema_fingerprint(template, rows=rows)
    for key in ("constraints", "indexes"):
        ours[key] = {_name(key, d) for d in ours[key]}
        theirs[key] = {_name(key, d) for d in theirs[key]}
    assert ours == theirs


def _name(key: str, definition: str) -> str:
    if key == "constraints":
        return definition.split(":", 1)[0]
    return definition.split(" ON ", 1)[0]


def _forget_migration(schema: str, app: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{schema}".django_migrations WHERE app = %s',  # noqa: S608
            [app],
        )


def test_a_claimed_spare_is_the_template_by_every_measure(template, spare):
    before = schema_fingerprint(spare)
    positions = sequence_positions(spare)
    with transaction.atomic():
        assert spare_pool.spare_claim("clinic_delta") == spare

    assert not schema_exists(spare)
    # The rename changes nothing but the name: every definition and row.
    assert schema_fingerprint("clinic_delta") == before
    # And the spare was the template (names of everything, definitions of
    # all but two: see _same_as_template).
    _same_as_template("clinic_delta", template)
    # Every sequence (identity columns included) stands where it stood, so
    # the next ids follow the copied starting rows.
    assert sequence_positions("clinic_delta") == positions
    # Nothing stored in the schema still names the spare (trigger function
    # bodies use unqualified names resolved through the search path).
    assert mentions("clinic_delta", spare) == []
    assert mentions("clinic_delta", template) == []


def test_a_clinic_provisioned_from_a_spare_works_end_to_end(template, spare):
    clinic, owner = provision_gamma()

    assert clinic.schema_name == "clinic_gamma"
    assert spare_pool.spare_names() == []
    _same_as_template(clinic.schema_name, template, rows=False)
    assert Domain.objects.get(tenant=clinic).domain == f"gamma.{settings.BASE_DOMAIN}"
    with schema_context(clinic.schema_name):
        assert User.objects.get().email == "owner@gamma.test" == owner.email
        assert User.objects.create_user("later@gamma.test", "x" * 12).pk > owner.pk
        # The audit trail's triggers fire and write into this clinic's tables.
        patient = Patient.objects.create(
            first_name="Ada", last_name="Lovelace", email="ada@example.com"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pgh_label FROM patients_patientevent WHERE pgh_obj_id = %s",
                [patient.pk],
            )
            assert cursor.fetchall() == [("create",)]
        # Constraints hold: a foreign key to a user who is not there.
        with transaction.atomic():
            Patient.objects.create(
                first_name="Bob", last_name="B", email="bob@example.com", user_id=98765
            )
            with connection.cursor() as cursor, pytest.raises(IntegrityError):
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            transaction.set_rollback(True)
        # dj-stripe's tables are the clinic's own.
        assert Customer.objects.count() == 0


def test_a_stale_spare_is_never_handed_out_and_the_filler_drops_it(template, spare):
    _forget_migration(spare, "accounts")

    clinic, _owner = provision_gamma()

    assert spare_pool.spare_names() == [spare]  # untouched
    _same_as_template(clinic.schema_name, template)
    assert spare_pool.spare_pool_fill(size=0) == {
        "current": 0,
        "created": 0,
        "dropped": 1,
    }
    assert not schema_exists(spare)


def test_a_spare_is_stale_once_the_template_has_migrated_past_it(
    template, spare, monkeypatch
):
    # A new migration on disk, applied to the template but not to the spare.
    future = ("patients", "9999_future")
    leaves = schema_clone._tenant_migration_leaves() | {future}
    monkeypatch.setattr(schema_clone, "_tenant_leaves", leaves)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{template}".django_migrations (app, name, applied)'  # noqa: S608
            " VALUES (%s, %s, now())",
            future,
        )
    assert schema_clone.template_is_current()

    with transaction.atomic():
        assert spare_pool.spare_claim("clinic_delta") is None
    assert schema_exists(spare)


def test_a_failed_signup_gives_its_spare_back(spare, monkeypatch):
    def explode(**kwargs):
        assert schema_exists("clinic_gamma")  # renamed by now
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(services, "user_create", explode)
    with pytest.raises(RuntimeError):
        provision_gamma()

    connection.set_schema_to_public()
    assert not Clinic.objects.filter(slug="gamma").exists()
    assert not Domain.objects.filter(domain__startswith="gamma.").exists()
    assert not schema_exists("clinic_gamma")
    assert spare_pool.spare_names() == [spare]
    assert spare_pool.schema_is_current(spare)


def test_a_spare_another_transaction_holds_is_skipped(spare):
    other = psycopg.connect(conninfo(), autocommit=False)
    try:
        other.execute(spare_pool.lock_sql(wait=True), [spare])
        with transaction.atomic():
            assert spare_pool.spare_claim("clinic_delta") is None
    finally:
        other.close()
    with transaction.atomic():
        assert spare_pool.spare_claim("clinic_delta") == spare


def test_the_filler_builds_current_spares_and_signups_queue_a_refill(
    template, django_capture_on_commit_callbacks
):
    assert spare_pool.spare_pool_fill(size=1)["created"] == 1
    (name,) = spare_pool.spare_names()
    assert spare_pool.schema_is_current(name)
    _same_as_template(name, template)
    assert spare_pool.spare_pool_fill(size=1)["created"] == 0

    with django_capture_on_commit_callbacks() as callbacks:
        provision_gamma()
    assert services.spare_pool_refill_soon in callbacks
    assert spare_pool.spare_names() == []


def test_the_command_empties_the_pool(spare, capsys):
    call_command("clinic_spares", "--empty")
    assert not schema_exists(spare)
    assert "Dropped 1" in capsys.readouterr().out
