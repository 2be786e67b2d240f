"""The physical ceiling: raw psycopg SELECT by primary key, no Django at all."""

from __future__ import annotations

import multiprocessing
import random
import statistics
import time

import psycopg

from tests.bench.env import bench_url, libpq_conninfo


def _worker(args: tuple[str, str, int, float, int]) -> list[float]:
    url, schema, max_id, seconds, seed = args
    rng = random.Random(seed)  # noqa: S311
    latencies: list[float] = []
    columns = "id, first_name, last_name, email, phone, date_of_birth"
    table = f'"{schema}".patients_patient'  # our own schema name, not input
    sql = f"SELECT {columns} FROM {table} WHERE id = %s"  # noqa: S608
    with psycopg.connect(libpq_conninfo(url), autocommit=True) as conn:
        cur = conn.cursor()
        deadline = time.perf_counter() + seconds
        while True:
            started = time.perf_counter()
            if started > deadline:
                break
            cur.execute(sql, [rng.randint(1, max_id)], prepare=True)
            cur.fetchone()
            latencies.append(time.perf_counter() - started)
    return latencies


def raw_select(schema: str, max_id: int, *, seconds: float, processes: int = 2):
    """Throughput and latency of SELECT by PK from `processes` processes."""
    from tests.bench.load import Result

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(processes) as pool:
        runs = pool.map(
            _worker,
            [(bench_url(), schema, max_id, seconds, i) for i in range(processes)],
        )
    latencies = sorted(x for run in runs for x in run)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    return Result(
        name="raw psycopg SELECT by PK",
        clients=processes,
        rps=round(len(latencies) / seconds, 1),
        p50_ms=round(statistics.median(latencies) * 1000, 3),
        p99_ms=round(p99 * 1000, 3),
        statuses={"200": len(latencies)},
    )
