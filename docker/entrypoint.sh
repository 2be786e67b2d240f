#!/usr/bin/env bash
# Container entrypoint (also run directly by tests/deploy/test_entrypoint.py).
#   web      wait for the database, copy static files for nginx, run gunicorn
#   worker   Celery worker           beat     Celery beat (nightly backup...)
#   migrate  wait, migrate public schema, ensure public tenant, migrate clinics
#   backup | restore ...             scripts/backup, scripts/restore
#   anything else is run as given (e.g. `python manage.py createsuperuser`).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
app_dir="${APP_DIR:-/app}"
python="${PYTHON:-python}"
wait_for_db="${WAIT_FOR_DB:-$here/wait-for-db.py}"

log() { echo "entrypoint: $*" >&2; }

wait_db() {
  log "waiting for the database"
  "$python" "$wait_for_db"
}

manage() { "$python" "$app_dir/manage.py" "$@"; }

migrate() {
  wait_db
  log "migrating the public schema"
  manage migrate_schemas --shared --noinput --verbosity "${MIGRATE_VERBOSITY:-1}"
  manage ensure_public_tenant
  log "migrating every clinic's schema"
  manage migrate_schemas --tenant --noinput --verbosity "${MIGRATE_VERBOSITY:-1}"
  # New clinics are copied from a template schema where the app has one.
  if manage help clinic_template >/dev/null 2>&1; then
    manage clinic_template --verbosity "${MIGRATE_VERBOSITY:-1}"
  fi
}

web() {
  wait_db
  if [ -n "${STATIC_SYNC_DIR:-}" ] && [ -n "${STATIC_ROOT:-}" ] && [ -d "$STATIC_ROOT" ]; then
    # nginx serves these from a shared volume; hashed names never collide.
    cp -a "$STATIC_ROOT/." "$STATIC_SYNC_DIR/"
  fi
  # Workers: 2 x CPUs + 1 unless given; threads help while a worker waits on
  # PostgreSQL or Stripe.
  local cpus
  cpus="$(nproc 2>/dev/null || echo 1)"
  exec "$python" -m gunicorn config.wsgi:application \
    --chdir "$app_dir" \
    --bind "${GUNICORN_BIND:-0.0.0.0:8000}" \
    --workers "${GUNICORN_WORKERS:-$((cpus * 2 + 1))}" \
    --threads "${GUNICORN_THREADS:-4}" \
    --worker-class gthread \
    --timeout "${GUNICORN_TIMEOUT:-60}" \
    --graceful-timeout 30 \
    --max-requests "${GUNICORN_MAX_REQUESTS:-20000}" \
    --max-requests-jitter 2000 \
    --worker-tmp-dir /dev/shm \
    --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-*}" \
    --log-level "${GUNICORN_LOG_LEVEL:-info}" \
    --error-logfile -
}

cmd="${1:-web}"
[ "$#" -gt 0 ] && shift
case "$cmd" in
  web) web ;;
  migrate) migrate ;;
  wait-for-db) wait_db ;;
  worker)
    wait_db
    cd "$app_dir"
    exec "$python" -m celery -A config worker --loglevel "${CELERY_LOG_LEVEL:-info}" \
      --concurrency "${CELERY_CONCURRENCY:-2}" "$@"
    ;;
  beat)
    wait_db
    cd "$app_dir"
    exec "$python" -m celery -A config beat --loglevel "${CELERY_LOG_LEVEL:-info}" "$@"
    ;;
  backup) exec "$app_dir/scripts/backup" "$@" ;;
  restore) exec "$app_dir/scripts/restore" "$@" ;;
  *) exec "$cmd" "$@" ;;
esac
