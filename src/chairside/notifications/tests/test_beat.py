"""Beat's scheduler driven tick by tick on a fake clock, against the committed
world (clinics alpha and beta): every entry, ours and the ones Celery adds
itself, is sent in a schema a worker can run it in, and a database that goes
away does not end beat.

No per-test transaction: the scheduler replaces broken connections as a web
request does (close_old_connections), which inside a test's atomic block
would abandon the transaction. Beat writes nothing to the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import psycopg
import pytest
import time_machine
from celery import Celery
from django.db import connection

from chairside.core.pg_address import conninfo
from chairside.notifications.beat import ClinicScheduler
from config.celery import app
from tenants.models import Clinic

# 03:30 UTC: Celery's own celery.backend_cleanup is due at 04:00, the hourly
# overdue run at :05; a day later every entry has been due at least once.
START = dt.datetime(2026, 3, 2, 3, 30, tzinfo=dt.UTC)
STEP = dt.timedelta(minutes=5)


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        yield
        connection.set_schema_to_public()


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


def _alpha_schema() -> str:
    return Clinic.objects.get(slug="alpha").schema_name


def test_every_beat_entry_is_sent_to_a_schema_a_worker_can_run_it_in(
    committed_db, sent, tmp_path: Path
):
    active = set(
        Clinic.objects.filter(status=Clinic.Status.ACTIVE).values_list(
            "schema_name", flat=True
        )
    )
    with time_machine.travel(START, tick=False) as clock:
        scheduler = scheduler_at(tmp_path / "beat")
        names = {entry.task for entry in scheduler.schedule.values()}
        # Celery's own entry is in the schedule, or this test proves less.
        assert "celery.backend_cleanup" in names
        now = START
        while now < START + dt.timedelta(days=1, hours=1):
            run_ticks(scheduler)
            now += STEP
            clock.move_to(now)
    assert names <= {name for name, _schema in sent}
    assert {schema for _name, schema in sent} <= active
    assert ("celery.backend_cleanup", "public") in sent
    assert ("tenants.spare_pool_fill", "public") in sent
    reminder_schemas = {s for name, s in sent if name == "notifications.reminders_scan"}
    assert reminder_schemas == active - {"public"}


def test_beat_reconnects_after_its_connection_is_killed(
    committed_db, sent, tmp_path: Path
):
    with time_machine.travel(START, tick=False) as clock:
        scheduler = scheduler_at(tmp_path / "beat")
        clock.move_to(START + STEP)
        run_ticks(scheduler)
        assert sent
        sent.clear()
        with psycopg.connect(conninfo(), autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(%s)",
                [connection.connection.info.backend_pid],
            )
        clock.move_to(START + 2 * STEP)
        run_ticks(scheduler)
    assert ("notifications.reminders_scan", _alpha_schema()) in sent


def test_beat_skips_a_tick_while_the_database_is_down(
    committed_db, sent, tmp_path: Path
):
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
    assert ("notifications.reminders_scan", _alpha_schema()) in sent


def test_beat_creates_the_folder_of_its_schedule_file(committed_db, tmp_path: Path):
    filename = tmp_path / "var" / "celerybeat-schedule"
    scheduler_at(filename).close()
    assert filename.parent.is_dir()
