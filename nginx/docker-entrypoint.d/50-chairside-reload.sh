#!/bin/sh
# certbot renews certificates in place; reload nginx twice a day to use them.
(
  while :; do
    sleep 43200
    nginx -s reload
  done
) &
