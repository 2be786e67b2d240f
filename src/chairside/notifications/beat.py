"""Celery beat scheduler that sends each entry to every active clinic."""

from __future__ import annotations

from django.db.models import QuerySet
from tenant_schemas_celery.scheduler import TenantAwarePersistentScheduler

from tenants.models import Clinic


class ClinicScheduler(TenantAwarePersistentScheduler):
    """Suspended clinics get no reminders and no overdue runs."""

    @classmethod
    def get_queryset(cls) -> QuerySet[Clinic]:
        return Clinic.objects.filter(status=Clinic.Status.ACTIVE)
