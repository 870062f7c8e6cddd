#!/usr/bin/env bash
# Starts a throwaway PostgreSQL (Debian's postgresql package) on a free port and prints its URL.
# Usage: eval "$(scripts/pg-temp.sh start)"  ... scripts/pg-temp.sh stop "$SUNLEDGER_PG_DIR"
# Works as root (initdb refuses root, so the server runs as the postgres user) and as a normal user.
set -euo pipefail
cmd=${1:-start}
B=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$B" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
start)
  D=$(mktemp -d /tmp/sunledger-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres: "$D"
  chmod 700 "$D"
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  run "$B/initdb" -D "$D/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >"$D/initdb.log" 2>&1 \
    || { cat "$D/initdb.log" >&2; exit 1; }
  run "$B/pg_ctl" -D "$D/data" -l "$D/log" -w -o "-p $PORT -k $D -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null \
    || { cat "$D/log" >&2; exit 1; }
  echo "export SUNLEDGER_TEST_PG=postgres://postgres@127.0.0.1:$PORT/postgres SUNLEDGER_PG_DIR=$D"
  ;;
stop)
  D=${2:?data dir}
  run "$B/pg_ctl" -D "$D/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$D"
  ;;
esac
