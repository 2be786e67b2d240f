"""One-off timings: provisioning, migrate_schemas across clinics, reminders."""

from __future__ import annotations

import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.models import Clinic
from tests.bench.env import ROOT, process_env
from tests.bench.world import drop_clinic

if TYPE_CHECKING:
    from tests.bench.runner import World

log = logging.getLogger("bench")


def provisioning(samples: int) -> dict:
    """clinic_provision end to end (schema with every app's tables, domain,
    owner), each clinic removed again: first with a spare schema waiting in
    the pool (the normal case: tenants.schema_engine.spare_pool), then with
    the pool empty (the template is copied inside the request)."""
    from tenants.schema_engine import spare_pool

    connection.set_schema_to_public()
    spare_pool.spare_pool_fill(samples)
    pool = _provision_samples(samples, expect_spare=True)
    spare_pool.spare_pool_empty()
    cold = _provision_samples(samples, expect_spare=False)
    # Leave the pool as production keeps it (the refill tasks the signups
    # queued then find nothing to do).
    spare_pool.spare_pool_fill()
    return {"from_spare_pool": pool, "cold_template_copy": cold}


def _provision_samples(samples: int, *, expect_spare: bool) -> dict:
    from chairside.core.actors import COMMAND
    from tenants.schema_engine import spare_pool
    from tenants.services import clinic_provision

    seconds = []
    for _ in range(samples):
        slug = f"prov{uuid.uuid4().hex[:8]}"
        connection.set_schema_to_public()
        spares = len(spare_pool.spare_names())
        started = time.perf_counter()
        clinic, _owner = clinic_provision(
            actor=COMMAND,
            name="Provisioning timing",
            slug=slug,
            owner_email=f"owner@{slug}.bench",
            owner_password="bench-password-not-secret",
        )
        seconds.append(time.perf_counter() - started)
        used_spare = len(spare_pool.spare_names()) == spares - 1
        if used_spare != expect_spare:
            raise RuntimeError(
                f"provisioning used a spare: {used_spare} ({spares} before,"
                f" {spare_pool.spare_names()} after)"
            )
        drop_clinic(clinic)
    return {
        "samples": len(seconds),
        "first_s": round(seconds[0], 3),
        "median_s": round(statistics.median(seconds), 3),
        "max_s": round(max(seconds), 3),
    }


MIGRATION = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]
    operations = [
        migrations.RunSQL(
            "COMMENT ON TABLE patients_patient IS 'bench {tag}'",
            reverse_sql=migrations.RunSQL.noop,
        )
    ]
