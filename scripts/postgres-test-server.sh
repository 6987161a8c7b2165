#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the store tests and
# prints the URL to export as KHABAR_TEST_POSTGRES.
#
#   eval "$(bash scripts/postgres-test-server.sh)"     # start (or reuse) and export
#   bash scripts/postgres-test-server.sh stop          # stop and delete it
#
# Needs Debian's `postgresql` package (installed by .ci/run). Runs the server
# as the `postgres` user when started as root (initdb refuses root), on
# 127.0.0.1:${KHABAR_PG_PORT:-54329}, with its data in ${KHABAR_PG_DIR:-/tmp/khabar-pg}.
set -euo pipefail
port="${KHABAR_PG_PORT:-54329}"
dir="${KHABAR_PG_DIR:-/tmp/khabar-pg}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -z "$bin" ]; then
  echo "postgres-test-server: PostgreSQL is not installed (apt-get install -y postgresql)" >&2
  exit 1
fi
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "${1:-start}" = stop ]; then
  if [ -d "$dir" ]; then as_pg "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true; rm -rf "$dir"; fi
  exit 0
fi
url="postgres://postgres@127.0.0.1:${port}/khabar_test"
if ! as_pg "$bin/pg_isready" -h 127.0.0.1 -p "$port" -q 2>/dev/null; then
  rm -rf "$dir"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
  as_pg "$bin/initdb" -D "$dir" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200" start >/dev/null
fi
if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'khabar_test'" postgres | grep -q 1; then
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres khabar_test
fi
echo "export KHABAR_TEST_POSTGRES=$url"
