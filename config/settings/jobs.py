"""Background jobs (Celery) and outgoing messages. Imported at the end of base.py.

Production uses Redis as the broker (REDIS_URL, or CELERY_BROKER_URL to use a
different one). Without either, `make run` uses kombu's filesystem transport:
messages are files under var/celery-broker, shared by the web server, the
worker and beat on this one machine, kept across restarts, with no server to
install. It is only a trigger: which reminders are due, sent or failed lives
in PostgreSQL, so a lost message costs at most one scan interval.
"""

from __future__ import annotations

from pathlib import Path

import environ
from celery.schedules import crontab

env = environ.Env()
_VAR_DIR = Path(__file__).resolve().parent.parent.parent / "var"

CELERY_BROKER_URL = (
    env("CELERY_BROKER_URL", default="")
    or env("REDIS_URL", default="")
    or "filesystem://"
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    _BROKER_DIR = Path(env("CELERY_BROKER_DIR", default=str(_VAR_DIR / "celery")))
    for _sub in ("queue", "control"):
        (_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "control_folder": str(_BROKER_DIR / "control"),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A message taken by a worker that died is handed out again after
        # this long; the reminder scan re-queues due work well before that.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        "socket_connect_timeout": 3,
        "socket_timeout": 10,
    }
# One queue per deployment (tests use a fresh name per session).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="chairside")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# Acknowledge after the task ran, so a worker killed mid-task leaves the
# message to be delivered again (the database claim makes that harmless).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
# Tenant objects looked up by the worker for each task are cached this long.
CELERY_TASK_TENANT_CACHE_SECONDS = 30
# Celery closes the database connection after every task unless this is set;
# config/celery.py applies Django's own rules (CONN_MAX_AGE, health checks)
# before and after each task instead, and Celery still closes it every this
# many tasks.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=200)

# Beat sends each entry once per active clinic, in that clinic's schema.
CELERY_BEAT_SCHEDULER = "chairside.notifications.beat:ClinicScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(_VAR_DIR / "celerybeat-schedule")
)
REMINDER_SCAN_SECONDS = env.int("REMINDER_SCAN_SECONDS", default=60)
CELERY_BEAT_SCHEDULE = {
    "reminders-scan": {
        "task": "notifications.reminders_scan",
        "schedule": REMINDER_SCAN_SECONDS,
        # A scan nobody ran in time is superseded by the next one.
        "options": {"expires": REMINDER_SCAN_SECONDS * 2},
    },
    # Spare clinic schemas for signups (tenants/schema_engine); once, in public.
    "clinic-spare-pool": {
        "task": "tenants.spare_pool_fill",
        "schedule": 600,
        "tenant_schemas": ["public"],
        "options": {"expires": 600},
    },
    # Hourly, and idempotent: each clinic's invoices turn overdue within the
    # hour after midnight in the clinic's own time zone.
    "invoices-mark-overdue": {
        "task": "notifications.invoices_overdue",
        "schedule": crontab(minute=5),
        "options": {"expires": 3000},
    },
}

# --- Reminders -----------------------------------------------------------------
# A failed send is tried again after 1, 5, 25, 125 … minutes (capped at 6 h),
# at most this many times in all; then it stays `failed` for staff to retry.
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)
# Reminders sent per task, in one transaction over one email connection. A
# batch holds its appointments' row locks while it sends (a move waits for
# it) and is sent again whole if its commit is lost: keep it small.
REMINDER_BATCH_SIZE = env.int("REMINDER_BATCH_SIZE", default=25)
# A batch stops starting new sends after this long (a slow provider); the rest
# wait for the next scan. Well inside CELERY_TASK_SOFT_TIME_LIMIT.
REMINDER_BATCH_SECONDS = env.int("REMINDER_BATCH_SECONDS", default=30)

# --- Email (EMAIL_BACKEND is in base.py) ----------------------------------------
# Any django-anymail provider: EMAIL_BACKEND=anymail.backends.<esp>.EmailBackend
# plus its ANYMAIL_<SETTING> variables (e.g. ANYMAIL_POSTMARK_SERVER_TOKEN).
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in env.ENVIRON.items()
    if key.startswith("ANYMAIL_")
}
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(_VAR_DIR / "mail"))

# --- SMS -----------------------------------------------------------------------
# chairside.notifications.sms.{Console,Locmem,Twilio}SmsBackend
SMS_BACKEND = env(
    "SMS_BACKEND", default="chairside.notifications.sms.ConsoleSmsBackend"
)
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")
TWILIO_API_BASE = env("TWILIO_API_BASE", default="https://api.twilio.com")

# Where an overdue-invoice email sends the patient to pay. {clinic_url},
# {invoice_id} and {invoice_number} are filled in.
INVOICE_PAYMENT_URL = env("INVOICE_PAYMENT_URL", default="{clinic_url}/")
