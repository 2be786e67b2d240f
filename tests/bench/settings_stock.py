"""The app as django-tenants ships it: stock tenant middleware and database
backend, no tenant or token caches. Used only by the benchmark's baseline
server, to measure what this project's request-path work buys."""

from config.settings.production import *  # noqa: F403
from config.settings.production import DATABASES, MIDDLEWARE

# One chain for everything (no shorter /api/ chain), stock tenant middleware.
MIDDLEWARE = [
    "django_tenants.middleware.main.TenantMainMiddleware"
    if m == "tenants.middleware.ClinicTenantMiddleware"
    else m
    for m in MIDDLEWARE
    if m != "chairside.core.api_chain.ApiMiddlewareChain"
]
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
TENANT_LIMIT_SET_CALLS = False
CLINIC_CACHE_SECONDS = CLINIC_CACHE_SYNCED_SECONDS = 0
ACCESS_TOKEN_CACHE_SECONDS = ACCESS_TOKEN_CACHE_SYNCED_SECONDS = 0
ACCESS_TOKEN_VERIFIED_SECONDS = 0
