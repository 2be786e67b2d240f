"""gunicorn servers for the benchmark, each in its own process group."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from tests.bench.env import ROOT, process_env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def default_workers() -> int:
    # As docker/entrypoint.sh: 2 x cores + 1.
    return 2 * (os.cpu_count() or 1) + 1


class Server:
    """The app (or a baseline) under gunicorn on 127.0.0.1, production-like."""

    def __init__(self, name: str, settings_module: str, extra_env: dict | None = None):
        self.name = name
        self.port = free_port()
        env = {**process_env(settings_module), **(extra_env or {})}
        args = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
        # As docker/entrypoint.sh: gthread, 2 x CPUs + 1 workers, 4 threads.
        args += [
            "--workers",
            str(default_workers()),
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--timeout",
            "60",
            "--max-requests",
            "20000",
            "--max-requests-jitter",
            "2000",
            "--worker-tmp-dir",
            "/dev/shm",  # noqa: S108 - as the Docker image
        ]
        args += [
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            "--access-logfile",
            "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
        ]
        self.log = ROOT / "var" / "bench" / f"server-{name}.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(  # noqa: S603
            args,
            cwd=ROOT,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.command = " ".join(args[2:])

    def wait_ready(self, host: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} server exited: {self.log.read_text()[-3000:]}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.5) as s:
                    s.sendall(
                        f"GET /health/live HTTP/1.0\r\nHost: {host}\r\n\r\n".encode()
                    )
                    if s.recv(64):
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} server did not start in {timeout} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
