"""A clinic's country, for reading phone numbers written the local way."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from zoneinfo import TZPATH

from django.db import connection


@lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    """time zone -> ISO country code, from the system tz database's zone.tab."""
    for directory in TZPATH:
        table = Path(directory) / "zone.tab"
        if table.is_file():
            pairs = {}
            for line in table.read_text().splitlines():
                if line and not line.startswith("#"):
                    parts = line.split("\t")
                    if len(parts) >= 3:
                        pairs[parts[2]] = parts[0]
            return pairs
    return {}


def clinic_region() -> str | None:
    """ISO 3166 country of the active clinic, or None if it cannot be told
    (then phone numbers must be written in international +… form)."""
    tenant = getattr(connection, "tenant", None)
    country = getattr(tenant, "country", "") or ""
    if country:
        return str(country).upper()
    zone = getattr(tenant, "time_zone", "") or ""
    return _zone_countries().get(zone)
