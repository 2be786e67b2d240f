"""Settings for the Celery worker processes the end-to-end tests start."""

from config.settings.test import *  # noqa: F403
from config.settings.test import env

EMAIL_BACKEND = "chairside.notifications.tests.outbox.FileOutboxBackend"
E2E_OUTBOX_DIR = env("E2E_OUTBOX_DIR")
SMS_BACKEND = "chairside.notifications.sms.ConsoleSmsBackend"
