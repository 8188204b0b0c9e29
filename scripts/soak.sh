#!/usr/bin/env bash
# `make soak`: SOAK_SECONDS (default 600) of mixed load against the Release meshgate binary and
# a fake upstream on 127.0.0.1 — streams, non-streams, Anthropic messages, clients that abort
# mid-stream, upstream 500/429 and dropped streams, bad JSON and bad keys — then prints the
# outcome counts (ok / expected errors / unexpected errors) and the gateway's RSS at launch,
# after the warm-up and at the end. Exits non-zero on any unexpected error or when RSS grew
# 5 % or more after the warm-up.
#
# Knobs: SOAK_SECONDS, SOAK_CONCURRENCY (default 32), SOAK_WORKERS (gateway threads, default 2),
#        JOBS (build parallelism); MESHGATE_BIN and SOAK_UPSTREAM_BIN, both set, use those
#        binaries instead of building.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TO_RUN="${SOAK_SECONDS:-600}"
CONCURRENCY="${SOAK_CONCURRENCY:-32}"
WORKERS="${SOAK_WORKERS:-2}"
BUILD=build/release

if [ -n "${MESHGATE_BIN:-}" ] && [ -n "${SOAK_UPSTREAM_BIN:-}" ]; then
  gateway_bin="$MESHGATE_BIN"
  upstream_bin="$SOAK_UPSTREAM_BIN"
else
  # The Release binary plus the soak upstream (the option only adds that one target).
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DMESHGATE_TESTS=OFF -DMESHGATE_SOAK=ON \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
  cmake --build "$BUILD" --target meshgate soak_upstream -j "${JOBS:-$(nproc)}"
  gateway_bin="$BUILD/meshgate"
  upstream_bin="$BUILD/soak_upstream"
fi

work="$(mktemp -d)"
upstream_pid=""
gateway_pid=""
cleanup() {
  [ -n "$gateway_pid" ] && kill "$gateway_pid" 2>/dev/null && wait "$gateway_pid" 2>/dev/null || true
  [ -n "$upstream_pid" ] && kill "$upstream_pid" 2>/dev/null && wait "$upstream_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Waits (bounded) until `file` has a line matching `regex`; prints the first match.
wait_for_line() {
  local file="$1" regex="$2" pid="$3"
  for _ in $(seq 1 100); do
    if grep -m1 -E "$regex" "$file" 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { echo "soak: process $pid exited early:" >&2; cat "$file" >&2; return 1; }
    sleep 0.1
  done
  echo "soak: timed out waiting for '$regex' in $file" >&2
  return 1
}

"$upstream_bin" >"$work/upstream.log" 2>&1 &
upstream_pid=$!
upstream_port="$(wait_for_line "$work/upstream.log" '^port [0-9]+$' "$upstream_pid" | awk '{print $2}')"

master_key="sk-soak-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
cat >"$work/config.yaml" <<YAML
model_list:
  - model_name: soak-model
    litellm_params:
      model: tensormesh/openai/gpt-oss-120b
      api_base: http://127.0.0.1:${upstream_port}/v1
      api_key: soak-upstream-key
general_settings:
  master_key: ${master_key}
  spend_logs_path: ${work}/spend.db
router_settings:
  num_retries: 0
YAML

"$gateway_bin" --config "$work/config.yaml" --host 127.0.0.1 --port 0 --num_workers "$WORKERS" \
  >"$work/gateway.log" 2>&1 &
gateway_pid=$!
gateway_port="$(wait_for_line "$work/gateway.log" 'listening on http://127\.0\.0\.1:[0-9]+' "$gateway_pid" |
  sed -E 's/.*:([0-9]+).*/\1/')"

echo "soak: $(git rev-parse --short HEAD 2>/dev/null || echo unknown-commit), ${SECONDS_TO_RUN}s, ${CONCURRENCY} clients," \
  "gateway pid $gateway_pid on :$gateway_port with $WORKERS workers, upstream :$upstream_port"
status=0
node tests/soak/driver.mjs --port "$gateway_port" --key "$master_key" --pid "$gateway_pid" \
  --seconds "$SECONDS_TO_RUN" --concurrency "$CONCURRENCY" || status=$?

# The gateway must still be alive, and its log must hold no unexpected failure.
if ! kill -0 "$gateway_pid" 2>/dev/null; then
  echo "soak: FAIL: the gateway exited during the run" >&2
  status=1
fi
unexpected_log="$(grep -c -E 'unexpected|AddressSanitizer|terminate called' "$work/gateway.log" || true)"
echo "gateway log: $(wc -l <"$work/gateway.log") lines, $(grep -c ' error ' "$work/gateway.log" || true) at error level," \
  "$unexpected_log reporting an unexpected failure"
[ "$unexpected_log" -eq 0 ] || { grep -m5 -E 'unexpected|AddressSanitizer|terminate called' "$work/gateway.log"; status=1; }
exit "$status"
