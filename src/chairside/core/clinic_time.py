"""The clinic's own clock: every scheduling rule is judged in its time zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, get_tenant_model


def clinic_tz() -> ZoneInfo:
    """The time zone of the clinic whose schema is active (UTC on public).
    A schema_context (tasks, shell, tests) sets only a stand-in tenant
    without the clinic's fields, so the clinic is looked up then."""
    tenant = getattr(connection, "tenant", None)
    name = getattr(tenant, "time_zone", None)
    if name is None and connection.schema_name != get_public_schema_name():
        name = (
            get_tenant_model()
            .objects.filter(schema_name=connection.schema_name)
            .values_list("time_zone", flat=True)
            .first()
        )
    return ZoneInfo(name or "UTC")


def clinic_now() -> datetime:
    return timezone.now().astimezone(clinic_tz())


def clinic_today(*, now: datetime | None = None) -> date:
    """The clinic's date at `now` (default: this moment): "today" of the
    dashboard and the portal, invoice due dates, the overdue run."""
    return (now or timezone.now()).astimezone(clinic_tz()).date()


def local_datetime(day: date, at: time, tz: ZoneInfo) -> datetime:
    """Wall-clock `at` on `day` in `tz`.

    On a DST change a wall time can be missing (spring forward) or repeated
    (fall back). zoneinfo resolves both with fold=0: a missing 02:30 becomes
    03:30 and a repeated 01:30 is the first one, which is what a clinic's
    "opens at" means.
    """
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=tz)
    # Round-trip through UTC so a non-existent wall time is normalised.
    return aware.astimezone(ZoneInfo("UTC")).astimezone(tz)


def as_clinic_time(value: datetime | date, *, end_of_day: bool = False) -> datetime:
    """An input (API, form, query string) made an aware instant: a naive
    datetime is the clinic's wall-clock time, a plain date the clinic's
    midnight starting it (with `end_of_day`, the midnight ending it, for
    "to" bounds that include the whole day). Aware datetimes are kept."""
    tz = clinic_tz()
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            return local_datetime(value.date(), value.time(), tz)
        return value
    if end_of_day:
        value = value + timedelta(days=1)
    return local_datetime(value, time.min, tz)
