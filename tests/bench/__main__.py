"""`python -m tests.bench [--quick] [--reseed]`: see docs/benchmarks.md."""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import time
from datetime import UTC, datetime

from tests.bench import env


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smoke run, < 3 min")
    parser.add_argument(
        "--reseed", action="store_true", help="drop and rebuild the bench database"
    )
    parser.add_argument("--seconds", type=float, help="duration of each load run")
    parser.add_argument(
        "--only", default="", help="comma-separated scenario names to run"
    )
    parser.add_argument(
        "--no-write", action="store_true", help="print, do not write docs/"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    log = logging.getLogger("bench")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("bench: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    from tests.bench.load import ensure_wrk

    ensure_wrk()
    created = env.ensure_database(recreate=args.reseed)
    os.environ.update(env.process_env())
    import django

    django.setup()
    from tests.bench import report, runner, seed, world

    started = time.perf_counter()
    log.info("migrating shared tables and the clinic template ...")
    migrate_s = world.migrate()
    existing = world.current_scale()
    # --quick reuses whatever world is there (the full one included).
    scale = (existing or seed.Scale.quick()) if args.quick else seed.Scale()
    log.info("seeding (reused when already there) ...")
    summary = world.ensure_world(scale, workers=world.seed_workers())
    # Migrations may have rewritten or indexed tables since the seed.
    seed.analyze(world.big_schema())
    seed_s = time.perf_counter() - started
    log.info("world ready in %.0f s: %s", seed_s, json.dumps(summary, default=str))

    seconds = args.seconds or (3.0 if args.quick else 10.0)
    only = {s for s in args.only.split(",") if s}
    results = runner.run_all(
        scale=scale, seconds=seconds, quick=args.quick, only=only or None
    )
    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": _machine(),
        "mode": "quick" if args.quick else "full",
        "seconds_per_run": seconds,
        "world": summary,
        "bench_db_created": created,
        "migrate_and_seed_s": round(seed_s, 1),
        "migrate_s": round(migrate_s, 1),
        "total_s": round(time.perf_counter() - started, 1),
    }
    text = report.render(meta, results)
    print(text)
    if not args.no_write:
        path = report.write(text, quick=args.quick)
        log.info("written to %s", path)
    return 0


def _machine() -> str:
    cpu = "unknown cpu"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as handle:
            mem_kb = int(handle.readline().split()[1])
    except OSError:
        mem_kb = 0
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_kb // 1024 // 1024} GiB RAM,"
        f" {platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
