#!/usr/bin/env bash
# `make run`: migrate, load the organisation, create demo accounts (first time only), then serve
# the site with a Celery worker and beat beside it. Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"
PY=.venv/bin/python
mkdir -p var/celery/queue var/celery/processed var/media

$PY manage.py migrate --no-input -v 0
$PY manage.py load_organisation
$PY manage.py create_demo_users

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "stopping…"
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT

.venv/bin/celery -A fuyuan worker --loglevel=INFO --concurrency=2 --hostname="worker@%h" & pids+=($!)
.venv/bin/celery -A fuyuan beat --loglevel=INFO --pidfile= & pids+=($!)
$PY manage.py runserver "${FUYUAN_ADDR:-127.0.0.1:8000}" & pids+=($!)
echo "府院联动工作平台: http://${FUYUAN_ADDR:-127.0.0.1:8000}/  (Ctrl-C stops the site, the worker and beat)"
wait -n "${pids[@]}"
