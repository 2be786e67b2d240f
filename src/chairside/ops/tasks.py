"""The nightly backup, as a Celery task (production beat schedule:
config/settings/production.py)."""

from __future__ import annotations

import os
from pathlib import Path

import structlog
from celery import shared_task
from django.conf import settings

from chairside.core.pg_address import conninfo
from chairside.ops.backup import backup_create, backup_upload

logger = structlog.get_logger(__name__)


@shared_task(name="ops.backup_nightly", acks_late=False, time_limit=3 * 3600)
def backup_nightly() -> str:
    """Dump, rotate, upload (BACKUP_S3_BUCKET). Not retried: tomorrow's run
    is the retry, and a failure is logged at error level for alerting."""
    try:
        path = backup_create(
            database_url=conninfo(),
            directory=Path(settings.BACKUP_DIR),
            keep=settings.BACKUP_KEEP,
        )
        bucket = os.environ.get("BACKUP_S3_BUCKET", "")
        if bucket:
            backup_upload(
                backup=path,
                bucket=bucket,
                prefix=os.environ.get("BACKUP_S3_PREFIX", ""),
            )
    except Exception:
        logger.exception("backup_failed")
        raise
    logger.info("backup_done", backup=path.name, uploaded=bool(bucket))
    return str(path)
