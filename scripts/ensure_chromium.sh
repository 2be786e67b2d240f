#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (/usr/bin/chromium); Playwright
# never downloads a browser of its own. Install the apt package when missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
  echo "ensure_chromium: /usr/bin/chromium is missing and apt-get (as root) is not available;" \
       "the browser tests will be skipped." >&2
  exit 0
fi
echo "ensure_chromium: installing the chromium apt package" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
