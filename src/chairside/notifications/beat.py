"""Celery beat scheduler that sends each entry to every active clinic."""

from __future__ import annotations

import logging
from pathlib import Path

from celery.beat import ScheduleEntry
from django.db import DatabaseError, close_old_connections
from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.scheduler import TenantAwarePersistentScheduler

from tenants.models import Clinic

logger = logging.getLogger(__name__)


class ClinicScheduler(TenantAwarePersistentScheduler):
    """Suspended clinics get no reminders and no overdue runs.

    Beat is one long-lived process: a bad tick must not end it, or every
    clinic's reminders stop until someone notices."""

    @classmethod
    def get_queryset(cls) -> QuerySet[Clinic]:
        return Clinic.objects.filter(status=Clinic.Status.ACTIVE)

    def setup_schedule(self) -> None:
        # The schedule file's folder (var/ on a fresh clone) may not exist yet.
        Path(self.schedule_filename).parent.mkdir(parents=True, exist_ok=True)
        super().setup_schedule()

    def apply_entry(self, entry: ScheduleEntry, producer: object = None) -> None:
        headers = entry.options.setdefault("headers", {})
        if not headers.get("_all_tenants_only") and "_schema_name" not in headers:
            # Entries Celery adds itself (celery.backend_cleanup, daily at
            # 04:00) never went through CELERY_BEAT_SCHEDULE's tenant
            # fan-out: they run once, in the public schema.
            headers["_schema_name"] = get_public_schema_name()
        # As at the start of a request: a connection the server dropped
        # (restart, failover, pg_terminate_backend) is replaced, not reused.
        close_old_connections()
        try:
            super().apply_entry(entry, producer=producer)
        except DatabaseError:
            # The database is away for longer: skip this run of the entry
            # (every entry is idempotent and due again soon) and keep beating.
            logger.exception("beat: %s skipped, database unavailable", entry.name)
            close_old_connections()
