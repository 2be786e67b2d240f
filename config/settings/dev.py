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
