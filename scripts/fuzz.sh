#!/usr/bin/env bash
# Runs every libFuzzer target (tests/fuzz/targets.txt) for FUZZ_SECONDS each (default 600).
#   FUZZ_TARGETS="sse_parser chat"   only these targets
#   FUZZ_JOBS=2                       targets run side by side (default 1)
# Expects build/fuzz to be built (`make fuzz` does it). The committed seeds in
# tests/fuzz/corpus/<target>/ are read, never written: new inputs go to
# build/fuzz/corpus/<target>/, crashes to build/fuzz/artifacts/<target>/, and each run's output
# to build/fuzz/logs/<target>.log. Exits non-zero when a target found a crash, leak or timeout.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-600}"
jobs="${FUZZ_JOBS:-1}"
build=build/fuzz

declare -A max_len
order=()
while read -r name len; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  max_len[$name]=$len
  order+=("$name")
done < tests/fuzz/targets.txt
targets=(${FUZZ_TARGETS:-${order[@]}})

run_one() {
  local t="$1"
  local bin="$build/fuzz_$t"
  [ -x "$bin" ] || { echo "$t: $bin is missing (run make fuzz)"; return 1; }
  mkdir -p "$build/corpus/$t" "$build/artifacts/$t" "$build/logs"
  local dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  "$bin" -max_total_time="$seconds" -max_len="${max_len[$t]}" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "${dict[@]}" -artifact_prefix="$build/artifacts/$t/" \
    "$build/corpus/$t" "tests/fuzz/corpus/$t" >"$build/logs/$t.log" 2>&1
  local rc=$?
  local runs
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/logs/$t.log" | grep -o '[0-9]*$')
  if [ $rc -eq 0 ]; then
    echo "$t: ok, ${runs:-?} runs in ${seconds}s, corpus $(ls "$build/corpus/$t" | wc -l) inputs"
  else
    echo "$t: FAILED (exit $rc), see $build/logs/$t.log and $build/artifacts/$t/"
  fi
  return $rc
}

failed=0
running=0
pids=()
for t in "${targets[@]}"; do
  [ -n "${max_len[$t]:-}" ] || { echo "unknown target: $t"; failed=1; continue; }
  run_one "$t" &
  pids+=($!)
  running=$((running + 1))
  if [ $running -ge "$jobs" ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
done
while [ $running -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done
exit $failed
