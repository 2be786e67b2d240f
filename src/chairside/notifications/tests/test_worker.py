"""End to end: real Redis, real `celery worker` (and beat) processes on the
test database, reminder emails landing in a folder the test reads.

The rows these tests make are committed (a worker process cannot see a test
transaction), so each test removes them itself. Redis DB 13 and a queue name
unique to this session keep parallel runs apart.
"""

from __future__ import annotations

import contextlib
import email
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from tenant_schemas_celery.app import CeleryApp

from chairside.notifications.models import Reminder
from chairside.notifications.tests.factories import (
    delete_appointment_world,
    make_appointment,
)
from chairside.notifications.tests.outbox import outbox_messages
from conftest import ROOT, access_token_for, free_port, world_user

REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 13
QUEUE = f"chairside-test-{uuid.uuid4().hex[:8]}"


def _redis_up() -> bool:
    try:
        return redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_timeout=1).ping()
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not _redis_up(), reason="needs Redis on 6379")


def broker_url(port: int = REDIS_PORT) -> str:
    return f"redis://{REDIS_HOST}:{port}/{REDIS_DB}"


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Processes:
    """Worker and beat processes of one test, and the committed rows."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.outbox = tmp / "outbox"
        self.outbox.mkdir()
        self.procs: list[tuple[subprocess.Popen, Path]] = []
        self.appointments: list = []
        self.publisher = CeleryApp("e2e-publisher", broker=broker_url())
        self.publisher.conf.task_default_queue = QUEUE

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "chairside.notifications.tests.worker_settings",
            "CHILD_DATABASE_NAME": connection.settings_dict["NAME"],
            "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}",
            "REDIS_URL": broker_url(),
            "CELERY_QUEUE": QUEUE,
            "E2E_OUTBOX_DIR": str(self.outbox),
            "REMINDER_SCAN_SECONDS": "1",
            "CELERY_BEAT_SCHEDULE_FILENAME": str(self.tmp / f"beat-{uuid.uuid4().hex}"),
            **extra,
        }

    def start(self, kind: str = "worker", **extra: str) -> subprocess.Popen:
        name = f"{kind}-{len(self.procs)}"
        log = self.tmp / f"{name}.log"
        args = [sys.executable, "-m", "chairside.notifications.tests.worker_main"]
        if kind == "worker":
            args += [
                "-A", "config", "worker", "--pool=solo", "-Q", QUEUE,
                "-n", f"{name}-{uuid.uuid4().hex[:6]}@%h",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                "--loglevel=INFO",
            ]  # fmt: skip
        else:
            args += ["-A", "config", "beat", "--loglevel=INFO"]
        with log.open("wb") as out:
            proc = subprocess.Popen(  # noqa: S603
                args,
                cwd=ROOT,
                env=self.env(**extra),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.procs.append((proc, log))
        if kind == "worker":
            wait_for(lambda: b" ready." in log.read_bytes(), 60, f"{name} ready")
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        for proc, _log in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc, _log in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill(proc)

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}"
            for _p, log in self.procs
        )

    def scan(self, clinic) -> None:
        """What beat does every REMINDER_SCAN_SECONDS, for one clinic."""
        with tenant_context(clinic):
            self.publisher.send_task("notifications.reminders_scan", queue=QUEUE)

    def send(self, clinic, reminder_id: int) -> None:
        with tenant_context(clinic):
            self.publisher.send_task(
                "notifications.reminder_send", args=[reminder_id], queue=QUEUE
            )

    def emails(self) -> list[email.message.Message]:
        return [
            email.message_from_string(text) for text in outbox_messages(self.outbox)
        ]

    def book(self, clinic, *, starts_in: timedelta, **kwargs):
        with tenant_context(clinic):
            appointment = make_appointment(
                starts_at=timezone.now() + starts_in, **kwargs
            )
        self.appointments.append((clinic, appointment))
        return appointment


@pytest.fixture
def e2e(django_db_setup, django_db_blocker, tmp_path) -> Iterator[Processes]:
    with django_db_blocker.unblock():
        processes = Processes(tmp_path)
        try:
            yield processes
        finally:
            processes.stop_all()
            for clinic, appointment in processes.appointments:
                with tenant_context(clinic):
                    delete_appointment_world([appointment])
            connection.set_schema_to_public()
            client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)
            for key in client.scan_iter(match=f"*{QUEUE}*"):
                client.delete(key)


def alpha_and_beta():
    from tenants.models import Clinic

    return Clinic.objects.get(slug="alpha"), Clinic.objects.get(slug="beta")


def reminders_of(clinic) -> list[Reminder]:
    with tenant_context(clinic):
        return list(Reminder.objects.order_by("id"))


@pytest.mark.django_db
def test_tasks_queued_in_a_clinic_carry_its_schema(alpha):
    """What the worker relies on to pick the schema (and, being a database
    test, what makes `pytest this_file.py` create the test database)."""
    from tenant_schemas_celery.task import headers_with_schema

    with tenant_context(alpha):
        assert headers_with_schema({}) == {"_schema_name": alpha.schema_name}


def test_booked_appointment_reminded_once_when_the_clock_reaches_it(e2e):
    alpha, _beta = alpha_and_beta()
    appointment = e2e.book(alpha, starts_in=timedelta(hours=26))
    worker = e2e.start()
    e2e.scan(alpha)
    e2e.scan(alpha)
    time.sleep(2)
    assert e2e.emails() == []
    assert reminders_of(alpha) == []
    e2e.stop_all()

    # Three hours later (the worker's clock moves; beat fires twice).
    later = timezone.now() + timedelta(hours=3)
    worker = e2e.start(FAKE_NOW=later.isoformat())
    started = time.monotonic()
    e2e.scan(alpha)
    e2e.scan(alpha)
    wait_for(e2e.emails, 30, "the reminder email")
    elapsed = time.monotonic() - started
    e2e.scan(alpha)
    time.sleep(2)
    [message] = e2e.emails()
    assert message["To"] == appointment.patient.email
    assert f"http://{alpha.host}" in message.get_payload(decode=True).decode()
    [reminder] = reminders_of(alpha)
    assert (reminder.status, reminder.offset_minutes, reminder.attempts) == (
        "sent",
        1440,
        1,
    )
    print(f"\nE2E: booked -> email through a real worker in {elapsed:.2f}s")
    assert worker.poll() is None


def test_two_workers_racing_send_each_reminder_once(e2e):
    alpha, _beta = alpha_and_beta()
    count = int(os.environ.get("E2E_REMINDERS", "40"))  # raise it to measure
    for n in range(count):
        e2e.book(alpha, starts_in=timedelta(hours=20, seconds=n * 5))
    e2e.start()
    e2e.start()
    started = time.monotonic()
    e2e.scan(alpha)
    e2e.scan(alpha)  # beat firing twice
    ids = wait_for(
        lambda: (
            len(reminders_of(alpha)) == count and [r.pk for r in reminders_of(alpha)]
        ),
        30,
        "all reminders claimed",
    )
    for reminder_id in ids:  # and every send queued twice more
        e2e.send(alpha, reminder_id)
        e2e.send(alpha, reminder_id)
    wait_for(lambda: len(e2e.emails()) >= count, 90, f"{count} emails")
    elapsed = time.monotonic() - started
    time.sleep(2)
    messages = e2e.emails()
    assert len(messages) == count, e2e.logs()
    assert len({m["Message-ID"] for m in messages}) == count
    assert len({m["To"] for m in messages}) == count
    assert {r.status for r in reminders_of(alpha)} == {"sent"}
    print(
        f"\nE2E: {count} reminders, 2 solo workers, every send queued 3x: "
        f"{elapsed:.2f}s ({count / elapsed:.1f}/s)"
    )


def test_worker_killed_mid_send_then_restarted_sends_exactly_one(e2e):
    alpha, _beta = alpha_and_beta()
    e2e.book(alpha, starts_in=timedelta(hours=20))
    worker = e2e.start(SLOW_EMAIL_SECONDS="60", CELERY_VISIBILITY_TIMEOUT="5")
    e2e.scan(alpha)
    wait_for(lambda: list(e2e.outbox.glob("sending-*")), 30, "the send to begin")
    e2e.kill(worker)  # SIGKILL in the middle of sending
    assert e2e.emails() == []
    [reminder] = reminders_of(alpha)
    # The claim's transaction died with the worker: still pending, unlocked.
    assert (reminder.status, reminder.attempts) == ("pending", 0)

    e2e.start(CELERY_VISIBILITY_TIMEOUT="5")
    e2e.scan(alpha)  # the next beat tick
    wait_for(e2e.emails, 30, "the email after restart")
    # Let the killed worker's unacked message come back too (visibility 5 s).
    time.sleep(8)
    e2e.scan(alpha)
    time.sleep(2)
    assert len(e2e.emails()) == 1, e2e.logs()
    [reminder] = reminders_of(alpha)
    assert (reminder.status, reminder.attempts) == ("sent", 1)


def test_beat_runs_each_clinic_in_its_own_schema(e2e):
    alpha, beta = alpha_and_beta()
    in_alpha = e2e.book(alpha, starts_in=timedelta(hours=20))
    in_beta = e2e.book(beta, starts_in=timedelta(hours=21))
    e2e.start()
    e2e.start("beat")  # every second, fanned out to every active clinic
    wait_for(lambda: len(e2e.emails()) >= 2, 60, "one email per clinic")
    time.sleep(3)  # a few more beats
    by_recipient = {m["To"]: m for m in e2e.emails()}
    assert set(by_recipient) == {in_alpha.patient.email, in_beta.patient.email}
    alpha_body = by_recipient[in_alpha.patient.email].get_payload(decode=True).decode()
    beta_body = by_recipient[in_beta.patient.email].get_payload(decode=True).decode()
    assert alpha.host in alpha_body
    assert beta.host in beta_body
    assert alpha.name in by_recipient[in_alpha.patient.email]["Subject"]
    assert [r.appointment_id for r in reminders_of(alpha)] == [in_alpha.pk]
    assert [r.appointment_id for r in reminders_of(beta)] == [in_beta.pk]


class CuttableProxy:
    """A TCP forwarder to Redis that can be cut and restored, to take Redis
    "down" for the app and the workers without touching the real server."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.conns: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.lock = threading.Lock()

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        with self.lock:
            if self.listener is not None:
                self.listener.close()
                self.listener = None
            for conn in self.conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self.conns.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _addr = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class AppClient:
    """urllib against the app server a test started, on one clinic's host."""

    def __init__(self, port: int, host: str, token: str) -> None:
        self.base, self.host, self.token = f"http://127.0.0.1:{port}", host, token

    def _open(self, request: urllib.request.Request) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def get(self, path: str, auth: bool = False) -> tuple[int, bytes]:
        headers = {"Host": self.host, "Accept": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.base + path, headers=headers)  # noqa: S310
        return self._open(request)

    def post(self, path: str) -> tuple[int, bytes]:
        headers = {
            "Host": self.host,
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.token}",
        }
        request = urllib.request.Request(  # noqa: S310 - our own test server
            self.base + path, data=b"{}", method="POST", headers=headers
        )
        return self._open(request)


