"""A clinic moves to the other worker while it serves reads and bookings.

gunicorn runs against the coordinator; a booking stream and a read stream go
to clinic alpha while `citus_schema_move(..., 'block_writes')` copies alpha's
schema to the other worker. Writes wait for the move (they are blocked, not
refused), reads go on. Afterwards: no request failed (no 5xx, no dropped
connection), every booking that was confirmed is there, the exclusion
constraints still refuse a double booking, and every table of the clinic
holds on the new worker what the coordinator serves and, for the tables the
stream did not write, exactly what it held before the move.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from http import HTTPStatus
from zoneinfo import ZoneInfo

import psycopg
import pytest
import requests
from django.db import connection
from django_tenants.utils import schema_context

from conftest import access_token_for, world_user
from tenants.schema_engine import citus
from tests.cluster.test_provisioning import assert_lives_on_one_worker
from tests.world_clinical import world_dentist, world_patient

pytestmark = pytest.mark.usefixtures("committed")

BOOKINGS = 120  # the stream's bound: at most this many bookings
READ_LIMIT = 2000  # and this many reads
# Tables the stream writes (bookings, their audit events and the audit
# context, read events of medical history, the stream's sign-in): compared
# between the coordinator and the worker only, not with the state before.
WRITTEN = (
    "scheduling_appointment",
    "scheduling_appointmentevent",
    "patients_patientevent",
    "pghistory_context",
    "accounts_tokenfamily",
    "accounts_refreshtoken",
)


def _slots(clinic, dentist, count: int) -> list[str]:
    """Free 30-minute starts of the second dentist (Mon-Sat 08:00-16:00
    clinic time), from next Monday or the day after their last booking
    (a cluster kept with CITUS_REUSE=1 has earlier runs' bookings)."""
    from chairside.scheduling.models import Appointment

    tz = ZoneInfo(clinic.time_zone)
    today = datetime.now(tz).date()
    day = today + timedelta(days=7 - today.weekday())
    with schema_context(clinic.schema_name):
        last = (
            Appointment.objects.filter(dentist_id=dentist.pk)
            .order_by("-starts_at")
            .values_list("starts_at", flat=True)
            .first()
        )
    if last is not None:
        day = max(day, last.astimezone(tz).date() + timedelta(days=1))
    starts = []
    while len(starts) < count:
        if day.weekday() < 6:
            for half_hours in range(16):
                start = datetime(day.year, day.month, day.day, 8, tzinfo=tz)
                starts.append((start + timedelta(minutes=30 * half_hours)).isoformat())
        day += timedelta(days=1)
    return starts[:count]


def _table_digests(schema: str) -> dict[str, tuple[int, str]]:
    """Row count and md5 of the rows (as text, sorted) of every table of the
    schema, read through the coordinator."""
    digests = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = %s::regnamespace"
            " AND relkind = 'r' ORDER BY relname",
            [schema],
        )
        for (table,) in cursor.fetchall():
            name = psycopg.sql.Identifier(schema, table).as_string()
            cursor.execute(
                f"SELECT count(*), coalesce(md5(string_agg(t::text, ','"  # noqa: S608
                f" ORDER BY t::text)), '') FROM {name} t"
            )
            digests[table] = cursor.fetchone()
    return digests


def _worker_digests(schema: str, host: str, port: int) -> dict[str, tuple[int, str]]:
    """The same, read on the worker itself from the shards."""
    from chairside.core.pg_address import libpq_params

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, c.relname || '_' || s.shardid FROM citus_shards s"
            " JOIN pg_class c ON c.oid = s.table_name"
            " WHERE c.relnamespace = %s::regnamespace AND s.nodeport = %s",
            [schema, port],
        )
        shards = dict(cursor.fetchall())
    digests = {}
    params = {**libpq_params(), "host": host, "port": str(port)}
    with psycopg.connect(**params) as conn:
        for table, shard in shards.items():
            name = psycopg.sql.Identifier(schema, shard)
            query = psycopg.sql.SQL(
                "SELECT count(*), coalesce(md5(string_agg(t::text, ','"
                " ORDER BY t::text)), '') FROM {} t"
            ).format(name)
            # A shard's rows print like the table's: same columns, same order.
            digests[table] = tuple(conn.execute(query).fetchone())
    return digests


def _other_worker(host: str, port: int) -> tuple[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nodename, nodeport FROM pg_dist_node WHERE groupid <> 0"
            " AND isactive AND shouldhaveshards AND NOT (nodename = %s AND"
            " nodeport = %s) ORDER BY nodeid LIMIT 1",
            [host, port],
        )
        return cursor.fetchone()


class Stream:
    """Requests in a thread until told to stop or its bound is reached;
    records every answer."""

    def __init__(self, base: str, host: str, token: str) -> None:
        self.base, self.stop = base, threading.Event()
        self.session = requests.Session()
        self.session.headers.update({"Host": host, "Authorization": f"Bearer {token}"})
        self.statuses: list[int] = []
        self.failures: list[str] = []  # 5xx and dropped connections
        self.slowest = 0.0

    def call(self, method: str, path: str, **kwargs) -> requests.Response | None:
        started = time.monotonic()
        try:
            response = self.session.request(
                method, self.base + path, timeout=180, **kwargs
            )
        except requests.RequestException as exc:
            self.failures.append(f"{method} {path}: {exc!r}")
            return None
        self.slowest = max(self.slowest, time.monotonic() - started)
        self.statuses.append(response.status_code)
        if response.status_code >= HTTPStatus.INTERNAL_SERVER_ERROR:
            self.failures.append(f"{method} {path}: {response.status_code}")
        return response


