#!/usr/bin/env bash
# Starts a throwaway PostgreSQL (Debian's postgresql package) on a free port and prints its URL.
# Usage: eval "$(scripts/pg-temp.sh start)"  ... scripts/pg-temp.sh stop "$SUNLEDGER_PG_DIR"
# A streaming replica of it (hot standby, pg_basebackup -R -X stream) on another free port:
#   eval "$(scripts/pg-temp.sh replica "$SUNLEDGER_PG_DIR")"  (SUNLEDGER_TEST_PG_REPLICA)
#   ... scripts/pg-temp.sh stop "$SUNLEDGER_PG_REPLICA_DIR"
# The primary does not wait for the replica (synchronous_commit=off, no synchronous standby), so
# writes go on while a test pauses the replica's replay.
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
  echo "$PORT" >"$D/port"
  echo "export SUNLEDGER_TEST_PG=postgres://postgres@127.0.0.1:$PORT/postgres SUNLEDGER_PG_DIR=$D"
  ;;
replica)
  P=${2:?the primary dir, SUNLEDGER_PG_DIR}
  PPORT=$(cat "$P/port")
  R=$(mktemp -d /tmp/sunledger-pg-replica.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres: "$R"
  chmod 700 "$R"
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  # initdb's pg_hba.conf lets local replication connections in (trust); wal_level is replica.
  run "$B/pg_basebackup" -h 127.0.0.1 -p "$PPORT" -U postgres -D "$R/data" -R -X stream --no-sync >"$R/basebackup.log" 2>&1 \
    || { cat "$R/basebackup.log" >&2; exit 1; }
  run "$B/pg_ctl" -D "$R/data" -l "$R/log" -w -o "-p $PORT -k $R -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300 -c hot_standby=on" start >/dev/null \
    || { cat "$R/log" >&2; exit 1; }
  echo "export SUNLEDGER_TEST_PG_REPLICA=postgres://postgres@127.0.0.1:$PORT/postgres SUNLEDGER_PG_REPLICA_DIR=$R"
  ;;
stop)
  D=${2:?data dir}
  run "$B/pg_ctl" -D "$D/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$D"
  ;;
esac
