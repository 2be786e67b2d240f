#!/bin/sh
# Run by the nginx image's entrypoint after the templates are rendered. Until
# both certificates exist (first start, before certbot ran), serve port 80
# only, so the HTTP-01 challenge for the base domain can be answered.
set -eu
conf_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
cert_dir="${NGINX_CERT_DIR:-/etc/letsencrypt/live}"
for name in "${BASE_DOMAIN}" "wildcard.${BASE_DOMAIN}"; do
  if [ ! -s "${cert_dir}/${name}/fullchain.pem" ]; then
    echo "chairside: no certificate for ${name} yet; serving HTTP only" >&2
    rm -f "${conf_dir}/chairside-https.conf"
    exit 0
  fi
done
