#!/usr/bin/env bash
# The nginx config is tested for real (tests/deploy/test_nginx.py): install
# Debian's nginx when it is missing and we may (root with apt-get). Otherwise
# say why; those tests then skip with the same reason.
set -uo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  # CI runners: passwordless sudo.
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; fi
fi
if { [ "$(id -u)" != 0 ] && [ -z "$sudo" ]; } || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure_nginx: nginx is missing and cannot be installed here" \
       "(needs root or sudo, and apt-get); the nginx tests will be skipped." >&2
  exit 0
fi
echo "ensure_nginx: installing the nginx apt package" >&2
export DEBIAN_FRONTEND=noninteractive
# RUNLEVEL=1: the package must not start a system nginx on port 80.
install() { $sudo env RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null; }
install || { $sudo apt-get update -qq >/dev/null && install; } \
  || echo "ensure_nginx: apt-get could not install nginx" >&2
exit 0
