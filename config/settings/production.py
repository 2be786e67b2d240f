"""Production: behind nginx with TLS (nginx/, docker/). `manage.py check
--deploy` passes with no warnings (tests/deploy/test_production_settings.py)."""

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from .base import *
from .base import env

DEBUG = False
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
# A fake Stripe (localstripe) is for tests and the demo only.
if STRIPE_API_BASE:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("STRIPE_API_BASE must not be set in production.")

# --- Behind nginx --------------------------------------------------------------
# Only nginx reaches gunicorn (the web container publishes no port) and nginx
# overwrites X-Forwarded-Proto/-For, so both are believed, through one hop.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Health checks answer on plain HTTP too (container and uptime probes).
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS",
    default=[f"https://{BASE_DOMAIN}", f"https://*.{BASE_DOMAIN}"],
)
# nginx's $request_id, so proxy and app log lines share an id.
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = env.bool(
    "LOG_TRUST_UPSTREAM_REQUEST_ID", default=True
)

# --- Static files: collected at image build, served by nginx from a volume.
STATIC_ROOT = env("STATIC_ROOT", default=str(STATIC_ROOT))

# --- Nightly backups (scripts/backup's code, run by the Celery worker) --------
# Beat sends it once, in the public schema (tenant_schemas), not per clinic.
CELERY_IMPORTS = ("chairside.ops.tasks",)
BACKUP_DIR = env("BACKUP_DIR", default="/backups")
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)
CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,
    "backup-nightly": {
        "task": "ops.backup_nightly",
        "schedule": crontab(
            hour=env.int("BACKUP_HOUR_UTC", default=3),
            minute=env.int("BACKUP_MINUTE", default=17),
        ),
        "tenant_schemas": ["public"],
        "options": {"expires": 6 * 3600},
    },
}
