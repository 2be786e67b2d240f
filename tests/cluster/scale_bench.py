"""Scale figures: plain PostgreSQL against the local Citus cluster, one run.

    scripts/citus_cluster bench      (both targets; results in var/citus/)

Both targets are the same PostgreSQL 16 build on the same machine: `plain` is
a database without the Citus extension on the coordinator's server
(`chairside_plain`), `cluster` the cluster's database through the
coordinator with CHAIRSIDE_CITUS=1. What differs is Citus: the figure is its
overhead on one box, not the gain of separate machines (docs/scale-out.md,
docs/benchmarks.md). Reuses the benchmark harness's timings and load
generator (tests/bench): provisioning from a spare and from a cold template
copy, `migrate_schemas` of one trivial migration across every clinic, and
`GET /api/patients/{id}` under wrk. On the cluster also: what a clinic adds
to each node's catalogs, and how long distributing a clinic takes with and
without dj-stripe's 62 tables.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLINICS = 10  # kept for the migration and the load
CATALOGS = ("pg_class", "pg_attribute", "pg_index", "pg_constraint", "pg_depend")


def _setup(target: str, server_url: str) -> None:
    os.environ["BENCH_DATABASE_NAME"] = (
        "chairside_plain" if target == "plain" else "chairside"
    )
    os.environ["DATABASE_URL"] = server_url
    if target == "cluster":
        os.environ["CHAIRSIDE_CITUS"] = "1"
    else:
        os.environ.pop("CHAIRSIDE_CITUS", None)
    from tests.bench.env import process_env

    env = process_env("config.settings.production")
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    import django

    django.setup()


def _clinics_kept() -> list:
    from chairside.core.actors import COMMAND
    from tenants.models import Clinic
    from tenants.services import clinic_provision

    kept = list(Clinic.objects.filter(slug__startswith="scale").order_by("slug"))
    while len(kept) < CLINICS:
        slug = f"scale{len(kept):03d}"
        clinic, _owner = clinic_provision(
            actor=COMMAND,
            name="Scale bench",
            slug=slug,
            owner_email=f"owner@{slug}.bench",
            owner_password="bench-password-not-secret",
        )
        kept.append(clinic)
    return kept


def _catalog_of(conninfo: str) -> dict:
    """One node's catalogs: their size, and the relations (tables, indexes,
    sequences...) in clinic schemas, shards included (Citus hides shards
    from catalog queries unless told to show them)."""
    import psycopg

    with psycopg.connect(conninfo) as conn:
        conn.execute("SET citus.show_shards_for_app_name_prefixes = '*'")
        size = conn.execute(
            "SELECT sum(pg_total_relation_size(c.oid))::bigint FROM pg_class c"
            " WHERE c.relname = ANY(%s)"
            " AND c.relnamespace = 'pg_catalog'::regnamespace",
            [list(CATALOGS)],
        ).fetchone()[0]
        schemas, relations, indexes = conn.execute(
            "SELECT count(DISTINCT n.oid), count(c.oid),"
            " count(c.oid) FILTER (WHERE c.relkind = 'i')"
            " FROM pg_namespace n LEFT JOIN pg_class c ON c.relnamespace = n.oid"
            " WHERE n.nspname LIKE 'clinic\\_%%' AND n.nspname <> 'clinic_template'"
        ).fetchone()
    return {
        "catalog_bytes": size,
        "clinic_schemas": schemas,
        "relations_per_clinic": round(relations / max(schemas, 1)),
        "indexes_per_clinic": round(indexes / max(schemas, 1)),
    }


def _node_conninfos() -> dict[str, str]:
    from django.db import connection

    from chairside.core.pg_address import libpq_params

    with connection.cursor() as cursor:
        cursor.execute("SELECT nodename, nodeport FROM pg_dist_node ORDER BY nodeid")
        nodes = cursor.fetchall()
    base = libpq_params()
    return {
        f"{host}:{port}": " ".join(
            f"{k}={v}" for k, v in {**base, "host": host, "port": port}.items()
        )
        for host, port in nodes
    }


def _distribute_timings(samples: int) -> dict:
    """citus_schema_distribute of a fresh template copy, whole and without
    dj-stripe's tables (what a clinic would be with the mirror elsewhere)."""
    from django.db import connection, transaction
    from psycopg import sql

    from tenants.schema_engine import citus
    from tenants.schema_engine.schema_clone import clone_template_into

    out = {}
    for label, keep_stripe in (("with_djstripe", True), ("without_djstripe", False)):
        clone, distribute, tables, indexes = [], [], 0, 0
        for _ in range(samples):
            name = f"bench_{uuid.uuid4().hex[:10]}"
            started = time.perf_counter()
            with transaction.atomic():
                clone_template_into(name)
                if not keep_stripe:
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "SELECT relname FROM pg_class WHERE relnamespace ="
                            " %s::regnamespace AND relkind = 'r'"
                            " AND relname LIKE 'djstripe%%'",
                            [name],
                        )
                        for (table,) in cursor.fetchall():
                            cursor.execute(
                                sql.SQL("DROP TABLE {} CASCADE")
                                .format(sql.Identifier(name, table))
                                .as_string()
                            )
                copied = time.perf_counter()
                citus.schema_distribute(name)
            done = time.perf_counter()
            clone.append(copied - started)
            distribute.append(done - copied)
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FILTER (WHERE relkind = 'r'),"
                    " count(*) FILTER (WHERE relkind = 'i') FROM pg_class"
                    " WHERE relnamespace = %s::regnamespace",
                    [name],
                )
                tables, indexes = cursor.fetchone()
                cursor.execute(
                    sql.SQL("DROP SCHEMA {} CASCADE")
                    .format(sql.Identifier(name))
                    .as_string()
                )
        out[label] = {
            "tables": tables,
            "indexes": indexes,
            "copy_median_s": round(statistics.median(clone), 3),
            "distribute_and_commit_median_s": round(statistics.median(distribute), 3),
        }
    return out


