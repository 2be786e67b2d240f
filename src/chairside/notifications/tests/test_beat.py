"""Beat's scheduler driven tick by tick on a fake clock, against the committed
world (clinics alpha and beta): every entry, ours and the ones Celery adds
itself, is sent in a schema a worker can run it in, and a database that goes
away does not end beat.

The scheduler runs in a thread of its own, as beat runs in a process of its
own: its own database connection, outside the test's transaction (it replaces
a broken connection as a web request does, which inside the test's atomic
block would abandon the transaction). Beat writes nothing to the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar
from unittest import mock

import psycopg
import pytest
import time_machine
from celery import Celery
from django.db import connection, connections

from chairside.core.pg_address import conninfo
from chairside.notifications.beat import ClinicScheduler
from config.celery import app
from tenants.models import Clinic

pytestmark = pytest.mark.django_db

# 03:30 UTC: Celery's own celery.backend_cleanup is due at 04:00, the hourly
# overdue run at :05; a day later every entry has been due at least once.
START = dt.datetime(2026, 3, 2, 3, 30, tzinfo=dt.UTC)
STEP = dt.timedelta(minutes=5)
T = TypeVar("T")


@pytest.fixture
def beat_thread() -> Iterator[Callable[[Callable[[], T]], T]]:
    """Run a function in beat's thread and return its result."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield lambda fn: pool.submit(fn).result(timeout=300)
        pool.submit(connections.close_all).result()


@pytest.fixture
def sent() -> Iterator[list[tuple[str, str | None]]]:
    """(task name, the _schema_name header) of every message beat sends."""
    calls: list[tuple[str, str | None]] = []

    def record(_app: Celery, name: str, *_args: object, **options: object) -> object:
        headers = options.get("headers") or {}
        calls.append((name, headers.get("_schema_name")))  # type: ignore[union-attr]
        return mock.Mock(id="sent")

    with mock.patch.object(Celery, "send_task", autospec=True, side_effect=record):
        yield calls


def scheduler_at(filename: Path) -> ClinicScheduler:
    scheduler = ClinicScheduler(app=app, schedule_filename=str(filename))
    scheduler.producer = None  # send_task is recorded, no broker needed
    return scheduler


def run_ticks(scheduler: ClinicScheduler) -> None:
    """Every entry due now (tick sends one per call and returns 0 while more
    are due)."""
    for _ in range(100):
        if scheduler.tick() != 0:
            return
    raise AssertionError("beat kept finding due entries")


def test_every_beat_entry_is_sent_to_a_schema_a_worker_can_run_it_in(
    beat_thread, sent, tmp_path: Path
):
    active = set(
        Clinic.objects.filter(status=Clinic.Status.ACTIVE).values_list(
            "schema_name", flat=True
        )
    )

    def a_day_of_beat() -> set[str]:
        with time_machine.travel(START, tick=False) as clock:
            scheduler = scheduler_at(tmp_path / "beat")
            names = {entry.task for entry in scheduler.schedule.values()}
            now = START
            while now < START + dt.timedelta(days=1, hours=1):
                run_ticks(scheduler)
                now += STEP
                clock.move_to(now)
        return names

    names = beat_thread(a_day_of_beat)
    # Celery's own entry is in the schedule, or this test proves less.
    assert "celery.backend_cleanup" in names
    assert names <= {name for name, _schema in sent}
    assert {schema for _name, schema in sent} <= active
    assert ("celery.backend_cleanup", "public") in sent
    assert ("tenants.spare_pool_fill", "public") in sent
    reminder_schemas = {s for name, s in sent if name == "notifications.reminders_scan"}
    assert reminder_schemas == active - {"public"}


def test_beat_reconnects_after_its_connection_is_killed(
    beat_thread, sent, tmp_path: Path, alpha
):
    def tick_kill_tick() -> None:
        with time_machine.travel(START, tick=False) as clock:
            scheduler = scheduler_at(tmp_path / "beat")
            clock.move_to(START + STEP)
            run_ticks(scheduler)
            assert sent
            sent.clear()
            pid = connection.connection.info.backend_pid
            with psycopg.connect(conninfo(), autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
            clock.move_to(START + 2 * STEP)
            run_ticks(scheduler)

    beat_thread(tick_kill_tick)
    assert ("notifications.reminders_scan", alpha.schema_name) in sent


def test_beat_skips_a_tick_while_the_database_is_down(
    beat_thread, sent, tmp_path: Path, alpha
):
    def down_then_up() -> None:
        with time_machine.travel(START, tick=False) as clock:
            scheduler = scheduler_at(tmp_path / "beat")
            connection.close()
            down = mock.patch.object(
                connection, "get_new_connection", side_effect=psycopg.OperationalError
            )
            clock.move_to(START + STEP)
            with down:
                run_ticks(scheduler)  # raises nothing
            assert sent == []
            clock.move_to(START + 2 * STEP)
            run_ticks(scheduler)

    beat_thread(down_then_up)
    assert ("notifications.reminders_scan", alpha.schema_name) in sent


def test_beat_creates_the_folder_of_its_schedule_file(tmp_path: Path):
    filename = tmp_path / "var" / "celerybeat-schedule"
    scheduler_at(filename).close()
    assert filename.parent.is_dir()
