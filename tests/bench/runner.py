"""The measurements: servers up, scenarios driven by wrk, baselines, timings."""

from __future__ import annotations

import http.client
import json
import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from time import sleep
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from chairside.accounts.models import User
from chairside.accounts.services import tokens_issue
from chairside.patients.models import Patient
from chairside.scheduling.models import Appointment
from tenants.models import Clinic
from tests.bench import baselines, chart, report, seed, timings
from tests.bench.load import Request, Result, run_wrk
from tests.bench.servers import Server

log = logging.getLogger("bench")
# One client at a time gives each endpoint's server time (plus loopback);
# 8 and 64 give throughput and latency under load.
CLIENTS = (1, 8, 64)
# Unmeasured load before each scenario's figures (see _drive); spreading over
# hundreds of clinics needs longer: every worker and every PostgreSQL backend
# meets every clinic's tables before it is warm.
WARMUP_SECONDS = 3.0
SPREAD_WARMUP_SECONDS = 20.0
QUICK = {"on": False}  # --quick: 8 clients only, to stay under 3 minutes


@dataclass
class World:
    scale: seed.Scale
    big: Clinic
    big_host: str
    admin_token: str  # reads medical history (each read is audited: a write)
    token: str  # the receptionist's: the front desk, the busiest caller
    session_cookie: str
    small_hosts: list[tuple[str, str]] = field(default_factory=list)  # host, token
    max_appointment_id: int = 0
    chart_patient_id: int = 0  # has chart.CHART_ENTRIES entries


@dataclass
class Scenario:
    name: str
    requests: list[Request]
    allowed: tuple[int, ...] = ()  # designed non-2xx answers (409s)
    note: str = ""


def _host(clinic: Clinic) -> str:
    return f"{clinic.slug}.{settings.BASE_DOMAIN}"


def _session_cookie(clinic: Clinic, user: User) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    with schema_context(clinic.schema_name):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def build_world(scale: seed.Scale, small_count: int) -> World:
    connection.set_schema_to_public()
    big = Clinic.objects.get(slug=seed.BIG_SLUG)
    with schema_context(big.schema_name):
        admin = User.objects.get(email=f"admin@{big.slug}.bench")
        receptionist = User.objects.get(email=f"receptionist@{big.slug}.bench")
        admin_token = tokens_issue(user=admin).access
        token = tokens_issue(user=receptionist).access
        max_id = Appointment.objects.order_by("-id").values_list("id", flat=True)[0]
        chart_patient = Patient.objects.get(pk=chart.CHART_PATIENT_ID)
        added = chart.chart_seed(patient=chart_patient, dentist_id=1)
        if added:
            log.info("charted %d entries for patient %d", added, chart_patient.pk)
    world = World(
        scale=scale,
        big=big,
        big_host=_host(big),
        admin_token=admin_token,
        token=token,
        session_cookie=_session_cookie(big, receptionist),
        max_appointment_id=max_id,
        chart_patient_id=chart_patient.pk,
    )
    slugs = [seed.small_slug(i) for i in range(1, small_count + 1)]
    for clinic in Clinic.objects.filter(slug__in=slugs).order_by("slug"):
        with schema_context(clinic.schema_name):
            user = User.objects.get(email=f"receptionist@{clinic.slug}.bench")
            world.small_hosts.append((_host(clinic), tokens_issue(user=user).access))
    connection.set_schema_to_public()
    return world


def _week_bounds(tz: ZoneInfo, weeks_from_now: int) -> tuple[datetime, datetime]:
    today = datetime.now(tz).date()
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks_from_now)
    start = datetime.combine(monday, time(0), tz)
    return start, start + timedelta(days=7)


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+", "%2B")


