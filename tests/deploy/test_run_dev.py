"""scripts/run_dev.py (`make run`) for real: runserver, a Celery worker and
beat on config.settings.dev, pointed at the test database."""

from __future__ import annotations

import http.client
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from chairside.core.pg_address import conninfo, database_url
from conftest import ROOT, free_port

# The children read the committed world; the test's transaction is unused.
pytestmark = pytest.mark.django_db

APP_NAME = f"run-dev-test-{uuid.uuid4().hex[:8]}"


class RunDev:
    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DJANGO_SETTINGS_MODULE": "tests.deploy.run_dev_settings",
            "DATABASE_URL": database_url(),
            "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}",
            # Every connection it opens is recognisable in pg_stat_activity.
            "PGAPPNAME": APP_NAME,
            "CELERY_QUEUE": f"run-dev-{uuid.uuid4().hex[:8]}",
            "CELERY_BROKER_DIR": str(tmp / "broker"),
            "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp / "var" / "celerybeat-schedule"),
        }
        self.lines: queue.Queue[str] = queue.Queue()
        self.proc = subprocess.Popen(  # noqa: S603
            [sys.executable, str(ROOT / "scripts" / "run_dev.py"), str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        self.log: list[str] = []

    def _read(self) -> None:
        for line in self.proc.stdout:  # type: ignore[union-attr]
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float = 120) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.proc.poll() is None, "".join(self.log[-40:])
                continue
            self.log.append(line)
            if match := re.search(pattern, line):
                return match
        raise AssertionError(f"no {pattern!r} in:\n{''.join(self.log[-40:])}")

    def get(self, path: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path, headers={"Host": "localhost"})
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    def wait_until_serving(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.get("/health/live") == 200:
                    return
            except OSError:
                pass
            assert self.proc.poll() is None, "".join(self.log[-40:])
            assert time.monotonic() < deadline, "runserver never answered"
            time.sleep(0.3)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


@pytest.fixture
def run_dev(django_db_setup, tmp_path: Path) -> Iterator[RunDev]:
    runner = RunDev(tmp_path)
    try:
        yield runner
    finally:
        runner.stop()


def _connections_of_run_dev() -> int:
    with psycopg.connect(conninfo(), autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            [APP_NAME],
        ).fetchone()[0]


def test_a_helper_that_dies_is_restarted_and_the_web_server_keeps_serving(
    run_dev: RunDev,
):
    beat_pid = int(run_dev.wait_for(r"beat started \(pid (\d+)\)")[1])
    run_dev.wait_until_serving()
    # Beat got far enough to write its schedule file in a folder that did
    # not exist (var/ on a fresh clone).
    run_dev.wait_for(r"beat: Starting")

    os.killpg(beat_pid, signal.SIGKILL)
    run_dev.wait_for(r"beat exited with -9; restarting in 1 s")
    assert run_dev.get("/health/live") == 200
    new_pid = int(run_dev.wait_for(r"beat started \(pid (\d+)\)", timeout=30)[1])
    assert new_pid != beat_pid
    assert run_dev.proc.poll() is None
    assert run_dev.get("/health/live") == 200


def test_the_web_server_exiting_stops_everything(run_dev: RunDev):
    web_pid = int(run_dev.wait_for(r"web started \(pid (\d+)\)")[1])
    run_dev.wait_until_serving()
    os.killpg(web_pid, signal.SIGTERM)
    run_dev.wait_for(r"web exited with")
    assert run_dev.proc.wait(timeout=30) != 0


def test_the_dev_server_keeps_no_connection_after_a_burst(run_dev: RunDev):
    run_dev.wait_until_serving()
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda _n: run_dev.get("/"), range(60)))
    assert set(statuses) == {200}
    # Worker and beat may each hold one; runserver's request threads none.
    assert _connections_of_run_dev() <= 2


def test_dev_settings_connect_per_request_and_production_keeps_connections():
    code = (
        "from django.conf import settings;"
        "print(settings.DATABASES['default']['CONN_MAX_AGE'])"
    )
    ages = {}
    for module in ("config.settings.dev", "config.settings.test"):
        env = {k: v for k, v in os.environ.items() if k != "DB_CONN_MAX_AGE"}
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            cwd=ROOT,
            env={
                **env,
                "DJANGO_SETTINGS_MODULE": module,
                "DATABASE_URL": database_url(),
            },
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        ages[module] = int(result.stdout.split()[-1])
    # test runs on base.py's value, the one production uses.
    assert ages == {"config.settings.dev": 0, "config.settings.test": 60}
