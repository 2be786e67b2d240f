"""Local development: `make run`."""

from .base import *
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "insecure-development-key-never-use-in-production"
JWT_SIGNING_KEY = JWT_SIGNING_KEY or SECRET_KEY
STORAGES["staticfiles"]["BACKEND"] = (
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
SITE_SCHEME = env("SITE_SCHEME", default="http")
SITE_PORT = env("SITE_PORT", default=env("PORT", default="8000"))
# Every runserver request runs in a thread of its own, and a kept connection
# stays open per thread: a burst of requests left dozens idle on a shared
# server. Development connects per request; production keeps them
# (DB_CONN_MAX_AGE, base.py).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
