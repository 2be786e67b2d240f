"""pytest: the real PostgreSQL (DATABASE_URL or the embedded one), fast hashing."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "insecure-test-key"  # noqa: S105
JWT_SIGNING_KEY = "insecure-test-jwt-key"  # noqa: S105
SITE_SCHEME = "http"
# bcrypt is deliberately slow; tests that are about hashing assert the
# production hasher explicitly.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
AUTH_RATE_PER_IP = "1000/m"
AUTH_RATE_PER_ACCOUNT = "1000/m"
CLINIC_SIGNUP_RATE_PER_IP = "1000/m"
