#!/usr/bin/env bash
# Instruction profile of meshgate under one bench load, with callgrind (deterministic counts, so
# a busy machine does not change the result; perf needs hardware counters that VMs often lack).
#
#   bench/profile.sh json    small JSON, wrk at c=64 for 15 s     (docs/performance.md)
#   bench/profile.sh big     ten sequential 256 KB prompts
#   bench/profile.sh sse     the 20-event stream, wrk at c=16 for 15 s
#
# Starts the nginx mock and meshgate (under valgrind) on free loopback ports, warms up, counts
# only the measured window (callgrind_control -i on/off), then prints the top functions and
# leaves the profile in build/bench/callgrind.<case>.out (open with callgrind_annotate or
# kcachegrind). Needs `make build` and scripts/install-deps.sh bench, plus valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-json}"
case "$what" in json | big | sse) ;; *) echo "usage: bench/profile.sh json|big|sse" >&2; exit 2 ;; esac
for tool in valgrind callgrind_control callgrind_annotate nginx wrk curl openssl ss; do
  command -v "$tool" >/dev/null 2>&1 || { echo "profile: $tool is missing" >&2; exit 1; }
done
[ -x build/release/meshgate ] || { echo "profile: build/release/meshgate is missing (make build)" >&2; exit 1; }

dir="$(mktemp -d "${TMPDIR:-/tmp}/meshgate-profile.XXXXXX")"
chmod 755 "$dir"
pids=()
cleanup() {
  local rc=$? p i
  trap - EXIT INT TERM
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    p=${pids[$i]}
    kill -TERM "$p" 2>/dev/null || continue
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

used=" $(ss -Htan | awk '{ n = split($4, a, ":"); printf "%s ", a[n] }') "
ports=()
while [ "${#ports[@]}" -lt 3 ]; do
  p=$((20000 + RANDOM % 30000))
  case "$used ${ports[*]:-} " in *" $p "*) continue ;; esac
  ports+=("$p")
done
mock_port=${ports[0]} mock_tls_port=${ports[1]} port=${ports[2]}

wait_port() {     # name pid port seconds
  local deadline=$((SECONDS + $4))
  until (exec 3<>"/dev/tcp/127.0.0.1/$3") 2>/dev/null; do
    kill -0 "$2" 2>/dev/null || { echo "profile: $1 exited during start-up" >&2; exit 1; }
    [ "$SECONDS" -lt "$deadline" ] || { echo "profile: $1 did not listen within $4 s" >&2; exit 1; }
    sleep 0.1
  done
}

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
  -keyout "$dir/server.key" -out "$dir/server.pem" >/dev/null 2>&1
sed -e "s|@DIR@|$dir|g" -e "s|@MOCK_PORT@|$mock_port|g" -e "s|@MOCK_TLS_PORT@|$mock_tls_port|g" \
  -e "s|@ECHO_MODULE@|/usr/share/nginx/modules/ngx_http_echo_module.so|g" bench/mock.nginx.conf.in > "$dir/mock.conf"
taskset -c 0 nginx -e "$dir/mock.error.log" -p "$dir" -c "$dir/mock.conf" -g 'daemon off;' &
pids+=($!)
wait_port mock "$!" "$mock_port" 15

key="sk-profile-$(openssl rand -hex 8)"
out="build/bench/callgrind.$what.out"
mkdir -p build/bench
LITELLM_MASTER_KEY="$key" BENCH_MOCK_JSON_BASE="http://127.0.0.1:$mock_port/v1" \
BENCH_MOCK_SSE_BASE="http://127.0.0.1:$mock_port/sse/v1" BENCH_MOCK_PACED_BASE="http://127.0.0.1:$mock_port/paced/v1" \
BENCH_MOCK_TLS_BASE="https://127.0.0.1:$mock_tls_port/v1" BENCH_SPEND_LOGS_PATH="$dir/spend.db" GRACEFUL_SHUTDOWN_TIMEOUT=2 \
  taskset -c 1 valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$dir/callgrind.out" \
  build/release/meshgate --config bench/meshgate.yaml --host 127.0.0.1 --port "$port" --num_workers 1 \
  >"$dir/meshgate.log" 2>&1 &
pids+=($!)
vg=$!
wait_port "meshgate (valgrind)" "$vg" "$port" 120

model=bench-json stream=""
content="Say hello to the benchmark."
[ "$what" = sse ] && { model=bench-sse; stream=',"stream":true'; }
[ "$what" = big ] && content="$(awk 'BEGIN { s = "The quick brown fox jumps over the lazy dog while the benchmark keeps counting. "
  while (length(t) < 262144) t = t s; printf "%s", substr(t, 1, 262144) }')"
printf '{"model":"%s","messages":[{"role":"user","content":"%s"}],"max_tokens":64%s}' "$model" "$content" "$stream" > "$dir/body.json"
url="http://127.0.0.1:$port/v1/chat/completions"
post() { curl -sS --max-time 120 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" --data-binary "@$dir/body.json" "$url"; }

for _ in 1 2 3; do [ "$(post)" = 200 ] || { echo "profile: warm-up request failed" >&2; exit 1; }; done
served() { grep -c 'POST /v1/chat/completions' "$dir/meshgate.log" || true; }  # access lines
before=$(served)
callgrind_control -i on "$vg" >/dev/null
case "$what" in
  big) n=0; for _ in $(seq 10); do [ "$(post)" = 200 ] && n=$((n + 1)); done; echo "profile: $n requests" ;;
  json) taskset -c 0 wrk -t1 -c64 -d15s --timeout 30s -s bench/wrk.lua "$url" -- "$dir/body.json" "$key" | grep '^BENCH' ;;
  sse) taskset -c 0 wrk -t1 -c16 -d15s --timeout 30s -s bench/wrk.lua "$url" -- "$dir/body.json" "$key" | grep '^BENCH' ;;
esac
callgrind_control -i off "$vg" >/dev/null
after=$(served)
callgrind_control -d "$vg" >/dev/null
# The dump taken on request is the largest file; the one written at exit holds no events.
# shellcheck disable=SC2012  # names are ours: callgrind.out, callgrind.out.1
cp "$(ls -S "$dir"/callgrind.out* | head -n 1)" "$out"
echo "profile: $((after - before)) requests answered while counting (access lines); divide the total by it"
callgrind_annotate --inclusive=yes "$out" 2>/dev/null | sed -n '20,60p' | cut -c1-180
echo "profile: full profile in $out"
