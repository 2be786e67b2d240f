#!/usr/bin/env bash
# Refresh the vendored front-end files in static/vendor/ from the npm registry.
# Run by hand when upgrading; the results are committed, so neither `make run`
# nor `make test` needs npm.
set -euo pipefail
HTMX=2.0.11
FULLCALENDAR=6.1.21
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "htmx.org@$HTMX" "fullcalendar-scheduler@$FULLCALENDAR" "@fullcalendar/core@$FULLCALENDAR" >/dev/null)
for f in "$tmp"/*.tgz; do mkdir -p "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done
mkdir -p static/vendor/htmx static/vendor/fullcalendar
cp "$tmp/htmx.org-$HTMX/package/dist/htmx.min.js" "$tmp/htmx.org-$HTMX/package/LICENSE" static/vendor/htmx/
# FullCalendar Premium (resource columns) under its GPLv3 option, which an
# AGPL project may use (schedulerLicenseKey "GPL-My-Project-Is-Open-Source").
cp "$tmp/fullcalendar-scheduler-$FULLCALENDAR/package/index.global.min.js" static/vendor/fullcalendar/fullcalendar-scheduler.min.js
cp "$tmp/fullcalendar-scheduler-$FULLCALENDAR/package/LICENSE.md" static/vendor/fullcalendar/
cp "$tmp/fullcalendar-core-$FULLCALENDAR/package/locales/es.global.min.js" static/vendor/fullcalendar/locale-es.min.js
echo "vendored htmx $HTMX and FullCalendar $FULLCALENDAR into static/vendor/"
