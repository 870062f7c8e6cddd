#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit and integration tests on SQLite and PostgreSQL,
# and the browser test in headless Chromium.
#
# Needs Debian's postgresql, chromium, chromium-driver and fonts-noto-cjk; as root it installs
# whatever is missing. It starts a throwaway PostgreSQL server (scripts/pg-temp.sh) unless
# SUNLEDGER_TEST_PG already names one, and a streaming replica of it (SUNLEDGER_TEST_PG_REPLICA),
# and stops them at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "missing Debian packages: ${need[*]} (apt-get install them, or run as root)" >&2
  fi
fi

started_pg=""
started_replica=""
stop_pg() {
  [ -z "$started_replica" ] || scripts/pg-temp.sh stop "$started_replica"
  [ -z "$started_pg" ] || scripts/pg-temp.sh stop "$started_pg"
}
trap stop_pg EXIT
if [ -z "${SUNLEDGER_TEST_PG:-}" ]; then
  eval "$(scripts/pg-temp.sh start)"
  started_pg="$SUNLEDGER_PG_DIR"
fi
# A streaming replica of our own server, for the read-replica tests (tests/it/replica.rs).
if [ -z "${SUNLEDGER_TEST_PG_REPLICA:-}" ] && [ -n "$started_pg" ]; then
  eval "$(scripts/pg-temp.sh replica "$started_pg")"
  started_replica="$SUNLEDGER_PG_REPLICA_DIR"
fi
export SUNLEDGER_TEST_PG SUNLEDGER_TEST_PG_REPLICA

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked

# The API does what its OpenAPI document says (schemathesis against the demo; under CI=true a
# missing schemathesis that cannot be installed is a failure).
scripts/schemathesis.sh
