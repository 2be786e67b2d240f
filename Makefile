# Chairside developer commands. The README's two: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

export PYTHONPATH := $(CURDIR):$(CURDIR)/src

# `make run STRIPE_LOCAL=1`: a local fake Stripe (localstripe) so card payments
# can be tried offline; see scripts/localstripe_server.py and docs/payments.md.
ifeq ($(STRIPE_LOCAL),1)
LOCALSTRIPE_PORT ?= 8420
export STRIPE_API_BASE := http://127.0.0.1:$(LOCALSTRIPE_PORT)
export STRIPE_SECRET_KEY := sk_test_chairsideLocalStripeKey0123456789
export STRIPE_PUBLISHABLE_KEY := pk_test_chairsideLocalStripeKey0123
export STRIPE_WEBHOOK_SECRET := whsec_chairsideLocalDemoSecret0123
endif

.PHONY: install run serve migrate seed test lint format db-stop clean bench bench-quick

# (Re)install whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate_schemas --shared --verbosity 0
	$(BIN)/python manage.py ensure_public_tenant
	$(BIN)/python manage.py migrate_schemas --tenant --verbosity 0
	$(BIN)/python manage.py clinic_template --verbosity 0

seed: migrate
	$(BIN)/python manage.py seed_demo

## make run: set up everything and serve the demo clinics on $(PORT).
run: seed
	@echo
	@echo "  Public site:   http://localhost:$(PORT)"
	@echo "  Demo clinic:   http://demo.localhost:$(PORT)   (admin@demo.test / chairside-demo)"
	@echo "  Riverside:     http://riverside.localhost:$(PORT)"
	@echo "  API docs:      http://demo.localhost:$(PORT)/api/docs"
	@echo "  Without *.localhost DNS: curl -H 'Host: demo.localhost:$(PORT)' http://127.0.0.1:$(PORT)/health/ready"
	@if [ "$(STRIPE_LOCAL)" = 1 ]; then $(BIN)/python scripts/localstripe_server.py $(PORT) --watch-pid $$PPID & fi
	@echo "  Console:       http://localhost:$(PORT)/console/   (platform@localhost.test / chairside-demo)"
	@echo "  Reminders:     Celery worker + beat run alongside (broker: REDIS_URL, else var/celery)"
	@echo
	$(BIN)/python scripts/run_dev.py $(PORT)

## make test: install what the tests need and run the whole suite.
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run --verbosity 0 --settings=config.settings.test
	@bash scripts/ensure_chromium.sh
	@$(MAKE) --no-print-directory lint-deploy
	@$(MAKE) --no-print-directory test-suite
	@$(MAKE) --no-print-directory test-e2e

## The two halves of `make test`'s pytest runs (.ci/run runs the first one a
## second time, on the embedded PostgreSQL).
.PHONY: test-suite test-e2e
test-suite: install
	@bash scripts/ensure_nginx.sh
	$(BIN)/pytest --ignore=tests/e2e $(PYTEST_ARGS)

# Browser tests in a process of their own: Playwright keeps an event loop
# running in the test thread, and localstripe's app can start once per process.
test-e2e: install
	$(BIN)/pytest tests/e2e $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@$(MAKE) --no-print-directory lint-deploy

## Deployment files: Dockerfile (hadolint), compose files (the Compose
## specification's JSON schema, vendored in docker/), workflows (actionlint),
## shell scripts (bash -n). `make test` runs it too.
.PHONY: lint-deploy
lint-deploy: install
	$(BIN)/hadolint --config docker/.hadolint.yaml docker/Dockerfile
	$(BIN)/check-jsonschema --schemafile docker/compose-spec.schema.json docker/docker-compose.yml docker/docker-compose.dev.yml
	$(BIN)/actionlint -shellcheck= .github/workflows/*.yml
	@for f in docker/entrypoint.sh scripts/backup scripts/restore scripts/deploy scripts/citus_cluster scripts/ensure_nginx.sh nginx/docker-entrypoint.d/*.sh; do bash -n "$$f" || exit 1; done

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Stop the embedded PostgreSQL (only used when DATABASE_URL is unset).
db-stop: install
	$(BIN)/python -c 'from chairside.core.embedded_postgres import DATA_DIR, stop_embedded_server as s; s(DATA_DIR)'

clean:
	rm -rf $(VENV) var/cache var/staticfiles

## make test-cluster: build Citus once (cached in var/citus), start a
## coordinator and two workers on 127.0.0.1:9700-9702, run tests/cluster,
## stop them (docs/scale-out.md). Skips, saying why, without the Citus archive.
.PHONY: test-cluster
test-cluster: install
	scripts/citus_cluster test $(PYTEST_ARGS)

## make bench: seed the benchmark database once, measure, write docs/benchmarks.md.
bench: install
	scripts/bench

## make bench-quick: a smoke run of the same (under 3 minutes once seeded).
bench-quick: install
	scripts/bench --quick
