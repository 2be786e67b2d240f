"""New clinics on the cluster are distributed schemas living whole on a worker.

Checked from Citus's own catalogs (pg_dist_schema, pg_dist_partition,
pg_dist_shard, pg_dist_placement, pg_dist_node) and from the worker itself,
for each way provisioning gets a schema: a spare renamed into place, a copy
of the template, and the world's clinics.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest
from django.db import connection
from django_tenants.utils import schema_context

from chairside.core.actors import COMMAND
from chairside.core.pg_address import libpq_params
from tenants.schema_engine import citus
from tenants.schema_engine.spare_pool import spare_names, spare_pool_fill
from tenants.services import clinic_provision

pytestmark = pytest.mark.usefixtures("committed")

EVENT_ID_FLOOR = 1 << 48  # ids drawn on a worker carry its node group above bit 48


def _fetch(query: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def _provision(slug: str):
    return clinic_provision(
        actor=COMMAND,
        name=f"{slug} Dental",
        slug=slug,
        owner_email=f"admin@{slug}.test",
        owner_password="correct-horse-battery-staple",
    )


def assert_lives_on_one_worker(schema: str) -> tuple[str, int]:
    """Every table of `schema` is a shard of the schema's colocation group,
    placed on one worker (never the coordinator); returns that worker."""
    tables = {
        name
        for (name,) in _fetch(
            "SELECT c.oid::regclass::text FROM pg_class c"
            " WHERE c.relnamespace = %s::regnamespace AND c.relkind IN ('r', 'p')",
            [schema],
        )
    }
    assert len(tables) > 90  # the clinic's ~98 tables, dj-stripe's included
    (colocation,) = _fetch(
        "SELECT colocationid FROM pg_dist_schema WHERE schemaid = %s::regnamespace",
        [schema],
    )[0]
    distributed = {
        name
        for (name,) in _fetch(
            "SELECT logicalrelid::regclass::text FROM pg_dist_partition"
            " WHERE colocationid = %s AND partmethod = 'n' AND repmodel = 's'",
            [colocation],
        )
    }
    assert distributed == tables
    placements = citus.schema_placements(schema)
    assert {table for table, _h, _p in placements} == tables
    assert len(placements) == len(tables)  # one placement per table
    nodes = {(host, port) for _t, host, port in placements}
    assert len(nodes) == 1
    ((host, port),) = nodes
    (group,) = _fetch(
        "SELECT groupid FROM pg_dist_node WHERE nodename = %s AND nodeport = %s",
        [host, port],
    )[0]
    assert group != 0, "the coordinator (group 0) holds a clinic table"
    return host, port


def worker_count(host: str, port: int, schema: str, table: str) -> int:
    """Rows of `schema.table` counted on the worker itself, in its shard."""
    (shard,) = _fetch(
        "SELECT c.relname || '_' || s.shardid FROM pg_dist_shard s"
        " JOIN pg_class c ON c.oid = s.logicalrelid"
        " WHERE s.logicalrelid = %s::regclass",
        [f"{schema}.{table}"],
    )[0]
    params = {**libpq_params(), "host": host, "port": str(port)}
    with psycopg.connect(**params) as conn:
        return conn.execute(
            psycopg.sql.SQL("SELECT count(*) FROM {}.{}").format(
                psycopg.sql.Identifier(schema), psycopg.sql.Identifier(shard)
            )
        ).fetchone()[0]


def _audited_write(schema: str, owner) -> int:
    """Create a patient (its audit trigger writes an event row on the
    worker); return the event's id."""
    from chairside.patients.models import PatientEvent
    from chairside.patients.services import patient_create

    with schema_context(schema):
        patient = patient_create(
            actor=owner, first_name="Ada", last_name="Lovelace", email="ada@x.test"
        )
        event = PatientEvent.objects.get(pgh_obj_id=patient.pk, pgh_label="create")
        return event.pgh_id


