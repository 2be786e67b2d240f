#!/usr/bin/env python
"""`make run`'s process runner: the web server, a Celery worker and Celery
beat side by side, output prefixed by name.

The web server is what the developer is using: if it exits, everything
stops. The worker and beat are helpers: one that dies is logged and started
again (after 1 s, then 2, 4 ... up to a minute while it keeps dying), and the
web server keeps serving. Ctrl-C stops all three.

Usage: run_dev.py <port>

A tiny supervisor rather than honcho/foreman: three fixed commands do not
need a Procfile tool, and this one runs wherever the venv's Python does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
COLOURS = {"web": "\033[36m", "worker": "\033[33m", "beat": "\033[35m", "run": ""}
MAIN = "web"
FIRST_BACKOFF, MAX_BACKOFF = 1.0, 60.0
# A helper that ran this long before dying starts again at FIRST_BACKOFF.
STABLE_SECONDS = 60.0
_print_lock = threading.Lock()


def commands(port: str) -> dict[str, list[str]]:
    celery = [PY, "-m", "celery", "-A", "config"]
    return {
        MAIN: [PY, "manage.py", "runserver", f"0.0.0.0:{port}"],
        "worker": [*celery, "worker", "--loglevel=INFO", "--concurrency=2"],
        "beat": [*celery, "beat", "--loglevel=INFO"],
    }


def say(name: str, text: str) -> None:
    colour = COLOURS[name] if sys.stdout.isatty() else ""
    reset = "\033[0m" if colour else ""
    with _print_lock:
        sys.stdout.write(f"{colour}{name:>6} |{reset} {text}")
        sys.stdout.flush()


def pump(name: str, stream: IO[bytes]) -> None:
    for line in iter(stream.readline, b""):
        say(name, line.decode(errors="replace"))


@dataclass
class Process:
    name: str
    argv: list[str]
    env: dict[str, str]
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    backoff: float = FIRST_BACKOFF
    restart_at: float | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - fixed commands
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us; we stop them in order
        )
        self.started_at, self.restart_at = time.monotonic(), None
        say("run", f"{self.name} started (pid {self.proc.pid})\n")
        threading.Thread(
            target=pump, args=(self.name, self.proc.stdout), daemon=True
        ).start()

    def exited(self) -> int | None:
        """The exit code once it has exited and no restart is pending yet."""
        if self.proc is None or self.restart_at is not None:
            return None
        return self.proc.poll()

    def schedule_restart(self, code: int) -> None:
        now = time.monotonic()
        if now - self.started_at >= STABLE_SECONDS:
            self.backoff = FIRST_BACKOFF
        say(
            "run", f"{self.name} exited with {code}; restarting in {self.backoff:g} s\n"
        )
        self.restart_at = now + self.backoff
        self.backoff = min(self.backoff * 2, MAX_BACKOFF)

    def restart_if_due(self) -> None:
        if self.restart_at is not None and time.monotonic() >= self.restart_at:
            self.start()


def stop_all(processes: list[Process]) -> None:
    running = [p.proc for p in processes if p.proc and p.proc.poll() is None]
    for proc in running:
        # The leader only: Celery shuts its pool down warmly itself.
        proc.terminate()
    deadline = time.monotonic() + 15
    for proc in running:
        try:
            proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def main() -> int:
    port = sys.argv[1] if len(sys.argv) > 1 else "8000"
    # Beat's schedule file, the file broker, mail and the embedded database
    # live here; a fresh clone has no var/ yet.
    (ROOT / "var").mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    processes = [Process(name, argv, env) for name, argv in commands(port).items()]
    for process in processes:
        process.start()

    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for process in processes:
            code = process.exited()
            if code is None:
                process.restart_if_due()
            elif process.name == MAIN:
                say("run", f"{MAIN} exited with {code}; stopping the others\n")
                # A signal (negative code) is a failure too.
                exit_code, stopping = code if code > 0 else 1, True
                break
            else:
                process.schedule_restart(code)
        time.sleep(0.3)
    stop_all(processes)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
