"""Drive a server with wrk (a separate C process) and read its numbers back.

Each scenario is a Lua script: it picks the request (path, host, token,
body) per call from tables written by the orchestrator, and prints a JSON
line at the end with throughput, p50/p99 and a count per status code.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

LUA_TEMPLATE = r"""
local requests_tbl = {REQUESTS}
-- Globals, not locals: setup() sets thread_index in each thread's state.
counter = 0
thread_index = 0
local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = thread_index * 7919
end

function request()
  counter = counter + 1
  local r = requests_tbl[(counter % #requests_tbl) + 1]
  return wrk.format(r[1], r[2], r[3], r[4])
end

function response(status, headers, body)
  local key = "st_" .. status
  _G[key] = (_G[key] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, t in ipairs(threads) do
    for code = 100, 599 do
      local n = t:get("st_" .. code)
      if n then merged[code] = (merged[code] or 0) + n end
    end
  end
  local parts = {}
  for code, n in pairs(merged) do
    table.insert(parts, string.format('"%d": %d', code, n))
  end
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d,'
    .. ' "p99_us": %d, "max_us": %d, "socket_errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    table.concat(parts, ", ")))
end
"""


@dataclass
class Request:
    path: str
    host: str
    token: str | None = None
    method: str = "GET"
    body: str | None = None
    cookie: str | None = None

    def lua(self) -> str:
        headers = {"Host": self.host}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.body is not None:
            headers["Content-Type"] = "application/json"
        items = ", ".join(
            f"[{_lua_str(k)}] = {_lua_str(v)}" for k, v in headers.items()
        )
        body = _lua_str(self.body) if self.body is not None else "nil"
        return (
            f"{{{_lua_str(self.method)}, {_lua_str(self.path)}, {{{items}}}, {body}}}"
        )


def _lua_str(value: str) -> str:
    # A JSON string is a valid Lua string literal once no \u escapes remain.
    return json.dumps(value, ensure_ascii=False)


@dataclass
class Result:
    name: str
    clients: int
    rps: float
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int] = field(default_factory=dict)
    socket_errors: int = 0
    note: str = ""

    def non_2xx(self, allowed: tuple[int, ...] = ()) -> int:
        return sum(
            n
            for code, n in self.statuses.items()
            if not 200 <= int(code) < 300 and int(code) not in allowed
        )


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    # Debian's package: the harness installs what it needs when missing.
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)  # noqa: S607
    path = shutil.which("wrk")
    if not path:
        raise SystemExit("wrk is not installed and could not be installed")
    return path


def run_wrk(
    name: str,
    port: int,
    requests: list[Request],
    *,
    clients: int,
    seconds: float,
    threads: int = 2,
    timeout_s: int = 10,
) -> Result:
    script = LUA_TEMPLATE.replace(
        "{REQUESTS}", "{" + ",\n".join(r.lua() for r in requests) + "}"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
        lua_path = handle.name
    try:
        proc = subprocess.run(  # noqa: S603
            [
                ensure_wrk(),
                f"-t{min(threads, clients)}",
                f"-c{clients}",
                f"-d{max(1, round(seconds))}s",
                f"--timeout={timeout_s}s",
                "-s",
                lua_path,
                f"http://127.0.0.1:{port}{requests[0].path}",
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=seconds + 60,
        )
    finally:
        Path(lua_path).unlink(missing_ok=True)
    line = next(
        (ln for ln in proc.stdout.splitlines() if ln.startswith("WRKJSON ")), None
    )
    if line is None:
        raise RuntimeError(f"wrk failed for {name}: {proc.stdout}\n{proc.stderr}")
    data = json.loads(line.removeprefix("WRKJSON "))
    seconds_run = data["duration_us"] / 1e6
    return Result(
        name=name,
        clients=clients,
        rps=round(data["requests"] / seconds_run, 1),
        p50_ms=round(data["p50_us"] / 1000, 2),
        p99_ms=round(data["p99_us"] / 1000, 2),
        statuses={str(k): v for k, v in data["statuses"].items()},
        socket_errors=data["socket_errors"],
    )
