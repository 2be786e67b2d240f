"""Due reminders across many clinics, through the real Celery worker.

In each of N small clinics, 100 appointments start within the next 23 hours
for patients with an email address, so with a one-day offset every one is
due now. The worker (`celery -A config worker`, production settings, its own
Redis database and queue) gets one `notifications.reminders_scan` per clinic,
queued in that clinic's schema, as beat does (each scan queues the clinic's
sends in batches of REMINDER_BATCH_SIZE); the clock stops when every
reminder row is `sent`. Emails go to files (Django's file backend), so the
check that none went out twice counts Message-IDs, not our own rows.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.models import Clinic
from tests.bench import seed
from tests.bench.env import ROOT, process_env

if TYPE_CHECKING:
    from tests.bench.runner import World

log = logging.getLogger("bench")
PER_CLINIC = 100
REASON = "bench-reminder"


def _prepare(clinic: Clinic) -> None:
    from chairside.notifications.models import NotificationSettings, Reminder
    from chairside.patients.models import Patient
    from chairside.scheduling.models import Appointment

    now = timezone.now()
    with schema_context(clinic.schema_name), transaction.atomic():
        Reminder.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(
                "DELETE FROM scheduling_appointment WHERE reason = %s", [REASON]
            )
            # Free the next day for the benchmark's own appointments.
            cursor.execute(
                "UPDATE scheduling_appointment SET status = 'cancelled'"
                " WHERE ends_at > now() AND status IN"
                " ('scheduled', 'confirmed', 'checked_in', 'completed')"
            )
        NotificationSettings.objects.update_or_create(
            pk=1,
            defaults={
                "reminder_offsets_minutes": [24 * 60],
                "email_reminders": True,
                "sms_reminders": False,
            },
        )
        patients = list(Patient.objects.values_list("id", flat=True)[:PER_CLINIC])
        next_id = (Appointment.objects.order_by("-id").values_list("id", flat=True)
                   .first() or 0) + 1  # fmt: skip
        rows = []
        for i in range(PER_CLINIC):
            dentist = i % 2 + 1
            start = now + timedelta(minutes=10 + (i // 2) * 27)
            rows.append(
                {
                    "id": next_id + i,
                    "patient_id": patients[i % len(patients)],
                    "dentist_id": dentist,
                    "chair_id": dentist,
                    "starts_at": start,
                    "duration_minutes": 20,
                    "ends_at": start + timedelta(minutes=20),
                    "status": "confirmed",
                    "reason": REASON,
                }
            )
        seed.copy_rows(Appointment, rows)
        seed._sync_identity(Appointment)


def _sent(clinics: list[Clinic]) -> int:
    total = 0
    with connection.cursor() as cursor:
        for clinic in clinics:
            cursor.execute(
                f'SELECT count(*) FROM "{clinic.schema_name}".notifications_reminder'  # noqa: S608
                " WHERE status = 'sent'"
            )
            total += cursor.fetchone()[0]
    return total


def run(*, world: World, quick: bool) -> dict:
    from chairside.notifications.tasks import reminders_scan

    count = 3 if quick else 100
    slugs = [seed.small_slug(i) for i in range(1, count + 1)]
    clinics = list(Clinic.objects.filter(slug__in=slugs).order_by("slug"))
    if not clinics:
        return {"skipped": "no small clinics seeded"}
    for clinic in clinics:
        _prepare(clinic)
    connection.set_schema_to_public()
    expected = len(clinics) * PER_CLINIC

    mail_dir = Path(tempfile.mkdtemp(prefix="bench-mail-"))
    env = {
        **process_env(),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    worker_log = ROOT / "var" / "bench" / "worker.log"
    worker = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel",
            "WARNING",
            "--concurrency",
            str(os.cpu_count() or 2),
            "-Q",
            env["CELERY_QUEUE"],
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=worker_log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        time.sleep(3)  # let the worker connect before the clock starts
        started = time.perf_counter()
        for clinic in clinics:
            with schema_context(clinic.schema_name):
                reminders_scan.apply_async()
        deadline = started + (45 if quick else 300)
        sent = 0
        while time.perf_counter() < deadline:
            sent = _sent(clinics)
            if sent >= expected:
                break
            time.sleep(0.5)
        elapsed = time.perf_counter() - started
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
    ids = Counter()
    for path in mail_dir.glob("*"):
        for line in path.read_text(errors="replace").splitlines():
            if line.lower().startswith("message-id:"):
                ids[line.split(":", 1)[1].strip()] += 1
    shutil.rmtree(mail_dir, ignore_errors=True)
    return {
        "clinics": len(clinics),
        "due": expected,
        "sent": sent,
        "seconds": round(elapsed, 1),
        "per_second": round(sent / elapsed) if elapsed else None,
        "batch_size": settings.REMINDER_BATCH_SIZE,
        "emails_written": sum(ids.values()),
        "sent_twice": sum(1 for n in ids.values() if n > 1),
    }
