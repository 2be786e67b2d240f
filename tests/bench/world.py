"""Build (once) and reuse the benchmark world in the benchmark database.

Runs inside the orchestrator's own Django (production settings pointed at the
benchmark database). The seeded scale is remembered in a small table, so a
second `make bench` starts straight at the measurements.
"""

from __future__ import annotations

import json
import logging
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict

from django.core.management import call_command
from django.db import connection, connections
from django_tenants.utils import schema_exists
from psycopg import sql

from tenants.models import Clinic
from tenants.schema_engine.schema_clone import template_schema_name
from tests.bench import seed

log = logging.getLogger("bench")
SEED_VERSION = "3"


def _state() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS public.bench_state"
            " (key text PRIMARY KEY, value text NOT NULL)"
        )
        cursor.execute("SELECT key, value FROM public.bench_state")
        return dict(cursor.fetchall())


def _remember(**values: str) -> None:
    with connection.cursor() as cursor:
        for key, value in values.items():
            cursor.execute(
                "INSERT INTO public.bench_state VALUES (%s, %s)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )


def migrate() -> float:
    """Shared tables, the public tenant and the clinic template, up to date."""
    started = time.perf_counter()
    connection.set_schema_to_public()
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    call_command("ensure_public_tenant", verbosity=0)
    template = template_schema_name()
    if not schema_exists(template):
        with connection.cursor() as cursor:
            create = sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(template))
            cursor.execute(create.as_string())
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name=template,
        interactive=False,
        verbosity=0,
    )
    connection.set_schema_to_public()
    # Production serves static files from the collected manifest, as the
    # Docker image does.
    call_command("collectstatic", interactive=False, verbosity=0)
    return time.perf_counter() - started


def _has_patients(clinic: Clinic) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT EXISTS (SELECT 1 FROM "{clinic.schema_name}".patients_patient)'  # noqa: S608
        )
        return cursor.fetchone()[0]


def _seed_small_batch(args: tuple[list[int], dict]) -> int:
    indexes, scale_fields = args
    scale = seed.Scale(**scale_fields)
    for index in indexes:
        slug = seed.small_slug(index)
        clinic = Clinic.objects.filter(slug=slug).first()
        if clinic is not None and not _has_patients(clinic):
            drop_clinic(clinic)  # left over from an interrupted seed
            clinic = None
        if clinic is None:
            from django.db import transaction

            with transaction.atomic():
                clinic = seed.clinic_create_from_template(
                    slug=slug, name=f"Small Clinic {index}", time_zone="Europe/Madrid"
                )
            seed.seed_small_clinic(clinic, scale, seed=index)
        connection.set_schema_to_public()
    return len(indexes)


def drop_clinic(clinic: Clinic) -> None:
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        drop = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE")
        cursor.execute(drop.format(sql.Identifier(clinic.schema_name)).as_string())
    clinic.domains.all().delete()
    Clinic.objects.filter(pk=clinic.pk).delete()


def _pool_init() -> None:
    # Forked children must not share the parent's database socket.
    for conn in connections.all():
        conn.inc_thread_sharing()
        conn.close()
        conn.dec_thread_sharing()


def _big_key(scale: seed.Scale) -> str:
    fields = asdict(scale)
    del fields["small_clinics"], fields["small_patients"]
    return json.dumps(fields, sort_keys=True)


def current_scale() -> seed.Scale | None:
    """The scale already seeded in the benchmark database, if any."""
    state = _state()
    if state.get("version") != SEED_VERSION or "scale" not in state:
        return None
    return seed.Scale(**json.loads(state["scale"]))


def ensure_world(scale: seed.Scale, *, workers: int = 4) -> dict:
    """Seed what is missing; return what the world holds."""
    state = _state()
    wanted = json.dumps(asdict(scale), sort_keys=True)
    if state.get("scale") == wanted and state.get("version") == SEED_VERSION:
        return json.loads(state["summary"])
    if state.get("big_scale") != _big_key(scale):
        # Another large clinic than this scale asks for: rebuild just that one.
        state.pop("big_summary", None)
    if state.get("small_patients") != str(scale.small_patients):
        for clinic in Clinic.objects.filter(slug__startswith="small"):
            drop_clinic(clinic)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    big = Clinic.objects.filter(slug=seed.BIG_SLUG).first()
    if big is not None and "big_summary" not in state:
        drop_clinic(big)  # left over from an interrupted seed
        big = None
    if big is None:
        from django.db import transaction

        with transaction.atomic():
            big = seed.clinic_create_from_template(
                slug=seed.BIG_SLUG, name="Big Clinic", time_zone=seed.BIG_TZ
            )
        summary = seed.seed_large_clinic(big, scale)
        _remember(big_summary=json.dumps(summary), big_scale=_big_key(scale))
    else:
        summary = json.loads(_state()["big_summary"])
    connection.set_schema_to_public()
    timings["large_clinic_s"] = round(time.perf_counter() - started, 1)

    started = time.perf_counter()
    indexes = list(range(1, scale.small_clinics + 1))
    batches = [indexes[i::workers] for i in range(workers)]
    connections.close_all()
    scale_fields = asdict(scale)
    with ProcessPoolExecutor(max_workers=workers, initializer=_pool_init) as pool:
        list(pool.map(_seed_small_batch, [(b, scale_fields) for b in batches if b]))
    timings["small_clinics_s"] = round(time.perf_counter() - started, 1)
    summary = {**summary, "small_clinics": scale.small_clinics, "seed_timings": timings}
    _remember(
        scale=wanted,
        version=SEED_VERSION,
        summary=json.dumps(summary, default=str),
        small_patients=str(scale.small_patients),
    )
    return summary


def big_schema() -> str:
    return Clinic.objects.get(slug=seed.BIG_SLUG).schema_name


def seed_workers() -> int:
    return int(os.environ.get("BENCH_SEED_WORKERS", "4"))
