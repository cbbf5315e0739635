#!/usr/bin/env bash
# The scale-out load test (`make load SCALE_OUT=1`) puts Debian's nginx in front of the gunicorns.
# Prints the path of the nginx binary; installs the package when it is missing and we are root.
set -euo pipefail
for candidate in "${FUYUAN_NGINX:-}" /usr/sbin/nginx "$(command -v nginx 2>/dev/null || true)"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
if [ "$(id -u)" -ne 0 ]; then
  echo "[nginx] nginx is missing. Install it with: sudo apt-get install -y nginx" >&2
  exit 1
fi
echo "[nginx] installing nginx from Debian's packages" >&2
# The package's own service is not wanted: the load test runs nginx itself, with its own configuration.
# policy-rc.d 101 keeps the package scripts from starting the service on port 80 (restored afterwards).
policy=/usr/sbin/policy-rc.d
had_policy=0; [ -e "$policy" ] && had_policy=1
if [ "$had_policy" -eq 0 ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; fi
trap '[ "$had_policy" -eq 0 ] && rm -f "$policy"' EXIT
DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
echo /usr/sbin/nginx