"""


def migrate_trivial(*, cap_seconds: float, executor: str = "planonce") -> dict:
    """`migrate_schemas --tenant` of one trivial migration across every
    clinic (plus the template and the spare pool), in its own process, timed
    from launch to exit: Django start-up, the loader and the plan included.

    With the plan-once executor (the default, tenants/schema_engine/migrate.py)
    the figure per clinic is that whole wall time divided by the schemas migrated; its
    summary line also splits planning from the per-schema replay. With
    `executor="standard"` (stock django-tenants, one full `migrate` per
    schema) the run is stopped after `cap_seconds` and the per-clinic figure
    is from the clinics done by then."""
    import re

    tag = uuid.uuid4().hex[:10]
    progress = re.compile(r"^\[(\d+)/(\d+) ")
    summary = re.compile(
        r"(\d+) replayed, (\d+) by the stock executor, (\d+) already current,"
        r" (\d+) failed in ([\d.]+) s \(planning ([\d.]+) s, replay ([\d.]+) s\)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        package = Path(tmp) / f"bench_migrations_{tag}"
        package.mkdir()
        (package / "__init__.py").write_text("")
        (package / f"0001_bench_{tag}.py").write_text(MIGRATION.format(tag=tag))
        env = process_env("tests.bench.settings_migrate")
        env["PYTHONPATH"] = f"{tmp}{os.pathsep}{env['PYTHONPATH']}"
        env["BENCH_MIGRATION_MODULE"] = package.name
        clinics = Clinic.objects.exclude(schema_name=get_public_schema_name()).count()
        started = time.perf_counter()
        proc = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
            [
                sys.executable,
                "manage.py",
                "migrate_schemas",
                "--tenant",
                "--noinput",
                f"--executor={executor}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        done, first_started, capped, found, tail = 0, None, False, None, []
        for line in proc.stdout or ():
            tail = [*tail[-20:], line.rstrip()]
            match = progress.match(line)
            if match and "Starting migration" in line:
                done = int(match.group(1)) - 1
                first_started = first_started or time.perf_counter()
            found = summary.search(line) or found
            if time.perf_counter() - started > cap_seconds:
                capped = True
                proc.kill()
                break
        proc.wait()
        elapsed = time.perf_counter() - started
    if proc.returncode and not capped:
        return {
            "executor": executor,
            "error": f"migrate_schemas exited with {proc.returncode}",
            "output_tail": tail,
        }
    out = {"executor": executor, "clinics": clinics, "stopped_after_cap": capped}
    if found:
        replayed, stock, current, failed = (int(found.group(i)) for i in range(1, 5))
        schemas = replayed + stock + current + failed
        out.update(
            schemas=schemas,
            replayed=replayed,
            stock=stock,
            failed=failed,
            total_s=round(elapsed, 2),
            per_clinic_ms=round(elapsed / max(schemas, 1) * 1000, 1),
            planning_s=float(found.group(6)),
            replay_per_schema_ms=round(
                float(found.group(7)) / max(replayed - 1, 1) * 1000, 2
            ),
        )
        return out
    if not capped:
        done = clinics
    per_clinic = (time.perf_counter() - (first_started or started)) / max(done, 1)
    out.update(
        migrated=done,
        total_s=round(elapsed, 1),
        per_clinic_ms=round(per_clinic * 1000, 1),
    )
    return out


def run_all(*, world: World, quick: bool) -> dict:
    out: dict = {}
    log.info("timing provisioning ...")
    try:
        out["provisioning"] = provisioning(1 if quick else 3)
    except Exception as exc:  # a timing that fails is reported, not fatal
        log.exception("provisioning timing failed")
        out["provisioning"] = {"error": repr(exc)[:500]}
    log.info("timing booking inserts with and without the exclusion constraints ...")
    try:
        out["booking_constraint"] = booking_constraint(world)
    except Exception as exc:
        log.exception("booking constraint timing failed")
        out["booking_constraint"] = {"error": repr(exc)[:500]}
    log.info("timing migrate_schemas of a trivial migration ...")
    out["migrate_trivial"] = migrate_trivial(cap_seconds=20 if quick else 180)
    from tests.bench import reminders

    log.info("timing reminders through the worker ...")
    try:
        out["reminders"] = reminders.run(world=world, quick=quick)
    except Exception as exc:
        log.exception("reminders timing failed")
        out["reminders"] = {"error": repr(exc)[:500]}
    return out


def booking_constraint(world: World, rows: int = 5000) -> dict:
    """Single-row appointment inserts into the large clinic's table with its
    two exclusion constraints, then the same number with the constraints
    dropped (same table, same data, same other indexes, WAL-logged alike;
    audit triggers off for both). All rolled back afterwards."""
    from datetime import UTC, datetime, timedelta

    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start += timedelta(days=world.scale.days_after + 400)
    per_slot = min(world.scale.dentists, world.scale.chairs)

    def batch(offset: int) -> list[tuple]:
        values = []
        for i in range(offset, offset + rows):
            k = i % per_slot + 1
            at = start + timedelta(minutes=30 * (i // per_slot))
            values.append(
                (1 + i % world.scale.patients, k, k, at, at + timedelta(minutes=30))
            )
        return values

    sql = (
        "INSERT INTO scheduling_appointment (created_at, updated_at, patient_id,"
        " dentist_id, chair_id, starts_at, duration_minutes, ends_at, status,"
        " reason, notes, cancellation_reason) VALUES (now(), now(), %s, %s, %s,"
        " %s, 30, %s, 'scheduled', '', '', '')"
    )
    out = {}
    with schema_context(world.big.schema_name), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            # Untimed: the first inserts pay for cold caches, whichever runs
            # first; without this the constrained run (first) carried them.
            for row in batch(3 * rows)[: rows // 5]:
                cursor.execute(sql, row)
            for label, offset in (
                ("with_exclusion_constraints", 0),
                ("unconstrained", rows),
            ):
                if label == "unconstrained":
                    cursor.execute(
                        "ALTER TABLE scheduling_appointment"
                        " DROP CONSTRAINT appointment_no_dentist_overlap,"
                        " DROP CONSTRAINT appointment_no_chair_overlap"
                    )
                values = batch(offset)
                started = time.perf_counter()
                for row in values:
                    cursor.execute(sql, row)
                out[f"{label}_per_s"] = round(rows / (time.perf_counter() - started))
        transaction.set_rollback(True)
    out["ratio"] = round(
        out["with_exclusion_constraints_per_s"] / out["unconstrained_per_s"], 2
    )
    out["rows"] = rows
    return out