def _throughput(clinic, seconds: float) -> dict:
    from django_tenants.utils import schema_context

    from chairside.accounts.models import User
    from chairside.accounts.services import tokens_issue
    from chairside.patients.services import patient_create
    from tests.bench.load import Request, run_wrk
    from tests.bench.servers import Server

    with schema_context(clinic.schema_name):
        owner = User.objects.get(email=f"owner@{clinic.slug}.bench")
        patient = patient_create(
            actor=owner, first_name="Load", last_name="Test", email="load@x.bench"
        )
        token = tokens_issue(user=owner).access
    server = Server(f"scale-{clinic.slug}", "config.settings.production")
    try:
        server.wait_ready(clinic.host)
        request = Request(f"/api/patients/{patient.pk}", clinic.host, token)
        run_wrk("warm-up", server.port, [request], clients=8, seconds=3)
        result = run_wrk("patient", server.port, [request], clients=8, seconds=seconds)
    finally:
        server.stop()
    return {
        "clients": result.clients,
        "rps": result.rps,
        "p50_ms": result.p50_ms,
        "p99_ms": result.p99_ms,
        "non_2xx": result.non_2xx(),
        "workers": server.command.split("--workers ")[1].split()[0],
    }


def run(target: str, server_url: str, seconds: float) -> dict:
    _setup(target, server_url)
    from tests.bench.timings import migrate_trivial, provisioning

    out: dict = {"target": target, "when": time.strftime("%Y-%m-%d %H:%M UTC")}
    nodes = _node_conninfos() if target == "cluster" else {}
    out["provisioning"] = provisioning(3)
    started = time.perf_counter()
    kept = _clinics_kept()
    out["clinics_kept"] = len(kept)
    out["provisioning_kept_s"] = round(time.perf_counter() - started, 1)
    if nodes:
        out["catalogs"] = {node: _catalog_of(info) for node, info in nodes.items()}
        out["distribute"] = _distribute_timings(3)
    out["migrate_trivial"] = migrate_trivial(cap_seconds=600)
    out["patient_read"] = _throughput(kept[0], seconds)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("target", choices=["plain", "cluster"])
    parser.add_argument("--server", required=True, help="postgres URL of the server")
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    result = run(args.target, args.server, args.seconds)
    path = ROOT / "var" / "citus" / f"scale-{args.target}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2))
    json.dump(result, sys.stdout, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
