"""pytest: the real PostgreSQL (DATABASE_URL or the embedded one), fast hashing."""

import uuid

from .base import *
from .base import env

DEBUG = False
# A fresh cache namespace per test session (shared with the servers the tests
# start), so counters from an earlier run never leak into this one.
CACHES["default"]["KEY_PREFIX"] = env(
    "CACHE_KEY_PREFIX", default=f"test-{uuid.uuid4().hex[:12]}"
)
SECRET_KEY = "insecure-test-key"  # noqa: S105
JWT_SIGNING_KEY = "insecure-test-jwt-signing-key-of-64-bytes-for-hs256-is-plenty-long"
SITE_SCHEME = "http"
# bcrypt is deliberately slow; tests that are about hashing assert the
# production hasher explicitly.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
]
# Browser tests point the app server at a folder (filebased) to read mail.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend"
)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default="")
STORAGES["staticfiles"]["BACKEND"] = (
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
# Serve static/ as it is now (the browser tests' app server): whitenoise would
# otherwise serve whatever an earlier collectstatic left in STATIC_ROOT.
WHITENOISE_USE_FINDERS = True
# Generous by default; rate-limit tests start servers with tight limits.
AUTH_RATE_PER_IP = env("AUTH_RATE_PER_IP", default="1000/m")
AUTH_RATE_PER_ACCOUNT = env("AUTH_RATE_PER_ACCOUNT", default="1000/m")
CLINIC_SIGNUP_RATE_PER_IP = "1000/m"
# A fixed Fernet key for tests (never used outside them).
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS", default=["dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0="]
)

# Separate test databases let several test runs share one server.
DATABASES["default"]["TEST"] = {
    "NAME": env("TEST_DATABASE_NAME", default="test_chairside")
}
# Servers started by the tests (conftest.app_server_factory) connect straight
# to the test database the session created.
if env("CHILD_DATABASE_NAME", default=""):
    DATABASES["default"]["NAME"] = env("CHILD_DATABASE_NAME")