def test_redis_down_app_serves_ready_reports_broker_and_work_resumes(
    e2e, app_server_factory
):
    alpha, _beta = alpha_and_beta()
    proxy = CuttableProxy((REDIS_HOST, REDIS_PORT))
    proxy.up()
    via_proxy = {"REDIS_URL": f"redis://127.0.0.1:{proxy.port}/{REDIS_DB}"}
    port = app_server_factory(via_proxy)
    e2e.start(**via_proxy)
    e2e.start("beat", **via_proxy)
    token = access_token_for(world_user(alpha, "receptionist"), alpha)

    app = AppClient(port, alpha.host, token)
    get, post = app.get, app.post

    status, _body = get("/health/ready")
    assert status == HTTPStatus.OK

    proxy.down()
    started = time.monotonic()
    status, body = get("/health/ready")
    ready_seconds = time.monotonic() - started
    assert status == HTTPStatus.INTERNAL_SERVER_ERROR
    report = json.loads(body)
    broker = [value for name, value in report.items() if "CeleryBroker" in name]
    assert broker, report
    assert "unreachable" in broker[0]
    assert get("/health/live")[0] == HTTPStatus.OK
    assert get("/api/reminders?status=failed", auth=True)[0] == HTTPStatus.OK
    assert get("/")[0] == HTTPStatus.OK

    # Staff retrying a failed reminder while the broker is down: the request
    # does not wait on the broker (the next scan after recovery sends it).
    later = e2e.book(alpha, starts_in=timedelta(days=5))
    with tenant_context(alpha):
        failed = Reminder.objects.create(
            key=f"e2e-failed-{later.pk}",
            kind="appointment",
            channel="email",
            status="failed",
            appointment=later,
            appointment_starts_at=later.starts_at,
            offset_minutes=1440,
            due_at=timezone.now(),
            recipient=later.patient.email,
            attempts=5,
            last_error="SMTP down",
        )
    started = time.monotonic()
    status, _body = post(f"/api/reminders/{failed.pk}/retry")
    retry_seconds = time.monotonic() - started
    assert status == HTTPStatus.OK
    assert retry_seconds < 5

    appointment = e2e.book(alpha, starts_in=timedelta(hours=20))
    time.sleep(4)  # beat ticks, nothing gets through
    assert e2e.emails() == []

    proxy.up()
    back = time.monotonic()
    wait_for(e2e.emails, 90, "the reminder after Redis returns")
    resumed_seconds = time.monotonic() - back
    [message] = e2e.emails()
    assert message["To"] == appointment.patient.email
    wait_for(lambda: get("/health/ready")[0] == HTTPStatus.OK, 20, "ready again")
    print(
        f"\nE2E: Redis down: /health/ready answered in {ready_seconds:.2f}s, "
        f"staff retry in {retry_seconds:.2f}s; "
        f"reminder went out {resumed_seconds:.2f}s after Redis came back"
    )
    proxy.down()


def test_without_redis_the_filesystem_broker_carries_reminders(e2e):
    """`make run` without REDIS_URL: kombu's filesystem transport, worker and
    beat sharing one folder, no Redis involved."""
    alpha, _beta = alpha_and_beta()
    broker_dir = e2e.tmp / "broker"
    for sub in ("queue", "control"):
        (broker_dir / sub).mkdir(parents=True)
    no_redis = {"REDIS_URL": "", "CELERY_BROKER_DIR": str(broker_dir)}
    appointment = e2e.book(alpha, starts_in=timedelta(hours=20))
    e2e.start(**no_redis)
    e2e.start("beat", **no_redis)
    started = time.monotonic()
    wait_for(e2e.emails, 60, "the reminder through the filesystem broker")
    elapsed = time.monotonic() - started
    time.sleep(3)  # more beats: still one
    [message] = e2e.emails()
    assert message["To"] == appointment.patient.email
    print(
        f"\nE2E: filesystem broker (no Redis): reminder sent {elapsed:.2f}s after start"
    )
