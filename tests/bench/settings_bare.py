"""The bare-Django baseline: one view, no tenancy, no auth, no middleware.

Used only by the benchmark's baseline server (never by the app). It reads
the same patient row from the large clinic's schema, fixed in the
connection's search_path, and returns it with JsonResponse.
"""

from config.settings.production import *  # noqa: F403
from config.settings.production import DATABASES

ROOT_URLCONF = "tests.bench.urls_bare"
MIDDLEWARE: list[str] = []
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "phonenumber_field",
    "pgtrigger",
    "pghistory",
    # chairside.accounts imports allauth's models when it loads.
    "allauth",
    "tests.bench.apps_bare.AccountModelsOnly",
    "chairside.core",
    "chairside.accounts",
    "chairside.patients",
]
DATABASE_ROUTERS: list[str] = []
DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
    "-c search_path=clinic_bigclinic,public"
)
