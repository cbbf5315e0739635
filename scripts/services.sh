#!/usr/bin/env bash
# Make PostgreSQL and Redis available for the test suite (used by `make test` and CI).
# Uses DATABASE_URL / REDIS_URL when set; otherwise the local servers on 127.0.0.1, starting
# them when installed but stopped, installing them from Debian's packages when missing and
# running as root, and otherwise saying exactly what is missing and the command that fixes it.
set -euo pipefail

say() { printf '[services] %s\n' "$*"; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

pg_ready() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_ready() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    die "$1 is not installed. Install it with: sudo apt-get install -y $2"
  fi
  say "installing $2 from Debian's packages"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $2 >/dev/null
}

if [ -z "${DATABASE_URL:-}" ]; then
  if ! pg_ready; then
    command -v pg_ctlcluster >/dev/null 2>&1 || apt_install PostgreSQL "postgresql postgresql-client"
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
    [ -n "$version" ] || die "PostgreSQL is installed but has no cluster. Create one with: sudo pg_createcluster --start 15 main"
    say "starting PostgreSQL $version"
    if [ "$(id -u)" -eq 0 ]; then
      pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    else
      die "PostgreSQL is stopped. Start it with: sudo pg_ctlcluster --skip-systemctl-redirect $version main start"
    fi
    for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
    pg_ready || die "PostgreSQL did not start; see /var/log/postgresql/"
  fi
  # The tests connect as postgres over TCP; make sure that works without a password.
  if ! psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
    die "cannot connect to PostgreSQL as postgres on 127.0.0.1 without a password. Set DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/fuyuan"
  fi
  say "PostgreSQL ready on 127.0.0.1:5432"
else
  say "using DATABASE_URL"
fi

if [ -z "${REDIS_URL:-}" ]; then
  if ! redis_ready; then
    command -v redis-server >/dev/null 2>&1 || apt_install Redis redis-server
    say "starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    for _ in $(seq 1 20); do redis_ready && break; sleep 0.5; done
    redis_ready || die "Redis did not start. Start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379"
  fi
  say "Redis ready on 127.0.0.1:6379"
else
  say "using REDIS_URL"
fi