def test_world_clinics_are_distributed_schemas_on_workers(alpha, beta):
    for clinic in (alpha, beta):
        assert citus.schema_is_distributed(clinic.schema_name)
        assert_lives_on_one_worker(clinic.schema_name)


@pytest.mark.parametrize("source", ["spare", "template"])
def test_new_clinic_lives_whole_on_a_worker(source, settings):
    settings.CLINIC_SPARE_POOL_SIZE = 1 if source == "spare" else 0
    if source == "spare":
        spare_pool_fill(1)
        assert spare_names()
    slug = f"{source}-{uuid.uuid4().hex[:6]}"
    clinic, owner = _provision(slug)

    host, port = assert_lives_on_one_worker(clinic.schema_name)
    # The rows a fresh schema starts with are on the worker, not just the
    # shell tables on the coordinator.
    with schema_context(clinic.schema_name):
        (migrations,) = _fetch("SELECT count(*) FROM django_migrations")[0]
    assert migrations > 50
    assert worker_count(host, port, clinic.schema_name, "django_migrations") == (
        migrations
    )
    # Distributing copied the starting rows (dental's condition types among
    # them) with the audit triggers off: the audit trail holds what the
    # template's holds (its seeding migration's events), nothing for the copy.
    events = _fetch(
        "SELECT relname FROM pg_class WHERE relnamespace = %s::regnamespace"
        " AND relkind = 'r' AND relname LIKE '%%event'",
        [clinic.schema_name],
    )
    assert events
    for (table,) in events:
        counts = [
            _fetch(f'SELECT count(*) FROM "{schema}"."{table}"')[0]  # noqa: S608
            for schema in (clinic.schema_name, "clinic_template")
        ]
        assert counts[0] == counts[1], table
    # The audit trigger runs on the worker, finds its table there (pinned
    # search path, renamed spares included) and draws a 64-bit id.
    assert _audited_write(clinic.schema_name, owner) > EVENT_ID_FLOOR


def test_template_stays_a_local_schema_on_the_coordinator():
    """The template is only read (copied from), never served: distributing it
    would put every clone's source on one worker."""
    assert not citus.schema_is_distributed("clinic_template")


def test_ids_written_by_triggers_are_64_bit(alpha):
    """A row a trigger inserts on a worker takes its id from that worker's
    range of the sequence, which a 32-bit sequence cannot have."""
    rows = _fetch(
        "SELECT c.relname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
        " JOIN pg_class c ON c.oid = a.attrelid"
        " WHERE c.relnamespace = %s::regnamespace AND a.attname = 'pgh_id'",
        [alpha.schema_name],
    )
    assert len(rows) >= 5
    assert {typ for _name, typ in rows} == {"bigint"}, rows


def test_stripe_mirror_is_each_clinics_own_and_moves_with_it(alpha, beta):
    """dj-stripe's mirror stays per clinic schema (docs/scale-out.md): no
    dj-stripe table in the public schema, and each clinic's dj-stripe tables
    are shards of that clinic on its worker, so a query in one clinic's
    search path can only name its own Stripe rows and a move takes them."""
    (public,) = _fetch(
        "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
        " AND relkind = 'r' AND relname LIKE 'djstripe%%'"
    )[0]
    assert public == 0
    for clinic in (alpha, beta):
        worker = assert_lives_on_one_worker(clinic.schema_name)
        stripe = [
            (host, port)
            for table, host, port in citus.schema_placements(clinic.schema_name)
            if table.split(".")[-1].startswith("djstripe")
        ]
        assert len(stripe) >= 60  # dj-stripe's 62 tables
        assert set(stripe) == {worker}
        with schema_context(clinic.schema_name):
            (resolved,) = _fetch(
                "SELECT relnamespace::regnamespace::text FROM pg_class"
                " WHERE oid = 'djstripe_customer'::regclass"
            )[0]
        assert resolved == clinic.schema_name
