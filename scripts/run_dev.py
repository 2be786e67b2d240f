#!/usr/bin/env python
"""`make run`'s process runner: the web server, a Celery worker and Celery
beat side by side, output prefixed by name. Ctrl-C (or any one of them
exiting) stops all three.

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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
COLOURS = {"web": "\033[36m", "worker": "\033[33m", "beat": "\033[35m"}


def commands(port: str) -> dict[str, list[str]]:
    celery = [PY, "-m", "celery", "-A", "config"]
    return {
        "web": [PY, "manage.py", "runserver", f"0.0.0.0:{port}"],
        "worker": [*celery, "worker", "--loglevel=INFO", "--concurrency=2"],
        "beat": [*celery, "beat", "--loglevel=INFO"],
    }


def pump(name: str, stream) -> None:
    colour = COLOURS[name] if sys.stdout.isatty() else ""
    reset = "\033[0m" if colour else ""
    for line in iter(stream.readline, b""):
        sys.stdout.write(f"{colour}{name:>6} |{reset} {line.decode(errors='replace')}")
        sys.stdout.flush()


def main() -> int:
    port = sys.argv[1] if len(sys.argv) > 1 else "8000"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    procs: dict[str, subprocess.Popen] = {}
    for name, argv in commands(port).items():
        procs[name] = subprocess.Popen(  # noqa: S603 - fixed commands
            argv,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us; we stop them in order
        )
        threading.Thread(
            target=pump, args=(name, procs[name].stdout), daemon=True
        ).start()

    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"{name} exited with {proc.returncode}; stopping the others")
                exit_code = proc.returncode or 1
                stopping = True
                break
        time.sleep(0.3)
    for proc in procs.values():
        if proc.poll() is None:
            # The leader only: Celery shuts its pool down warmly itself.
            proc.terminate()
    deadline = time.monotonic() + 15
    for proc in procs.values():
        try:
            proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
