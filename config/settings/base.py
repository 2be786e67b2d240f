"""Settings shared by every environment; everything secret or site-specific comes
from the environment (see .env.example and the README's configuration table)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ

from chairside.core.embedded_postgres import DATA_DIR as EMBEDDED_DATA_DIR
from chairside.core.embedded_postgres import embedded_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Required in production (config.settings.production refuses to start without it).
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")

# --- Tenancy -----------------------------------------------------------------
# The public site and platform console live on BASE_DOMAIN, clinic N on
# N.BASE_DOMAIN. In development that is localhost, and browsers resolve
# *.localhost to this machine.
BASE_DOMAIN = env("BASE_DOMAIN", default="localhost")
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[BASE_DOMAIN, f".{BASE_DOMAIN}"]
)

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "health_check",
    "chairside.core",
    # Users live in every schema: platform admins in public, staff and
    # patients in their clinic's schema.
    "chairside.accounts",
    # Platform admins' console (public domain only).
    "chairside.console",
    # Landing, pricing, clinic signup (public domain only).
    "chairside.public_site",
    # The demo clinics' seeding (manage.py seed_demo).
    "chairside.demo",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "allauth",
    "allauth.account",
    "phonenumber_field",
    # Audit trail: row-level triggers write append-only event tables in each
    # clinic's schema (see docs/audit.md).
    "pgtrigger",
    "pghistory",
    "chairside.accounts",
    "chairside.patients",
    "chairside.scheduling",
    # The dental chart, procedure catalogue and fees.
    "chairside.dental",
    "chairside.billing",
    "chairside.payments",
    # Stripe objects are synced into the clinic's own schema.
    "djstripe",
    "chairside.notifications",
    # Treatment plans: phases of planned procedures, the signed acceptance.
    "chairside.treatment",
    # Pages: the staff app and the patient portal.
    "chairside.web",
    "chairside.portal",
    "chairside.audit",
]
INSTALLED_APPS = list(SHARED_APPS) + [a for a in TENANT_APPS if a not in SHARED_APPS]

TENANT_MODEL = "tenants.Clinic"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenants"
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
# migrate_schemas plans once and replays the SQL on every clinic
# (tenants/schema_engine/migrate.py).
GET_EXECUTOR_FUNCTION = "tenants.schema_engine.migrate.get_executor"

MIDDLEWARE = [
    # /api/ requests leave here for API_MIDDLEWARE below (chairside.core.api_chain).
    "chairside.core.api_chain.ApiMiddlewareChain",
    "tenants.middleware.ClinicTenantMiddleware",
    "tenants.middleware.SuspendedClinicMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Request id, clinic and user id on every log line (after auth).
    "chairside.ops.logging.RequestLogMiddleware",
    # Who/where for the audit trail (after the tenant and auth middleware).
    "chairside.audit.middleware.AuditContextMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # The user's language (else the clinic's) and the clinic's time zone.
    "chairside.web.middleware.ClinicLocaleMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
# The JSON API's chain: the same order without what only pages use (static
# files, sessions, CSRF, allauth, htmx, messages); bearer tokens set the user.
API_MIDDLEWARE = [
    "tenants.middleware.ClinicTenantMiddleware",
    "tenants.middleware.SuspendedClinicMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "chairside.core.api_chain.AnonymousUntilAuthenticatedMiddleware",
    "chairside.ops.logging.RequestLogMiddleware",
    "chairside.audit.middleware.AuditContextMiddleware",
    "chairside.web.middleware.ClinicLocaleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

WSGI_APPLICATION = "config.wsgi.application"

# --- Database ----------------------------------------------------------------
# Without DATABASE_URL we start a real PostgreSQL 16 from the pgserver wheel,
# with its data under var/, so a fresh machine needs nothing installed.
DATABASE_URL = env("DATABASE_URL", default="") or embedded_database_url(
    EMBEDDED_DATA_DIR
)
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
# django-tenants, minus redundant SET search_path
# (tenants/schema_engine/postgresql_backend).
DATABASES["default"]["ENGINE"] = "tenants.schema_engine.postgresql_backend"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Each request is one transaction: an answer that is an error has written
# nothing (the API's error handlers roll back too: chairside.core.api).
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Bodies past this answer 413 (chairside.core.api); Django's default, stated.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The database is a Citus cluster's coordinator (docs/scale-out.md): new
# clinics become distributed schemas living whole on a worker, and the public
# tables clinic tables reference become reference tables
# (tenants/schema_engine/citus.py).
CLINIC_CITUS = env.bool("CHAIRSIDE_CITUS", default=False)

# --- Cache (tenant-aware keys: a key set in clinic A is a miss in clinic B) ---
REDIS_URL = env("REDIS_URL", default="")
CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX", default="chairside")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "chairside.core.ratelimit.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
else:
    # Shared by every process on the machine, so rate-limit counters hold
    # across gunicorn workers even without Redis.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }

# --- Auth --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# Patients sign themselves up in the portal: they must own the address.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_FORMS = {"signup": "chairside.portal.forms.PatientSignupForm"}
# The browser that changes its password stays signed in; every other session
# and API token of the user ends (accounts.services.user_credentials_changed).
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Staff accounts are made by clinic admins; patient self-signup comes with the
# portal.
ACCOUNT_ADAPTER = "chairside.portal.adapters.ClinicAccountAdapter"
# Where the portal loads Stripe.js from (localstripe's fake one in tests).
STRIPE_JS_URL = env("STRIPE_JS_URL", default="https://js.stripe.com/v3/")

# JWT for the API (see chairside.accounts.tokens).
JWT_SIGNING_KEY = env("JWT_SIGNING_KEY", default="") or SECRET_KEY
JWT_ACCESS_TOKEN_LIFETIME = timedelta(
    seconds=env.int("JWT_ACCESS_TOKEN_SECONDS", default=15 * 60)
)
JWT_REFRESH_TOKEN_LIFETIME = timedelta(
    seconds=env.int("JWT_REFRESH_TOKEN_SECONDS", default=14 * 24 * 3600)
)

# Login and token endpoints: django-ratelimit rates ("count/period").
AUTH_RATE_PER_IP = env("AUTH_RATE_PER_IP", default="30/m")
AUTH_RATE_PER_ACCOUNT = env("AUTH_RATE_PER_ACCOUNT", default="10/m")
RATELIMIT_USE_CACHE = "default"
# How many reverse proxies (nginx) stand in front of gunicorn; the client IP
# is read from X-Forwarded-For only through that many trusted hops.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Sessions and cookies: host-only, so one clinic's cookie means nothing to
# another clinic's subdomain.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- I18N --------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Templates and static ----------------------------------------------------
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "chairside.web.context_processors.navigation",
            ]
        },
    }
]
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Email -------------------------------------------------------------------
EMAIL_BACKEND = env(
    "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Chairside <no-reply@localhost>")

# --- Logging -----------------------------------------------------------------
# JSON lines with request id, clinic and user; secrets redacted.
from .logging import *  # noqa: E402

# --- Clinical data -------------------------------------------------------------
# Fernet keys for field-level encryption (medical history), comma-separated,
# newest first: the first encrypts, all decrypt. Rotation: docs/encryption.md.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
# Audit trail (django-pghistory): event tables refuse UPDATE/DELETE; context
# (user, IP, path) is attached for every method, so reads we record have it.
PGHISTORY_APPEND_ONLY = True
# 64-bit event ids (a trigger on a Citus worker cannot advance a 32-bit sequence).
PGHISTORY_BASE_MODEL = "chairside.audit.tracking.Event"
PGHISTORY_MIDDLEWARE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
PGHISTORY_INSTALL_CONTEXT_FUNC_ON_MIGRATE = False
# Snapshots copy timestamps as they were, also for manual events (reads).
PGHISTORY_EXCLUDE_FIELD_KWARGS = {
    "django.db.models.DateTimeField": ["auto_now", "auto_now_add"]
}
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 200

# How clinic URLs are written in emails and printed links.
SITE_SCHEME = env("SITE_SCHEME", default="https")
SITE_PORT = env("SITE_PORT", default="")
CLINIC_SIGNUP_RATE_PER_IP = env("CLINIC_SIGNUP_RATE_PER_IP", default="10/h")

from .jobs import *  # noqa: E402  (Celery, reminders, email/SMS providers)
from .stripe import *  # noqa: E402  (Stripe Connect, dj-stripe)