def scenarios(world: World) -> list[Scenario]:
    rng = random.Random(42)  # noqa: S311
    host, token = world.big_host, world.token
    tz = ZoneInfo(world.big.time_zone)
    n = world.scale.patients
    out: list[Scenario] = []

    def req(path: str, **kw) -> Request:
        return Request(path=path, host=host, token=token, **kw)

    out.append(
        Scenario(
            "GET /api/patients/{id}",
            [req(f"/api/patients/{rng.randint(1, n)}") for _ in range(2000)],
        )
    )
    out.append(
        Scenario(
            "GET /api/patients/{id} as admin (audited history read)",
            [
                Request(
                    path=f"/api/patients/{rng.randint(1, n)}",
                    host=host,
                    token=world.admin_token,
                )
                for _ in range(2000)
            ],
        )
    )
    terms = sorted({name[:3].lower() for name in seed.LAST_NAMES + seed.FIRST_NAMES})
    out.append(
        Scenario(
            "GET /api/patients?q=",
            [req(f"/api/patients?q={quote(rng.choice(terms))}") for _ in range(500)],
        )
    )
    calendar = []
    for _ in range(500):
        start, end = _week_bounds(tz, rng.randint(-40, 20))
        dentist = rng.randint(1, world.scale.dentists)
        calendar.append(
            req(
                f"/api/appointments?dentist={dentist}&from={_iso(start)}"
                f"&to={_iso(end)}&limit=200"
            )
        )
    out.append(Scenario("GET /api/appointments (dentist-week)", calendar))
    availability = []
    for _ in range(200):
        start, end = _week_bounds(tz, rng.randint(1, 20))
        availability.append(
            req(f"/api/availability?from={_iso(start)}&to={_iso(end)}&duration=30")
        )
    out.append(Scenario("GET /api/availability (week, all dentists)", availability))
    out.append(
        Scenario(
            "POST /api/appointments (half conflicting)",
            booking_requests(world, rng),
            allowed=(409,),
        )
    )
    out.append(
        Scenario(
            # As an admin: a clinician's answer, clinical notes included. Each
            # read is audited (an INSERT), as every chart read is.
            f"GET /api/patients/{{id}}/chart ({chart.CHART_ENTRIES} entries)",
            [
                Request(
                    path=f"/api/patients/{world.chart_patient_id}/chart",
                    host=host,
                    token=world.admin_token,
                )
            ],
        )
    )
    out.append(
        Scenario(
            "GET /api/billing/invoices?status=overdue",
            [
                Request(
                    path="/api/billing/invoices?status=overdue",
                    host=host,
                    token=world.admin_token,
                )
            ],
        )
    )
    out.append(
        Scenario(
            "staff calendar page (week)",
            [Request(path="/app/calendar/", host=host, cookie=world.session_cookie)],
        )
    )
    events = []
    for _ in range(200):
        start, end = _week_bounds(tz, rng.randint(-40, 20))
        events.append(
            Request(
                path=f"/app/calendar/events/?start={_iso(start)}&end={_iso(end)}",
                host=host,
                cookie=world.session_cookie,
            )
        )
    out.append(Scenario("staff calendar week events (all dentists)", events))
    return out


