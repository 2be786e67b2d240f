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

from tenant_schemas_celery.app import CeleryApp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = CeleryApp("chairside")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
