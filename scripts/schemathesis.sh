#!/usr/bin/env bash
# Checks that the JSON API does what its OpenAPI document says: starts `sunledger serve --demo` on
# a free port over a fresh data directory and runs schemathesis (PyPI, 4.x) against
# /api/v1/openapi.json twice, anonymous and signed in as the demo city's administrator, with
# every method (state-changing ones included) and the response-conformance checks. Any 5xx, any
# status the document does not list, a body that does not match its schema or a wrong content
# type fails the run.
#
# Usage: scripts/schemathesis.sh            (builds the binary; SUNLEDGER_BIN=PATH uses another)
# Bounds: SCHEMATHESIS_MAX_EXAMPLES (default 8 per operation) and SCHEMATHESIS_MAX_TIME (seconds
# per run, default 100). Reports (JUnit) go to SCHEMATHESIS_REPORT_DIR when set.
# schemathesis is taken from PATH, else installed with pip into a virtual environment under
# ~/.cache; if that is impossible the check is skipped, except under CI=true, where it fails.
set -euo pipefail
cd "$(dirname "$0")/.."

max_examples=${SCHEMATHESIS_MAX_EXAMPLES:-8}
max_time=${SCHEMATHESIS_MAX_TIME:-100}
ci=${CI:-false}

unavailable() {
  if [ "$ci" = true ]; then
    echo "schemathesis: $1 (CI=true: the API check may not be skipped)" >&2
    exit 1
  fi
  echo "schemathesis: $1; skipping the API check" >&2
  exit 0
}

st_bin=""
if command -v st >/dev/null 2>&1 && st --version 2>/dev/null | grep -q ' 4\.'; then
  st_bin=$(command -v st)
else
  venv=${XDG_CACHE_HOME:-$HOME/.cache}/sunledger-schemathesis
  if [ ! -x "$venv/bin/st" ]; then
    echo "installing schemathesis 4.x from PyPI into $venv"
    python3 -m venv "$venv" >/dev/null 2>&1 || unavailable "python3 -m venv failed (apt-get install python3-venv)"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'schemathesis>=4,<5' \
      || unavailable "pip install schemathesis failed"
  fi
  st_bin="$venv/bin/st"
fi
"$st_bin" --version

bin=${SUNLEDGER_BIN:-}
if [ -z "$bin" ]; then
  cargo build -q -p sunledger --locked
  bin=${CARGO_TARGET_DIR:-target}/debug/sunledger
fi

dir=$(mktemp -d /tmp/sunledger-schemathesis.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
SUNLEDGER_LOG=warn "$bin" --data-dir "$dir" --database "sqlite:$dir/demo.db" \
  serve --demo --addr "127.0.0.1:$port" >"$dir/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

for _ in $(seq 1 300); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$dir/server.log" >&2; echo "the server did not start" >&2; exit 1; }
  sleep 0.2
done
curl -fsS "$base/healthz" >/dev/null || { cat "$dir/server.log" >&2; exit 1; }

# A session of the city administrator (demo password), from the Set-Cookie of the sign-in.
cookie=$(curl -fsS -D - -o /dev/null -H 'content-type: application/json' \
  -d '{"username":"admin","password":"sunledger-demo"}' "$base/api/v1/session" \
  | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(sunledger_session=[^;]*\).*/\1/p' | head -n 1)
[ -n "$cookie" ] || { echo "could not sign in as the demo administrator" >&2; exit 1; }

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
run() {
  local name=$1
  shift
  local report=()
  if [ -n "${SCHEMATHESIS_REPORT_DIR:-}" ]; then
    mkdir -p "$SCHEMATHESIS_REPORT_DIR"
    report=(--report junit --report-junit-path "$(cd "$SCHEMATHESIS_REPORT_DIR" && pwd)/$name.xml")
  fi
  echo "== schemathesis: $name =="
  # From the scratch directory, so that schemathesis's own files stay out of the source tree.
  local out=$dir/$name.out
  local tries=0
  while :; do
    tries=$((tries + 1))
    if (cd "$dir" && "$st_bin" run "$base/api/v1/openapi.json" --url "$base" \
      --checks "$checks" --max-examples "$max_examples" --max-time "$max_time" \
      --workers 2 --request-timeout 30 --seed 2025 --generation-database none --no-color \
      "${report[@]}" "$@") 2>&1 | tee "$out"; [ "${PIPESTATUS[0]}" -eq 0 ]; then
      return 0
    fi
    # A crash inside schemathesis or hypothesis themselves (listed under ERRORS as a "Runtime
    # Error", e.g. hypothesis's "AST constructor recursion depth mismatch" with two workers) is
    # not a finding about the API: that run is repeated once. Any check failure fails at once.
    if [ "$tries" -lt 2 ] && grep -q "Runtime Error" "$out" && ! grep -q "= FAILURES =" "$out"; then
      echo "schemathesis: an internal error of the tool (not an API finding); running $name again"
      continue
    fi
    return 1
  done
}
status=0
run anonymous || status=1
# The operations that can end the run's own session or powers (signing out, ending a session by
# id, disabling an account, revoking a grant) would leave the rest of the signed-in run
# anonymous or powerless: the anonymous run covers them.
run signed-in -H "Cookie: $cookie" \
  --exclude-name 'DELETE /api/v1/session' \
  --exclude-name 'DELETE /api/v1/users/{id}/grants/{grant_id}' \
  --exclude-name 'DELETE /api/v1/account/sessions/{id}' \
  --exclude-name 'POST /api/v1/users/{id}/disable' || status=1
if [ "$status" -ne 0 ]; then
  echo "schemathesis found responses the API document does not describe (server log: see above)" >&2
  tail -n 50 "$dir/server.log" >&2
fi
exit "$status"
