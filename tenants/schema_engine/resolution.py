"""Which clinic a hostname belongs to, remembered per process.

Stock django-tenants looks the domain up in the database on every request.
Here each process keeps the answer (chairside.core.localcache), so a warm
request spends no statement on it: for CLINIC_CACHE_SYNCED_SECONDS (60)
while the process reads the cache invalidation stream in Redis, else for
CLINIC_CACHE_SECONDS (5). Any change to a clinic (suspension, plan, profile)
drops its entry in the process that made it at once, and in every process
within about a second of the commit. Unknown hostnames are not remembered, so
a freshly provisioned clinic answers at once everywhere.
"""

from __future__ import annotations

import copy

from django.conf import settings

from chairside.core.localcache import LocalTTLCache
from tenants.models import Clinic, Domain

_clinics: LocalTTLCache[Clinic] = LocalTTLCache()


def cache_seconds() -> float:
    return float(getattr(settings, "CLINIC_CACHE_SECONDS", 5))


def synced_cache_seconds() -> float:
    return float(getattr(settings, "CLINIC_CACHE_SYNCED_SECONDS", 60))


def _tag(clinic_pk: int) -> str:
    return f"clinic:{clinic_pk}"


def clinic_for_hostname(hostname: str) -> Clinic | None:
    """The clinic serving `hostname`, or None. A fresh copy per call, so a
    request can annotate its clinic without touching the cached one."""
    clinic = _clinics.get(hostname)
    if clinic is None:
        domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
        if domain is None:
            return None
        clinic = domain.tenant
        _clinics.set(
            hostname,
            clinic,
            ttl=cache_seconds(),
            synced_ttl=synced_cache_seconds(),
            tags=[_tag(clinic.pk)],
        )
    return copy.copy(clinic)


def clinic_forget(clinic: Clinic) -> None:
    """Drop the cached resolution of every hostname of `clinic` in every
    process: here now, and everywhere once the surrounding transaction
    commits (another request may re-read the old row in between)."""
    _clinics.forget_tag(_tag(clinic.pk))


def clinic_cache_clear() -> None:
    _clinics.clear()
