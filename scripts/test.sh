#!/usr/bin/env bash
# Install everything the tests need and run them all: bandit and pip-audit
# (scripts/security.sh), unit and integration tests on SQLite and on PostgreSQL (including
# a bounded schemathesis run and quick load and fault runs on gunicorn), then the browser
# tests in Debian's Chromium.
# PostgreSQL: CONSENT_TEST_DATABASE_URL if set, else a throwaway PostgreSQL cluster on
# 127.0.0.1 that this script creates and removes.
# Redis (the consent cache shared by workers): CONSENT_TEST_REDIS_URL if set, else a
# throwaway redis-server on a free 127.0.0.1 port, without persistence.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/apt-install.sh chromium postgresql fonts-liberation redis-server
scripts/setup.sh "test,postgres,redis"
PYTEST=(.venv/bin/python -m pytest -p no:cacheprovider)

cleanups=()
cleanup() { local c; for c in "${cleanups[@]}"; do eval "$c"; done; }
trap 'cleanup' EXIT
free_port() { .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
if [ -z "${CONSENT_TEST_DATABASE_URL:-}" ]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  PGTMP=$(mktemp -d /tmp/consent-pg.XXXXXX)
  PGPORT=$(free_port)
  AS=(); if [ "$(id -u)" -eq 0 ]; then chown postgres "$PGTMP"; AS=(runuser -u postgres --); fi
  "${AS[@]}" "$PGBIN/initdb" -D "$PGTMP/data" -A trust -U postgres -E UTF8 >/dev/null
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/log" -w -o \
    "-p $PGPORT -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
  cleanups+=('"${AS[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PGTMP"')
  "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres consent_test
  export CONSENT_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/consent_test"
  echo "throwaway PostgreSQL on 127.0.0.1:$PGPORT"
fi
PG_URL="$CONSENT_TEST_DATABASE_URL"
if [ -z "${CONSENT_TEST_REDIS_URL:-}" ] && command -v redis-server >/dev/null; then
  RDPORT=$(free_port)
  RDTMP=$(mktemp -d /tmp/consent-redis.XXXXXX)
  redis-server --bind 127.0.0.1 --port "$RDPORT" --save "" --appendonly no --dir "$RDTMP" \
    --daemonize yes --pidfile "$RDTMP/redis.pid" --logfile "$RDTMP/log" >/dev/null
  cleanups+=('kill "$(cat "$RDTMP/redis.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$RDTMP"')
  for _ in $(seq 50); do redis-cli -p "$RDPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  export CONSENT_TEST_REDIS_URL="redis://127.0.0.1:$RDPORT/0"
  echo "throwaway Redis on 127.0.0.1:$RDPORT"
fi

scripts/security.sh
# Examples per API operation in the schemathesis run (tests/test_api_fuzz.py).
export CONSENT_FUZZ_EXAMPLES="${CONSENT_FUZZ_EXAMPLES:-30}"

echo "== unit and integration tests on SQLite"
env -u CONSENT_TEST_DATABASE_URL "${PYTEST[@]}" tests -q "$@"
echo "== unit and integration tests on PostgreSQL"
CONSENT_TEST_DATABASE_URL="$PG_URL" "${PYTEST[@]}" tests -q "$@"
if [ -d e2e ] && ls e2e/test_*.py >/dev/null 2>&1; then
  echo "== browser tests (Chromium)"
  env -u CONSENT_TEST_DATABASE_URL "${PYTEST[@]}" e2e -q "$@"
fi
