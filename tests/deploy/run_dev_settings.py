"""`make run`'s settings (config.settings.dev) for tests/deploy/test_run_dev.py,
on the test database, with no beat entries: the worker it starts must not
run reminders or overdue scans against the session's committed clinics."""

from config.settings.dev import *  # noqa: F403

CELERY_BEAT_SCHEDULE: dict = {}
