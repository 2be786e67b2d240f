"""The Celery app: `celery -A config worker` / `celery -A config beat`.

Tenant-aware (tenant-schemas-celery): a task queued inside a clinic's schema
carries that schema in its headers and runs in it, so a task can only see the
data of the clinic that queued it. Beat fans its entries out to every active
clinic (chairside.notifications.beat.ClinicScheduler).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from celery.signals import task_postrun, task_prerun
from tenant_schemas_celery.app import CeleryApp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = CeleryApp("chairside")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(sender: object = None, **_kwargs: object) -> None:
    """Database connections live as in a web request: kept for CONN_MAX_AGE,
    dropped when broken (CONN_HEALTH_CHECKS), rather than reopened for every
    task (Celery's Django fixup closes them after each task unless
    CELERY_DB_REUSE_MAX is set; a reconnect cost more than a reminder batch's
    queries). Not for eager tasks: they run inside the caller's transaction."""
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
