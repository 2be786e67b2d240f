"""Which clinic a hostname belongs to, remembered for a few seconds.

Stock django-tenants looks the domain up in the database on every request.
Here each process keeps the answer for CLINIC_CACHE_SECONDS (default 5), so a
warm request spends no statement on it. Suspending or reactivating a clinic
drops the entry in the process that did it at once, and again when the
change commits; other processes pick it up within CLINIC_CACHE_SECONDS.
Unknown hostnames are not remembered, so a freshly provisioned clinic
answers at once everywhere.
"""

from __future__ import annotations

import copy

from django.conf import settings
from django.db import connection, transaction

from chairside.core.localcache import LocalTTLCache
from tenants.models import Clinic, Domain

_clinics: LocalTTLCache[Clinic] = LocalTTLCache()


def cache_seconds() -> float:
    return float(getattr(settings, "CLINIC_CACHE_SECONDS", 5))


def clinic_for_hostname(hostname: str) -> Clinic | None:
    """The clinic serving `hostname`, or None. A fresh copy per call, so a
    request can annotate its clinic without touching the cached one."""
    clinic = _clinics.get(hostname)
    if clinic is None:
        domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
        if domain is None:
            return None
        clinic = domain.tenant
        _clinics.set(hostname, clinic, ttl=cache_seconds())
    return copy.copy(clinic)


def clinic_forget(clinic: Clinic) -> None:
    """Drop the cached resolution of every hostname of `clinic`, now and once
    the surrounding transaction commits (another request may re-read the
    old row in between)."""

    def drop() -> None:
        _clinics.forget_where(lambda _host, cached: cached.pk == clinic.pk)

    drop()
    if connection.in_atomic_block:
        transaction.on_commit(drop)


def clinic_cache_clear() -> None:
    _clinics.clear()
