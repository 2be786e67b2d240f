"""Production settings plus the benchmark's trivial-migration app (only for
timing `migrate_schemas`; BENCH_MIGRATION_MODULE names the module written
for this run)."""

import os

from config.settings.production import *  # noqa: F403
from config.settings.production import INSTALLED_APPS, TENANT_APPS

TENANT_APPS = [*TENANT_APPS, "tests.bench.trivial"]
INSTALLED_APPS = [*INSTALLED_APPS, "tests.bench.trivial"]
MIGRATION_MODULES = {"bench_trivial": os.environ["BENCH_MIGRATION_MODULE"]}
