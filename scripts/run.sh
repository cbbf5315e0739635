#!/usr/bin/env bash
# `make run`: migrate, load the organisation, create demo accounts (first time only; with DEMO=1 the
# demo accounts of every role and a small demo dataset), then serve the site with a Celery worker and
# beat beside it. Ctrl-C (or SIGTERM) stops all three within seconds.
#
# Each of the three runs in a process group of its own (setsid), so that stopping one stops its
# children too (runserver's autoreloader, a worker's pool); Ctrl-C reaches this script only, which
# asks every group to stop (TERM), and kills what is still there after FUYUAN_STOP_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"
PY=.venv/bin/python
VAR="${FUYUAN_VAR_DIR:-var}"
mkdir -p "$VAR/celery/queue" "$VAR/celery/processed" "$VAR/media"

$PY manage.py migrate --no-input -v 0
$PY manage.py load_organisation
if [[ "${FUYUAN_DEMO:-0}" == 1 ]]; then
  $PY manage.py load_demo
else
  $PY manage.py create_demo_users
fi

if ! command -v setsid >/dev/null; then  # macOS: job control gives each job its own process group
  set -m
  setsid() { "$@"; }
fi

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "stopping…"
  local pid
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for _ in $(seq $((${FUYUAN_STOP_SECONDS:-8} * 10))); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

# The solo pool runs tasks in the worker process itself: no pool to wait for when stopping, and one
# writer less on SQLite. Production runs its workers its own way (README, operations).
setsid .venv/bin/celery -A fuyuan worker --loglevel=INFO --pool=solo --hostname="worker@%h" & pids+=($!)
setsid .venv/bin/celery -A fuyuan beat --loglevel=INFO --pidfile= & pids+=($!)
setsid $PY manage.py runserver "${FUYUAN_ADDR:-127.0.0.1:8000}" & pids+=($!)
echo "府院联动工作平台: http://${FUYUAN_ADDR:-127.0.0.1:8000}/  (Ctrl-C stops the site, the worker and beat)"
wait -n "${pids[@]}"