def _serve_while_moving(alpha, port: int, slots: list[str], target) -> dict:
    """Bookings and reads on alpha in two threads, the move in the middle of
    them (after 10 bookings; then 10 more bookings after it)."""
    base = f"http://127.0.0.1:{port}"
    token = access_token_for(world_user(alpha, "receptionist"), alpha)
    dentist, patient = world_dentist(alpha, "dentist2"), world_patient(alpha)
    booker = Stream(base, alpha.host, token)
    reader = Stream(base, alpha.host, token)
    booked: dict[str, int] = {}  # slot -> appointment id

    def book() -> None:
        for slot in slots:
            if booker.stop.is_set():
                return
            response = booker.call(
                "POST",
                "/api/appointments",
                json={
                    "patient_id": patient.pk,
                    "dentist_id": dentist.pk,
                    "appointment_date": slot,
                },
            )
            if response is not None and response.status_code == HTTPStatus.CREATED:
                booked[slot] = response.json()["id"]

    def read() -> None:
        paths = [f"/api/patients/{patient.pk}", "/api/appointments?limit=20"]
        for i in range(READ_LIMIT):
            if reader.stop.is_set():
                return
            reader.call("GET", paths[i % 2])

    threads = [threading.Thread(target=book), threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 120
    while len(booked) < 10 and time.monotonic() < deadline:
        time.sleep(0.2)
    started = time.monotonic()
    citus.schema_move(alpha.schema_name, host=target[0], port=target[1])
    move_seconds = time.monotonic() - started
    booked_at_move_end = len(booked)
    deadline = time.monotonic() + 60
    while len(booked) < booked_at_move_end + 10 and time.monotonic() < deadline:
        time.sleep(0.2)
    for stream in (booker, reader):
        stream.stop.set()
    for thread in threads:
        thread.join(timeout=300)
    print(  # the figures for docs/scale-out.md (pytest -s)
        f"move: {move_seconds:.1f} s; bookings {len(booked)}, reads"
        f" {len(reader.statuses)}; slowest booking {booker.slowest:.1f} s,"
        f" slowest read {reader.slowest:.1f} s"
    )
    return {
        "booker": booker,
        "reader": reader,
        "booked": booked,
        "booked_at_move_end": booked_at_move_end,
        "dentist": dentist,
    }


def test_clinic_moves_to_the_other_worker_while_serving(app_server_factory, alpha):
    schema = alpha.schema_name
    source = assert_lives_on_one_worker(schema)
    target = _other_worker(*source)
    port = app_server_factory(
        # Writes wait for the move: give them longer than gunicorn's 30 s.
        {"GUNICORN_CMD_ARGS": "--timeout 300 --threads 4", "DB_CONN_MAX_AGE": "60"},
        workers=2,
    )
    slots = _slots(alpha, world_dentist(alpha, "dentist2"), BOOKINGS)
    before = _table_digests(schema)

    run = _serve_while_moving(alpha, port, slots, target)
    booker, reader, booked = run["booker"], run["reader"], run["booked"]

    assert booker.failures == []
    assert reader.failures == []
    assert set(booker.statuses) == {HTTPStatus.CREATED}
    assert set(reader.statuses) == {HTTPStatus.OK}
    assert len(booked) > run["booked_at_move_end"] >= 10
    assert assert_lives_on_one_worker(schema) == target

    # No booking lost: every confirmed one is there, on the new worker.
    from chairside.scheduling.models import Appointment

    with schema_context(schema):
        stored = set(
            Appointment.objects.filter(pk__in=booked.values()).values_list(
                "pk", flat=True
            )
        )
    assert stored == set(booked.values())

    # The exclusion constraints still refuse a double booking.
    again = booker.call(
        "POST",
        "/api/appointments",
        json={
            "patient_id": world_patient(alpha, "patient2").pk,
            "dentist_id": run["dentist"].pk,
            "appointment_date": slots[0],
        },
    )
    assert again is not None
    assert again.status_code == HTTPStatus.CONFLICT
    assert again.json()["error"]["code"] == "appointment_slot_taken"

    # The new worker holds what the coordinator serves, table by table; the
    # tables the stream did not write are exactly as before the move.
    after = _table_digests(schema)
    assert _worker_digests(schema, *target) == after
    assert set(after) == set(before)
    unchanged = {t: d for t, d in after.items() if t not in WRITTEN}
    assert unchanged == {t: d for t, d in before.items() if t not in WRITTEN}
    # One row and one audit event per booking: the move copied rows without
    # firing the audit triggers again.
    for table in ("scheduling_appointment", "scheduling_appointmentevent"):
        assert after[table][0] == before[table][0] + len(booked), table