def booking_requests(world: World, rng: random.Random) -> list[Request]:
    """Alternating: a free slot after the seeded range, then a taken one."""
    tz = ZoneInfo(world.big.time_zone)
    first_free = datetime.now(tz).date() + timedelta(days=world.scale.days_after + 7)
    free: list[tuple[datetime, int, int]] = []
    day = first_free
    while len(free) < 6000:
        if day.weekday() != 6:
            for slot in range(24):  # 07:00 .. 19:00 in 30-minute slots
                start = datetime.combine(day, time(7), tz) + timedelta(
                    minutes=30 * slot
                )
                for k in range(min(world.scale.chairs, world.scale.dentists)):
                    free.append((start, k + 1, k + 1))
        day += timedelta(days=1)
    with schema_context(world.big.schema_name):
        taken = list(
            Appointment.objects.filter(
                status__in=("scheduled", "confirmed"),
                starts_at__gt=datetime.now(tz) + timedelta(days=2),
            ).values_list("starts_at", "dentist_id", "chair_id", "duration_minutes")[
                :3000
            ]
        )
    requests = []
    for i, slot in enumerate(free):
        start, dentist, chair = slot
        duration = 30
        if i % 2 and taken:
            # Exactly a booked visit's time: a conflict, never a request that
            # would also run past the dentist's hours (a 400, not a 409).
            taken_start, dentist, chair, duration = taken[(i // 2) % len(taken)]
            start = taken_start.astimezone(tz)
        body = {
            "patient_id": rng.randint(1, world.scale.patients),
            "dentist_id": dentist,
            "chair_id": chair,
            "starts_at": start.isoformat(),
            "appointment_date": start.isoformat(),
            "duration_minutes": duration,
            "reason": "bench",
        }
        requests.append(
            Request(
                path="/api/appointments",
                host=world.big_host,
                token=world.token,
                method="POST",
                body=json.dumps(body),
            )
        )
    return requests


def probe(port: int, request: Request, timeout: float = 120) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Host": request.host}
    if request.token:
        headers["Authorization"] = f"Bearer {request.token}"
    if request.cookie:
        headers["Cookie"] = request.cookie
    if request.body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(request.method, request.path, body=request.body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()[:300].decode(errors="replace")


def _drive(
    name: str,
    port: int,
    requests: list[Request],
    seconds: float,
    results: list,
    *,
    after_each=None,
    warmup: float | None = None,
) -> None:
    clients_levels = (8,) if QUICK["on"] else CLIENTS
    if QUICK["on"] and report.has_server_time_target(name):
        clients_levels = (1, 8)  # the server time the target is about
    if warmup is None:
        warmup = 1.0 if QUICK["on"] else WARMUP_SECONDS
    if warmup > 0:
        # Unmeasured: what a long-running server has warm (its workers'
        # caches, each PostgreSQL backend's catalog cache for the schemas it
        # serves) is warm before the figures are taken.
        warm = run_wrk(name, port, requests, clients=clients_levels[-1], seconds=warmup)
        _drain(port, requests[0].host, warm)
        if after_each is not None:
            after_each()
    for clients in clients_levels:
        result = run_wrk(name, port, requests, clients=clients, seconds=seconds)
        log.info(
            "%-46s c=%-3d %8.1f req/s  p50 %7.2f ms  p99 %7.2f ms  %s",
            name,
            clients,
            result.rps,
            result.p50_ms,
            result.p99_ms,
            result.statuses,
        )
        results.append(result)
        _drain(port, requests[0].host, result)
        if after_each is not None:
            after_each()


def _drain(port: int, host: str, result: Result) -> None:
    """Wait until the server has worked off what wrk left in flight (slow
    endpoints keep it busy after the run), so runs do not overlap. With
    gthread a free thread answers a probe at once, so also wait about as long
    as the slowest requests of the run took (wrk's 10 s timeout when none
    completed)."""
    try:
        probe(port, Request(path="/health/live", host=host), timeout=600)
    except OSError as exc:
        log.warning("server did not drain: %s", exc)
    sleep(min(result.p99_ms / 1000 if result.rps else 10.0, 30.0))


def _cleanup_bookings(world: World) -> None:
    with schema_context(world.big.schema_name), connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            "DELETE FROM scheduling_appointment WHERE id > %s",
            [world.max_appointment_id],
        )
        cursor.execute("SET session_replication_role = DEFAULT")


def run_all(  # noqa: PLR0912
    *, scale: seed.Scale, seconds: float, quick: bool, only: set[str] | None
) -> dict:
    QUICK["on"] = quick
    small_count = min(scale.small_clinics, 20 if quick else scale.small_clinics)
    world = build_world(scale, small_count)
    results: list[Result] = []
    skipped: dict[str, str] = {}
    servers = {
        "app": Server("app", "config.settings.production"),
        "stock": Server("stock", "tests.bench.settings_stock"),
        "bare": Server("bare", "tests.bench.settings_bare"),
    }
    out: dict = {"results": results, "skipped": skipped, "timings": {}}
    try:
        for server in servers.values():
            server.wait_ready(world.big_host)
        out["server_command"] = servers["app"].command
        app, stock, bare = (servers[k].port for k in ("app", "stock", "bare"))

        def wanted(name: str) -> bool:
            return only is None or any(o in name for o in only)

        # Baselines first, then the endpoints, all against the same data.
        if wanted("raw"):
            raw = baselines.raw_select(
                world.big.schema_name, scale.patients, seconds=seconds
            )
            log.info("raw psycopg: %.1f q/s p50 %.3f ms", raw.rps, raw.p50_ms)
            results.append(raw)
        rng = random.Random(7)  # noqa: S311
        ids = [rng.randint(1, scale.patients) for _ in range(2000)]
        if wanted("bare"):
            bare_requests = [
                Request(path=f"/bare/patients/{i}", host=world.big_host) for i in ids
            ]
            if _check(bare, bare_requests[0], "bare Django JsonResponse", skipped):
                _drive(
                    "bare Django JsonResponse", bare, bare_requests, seconds, results
                )
        # Each server holds up to workers x threads connections: free them
        # for the next one (the machine's PostgreSQL is shared).
        servers["bare"].stop()
        api_requests = [
            Request(path=f"/api/patients/{i}", host=world.big_host, token=world.token)
            for i in ids
        ]
        if wanted("stock") and _check(stock, api_requests[0], "stock", skipped):
            _drive(
                "stock django-tenants GET /api/patients/{id}",
                stock,
                api_requests,
                seconds,
                results,
            )
        servers["stock"].stop()
        for scenario in scenarios(world):
            if not wanted(scenario.name):
                continue
            if not _check(app, scenario.requests[0], scenario.name, skipped):
                continue
            booking = scenario.name.startswith("POST")
            _drive(
                scenario.name,
                app,
                scenario.requests,
                seconds,
                results,
                # Each run books the same free slots afresh.
                after_each=(lambda: _cleanup_bookings(world)) if booking else None,
            )
        if wanted("spread") and world.small_hosts:
            one_host, one_token = world.small_hosts[0]
            n = scale.small_patients
            one = [
                Request(
                    path=f"/api/patients/{rng.randint(1, n)}",
                    host=one_host,
                    token=one_token,
                )
                for _ in range(2000)
            ]
            spread = [
                Request(
                    path=f"/api/patients/{rng.randint(1, n)}", host=host, token=token
                )
                for host, token in (
                    world.small_hosts[rng.randrange(len(world.small_hosts))]
                    for _ in range(4000)
                )
            ]
            if _check(app, one[0], "spread", skipped):
                _drive(
                    "one small clinic GET /api/patients/{id}",
                    app,
                    one,
                    seconds,
                    results,
                )
                _drive(
                    f"{len(world.small_hosts)} clinics GET /api/patients/{{id}}",
                    app,
                    spread,
                    seconds,
                    results,
                    warmup=2.0 if quick else SPREAD_WARMUP_SECONDS,
                )
    finally:
        for server in servers.values():
            server.stop()
    if only is None or "timings" in only:
        out["timings"] = timings.run_all(world=world, quick=quick)
    return out


def _check(port: int, request: Request, name: str, skipped: dict) -> bool:
    status, body = probe(port, request)
    if (
        status >= 500
        or 300 <= status < 400  # a login redirect measures nothing
        or status in (401, 403)
        or (status == 404 and "No such API endpoint" in body)
        or (status == 404 and "<html" in body.lower())
    ):
        skipped[name] = f"probe answered {status}: {body[:160]}"
        log.warning("skipping %s: %s", name, skipped[name])
        return False
    return True
