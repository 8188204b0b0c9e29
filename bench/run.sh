#!/usr/bin/env bash
# `make bench`: measures meshgate against a plain nginx reverse proxy and against calling the mock
# upstream directly, in one run, on this machine. See docs/performance.md for what is measured
# and how to read the table.
#
#   bench/run.sh                 full run (10 s per measurement), updates docs/performance.md
#   BENCH_QUICK=1 bench/run.sh   smoke run (2 s per measurement), results in build/bench only
#
# Everything listens on 127.0.0.1 on free ports. wrk, the mock upstream and the measuring client
# run on CPU 0; the proxy under test (nginx or meshgate, one worker each) on CPU 1. Every process
# started here is stopped on exit, whatever the exit path; every wait has a deadline.
#
# Environment: BENCH_QUICK=1, BENCH_DURATION (s), BENCH_WRITE_DOCS=0|1 (default: 1 unless quick),
# BENCH_KEEP=1 (keep the scratch directory with configs and logs), MESHGATE_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."

quick="${BENCH_QUICK:-0}"
[ "$quick" = 1 ] || quick=0
if [ "$quick" = 1 ]; then duration="${BENCH_DURATION:-2}"; warmup=1; ttfb_count=10
else duration="${BENCH_DURATION:-10}"; warmup=2; ttfb_count=50; fi
write_docs="${BENCH_WRITE_DOCS:-$((1 - quick))}"
meshgate_bin="${MESHGATE_BIN:-build/release/meshgate}"
out_dir=build/bench
key="sk-bench-$(openssl rand -hex 12)"
startup_deadline_s=15

die() { echo "bench: $*" >&2; exit 1; }
for tool in wrk nginx node taskset openssl curl ss pgrep; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (run scripts/install-deps.sh bench)"
done
[ -x "$meshgate_bin" ] || die "$meshgate_bin is missing (run make build)"
echo_module=/usr/share/nginx/modules/ngx_http_echo_module.so
[ -f "$echo_module" ] || die "$echo_module is missing (apt-get install libnginx-mod-http-echo)"

if [ "$(nproc)" -ge 2 ]; then load_cpu=0; proxy_cpu=1
else load_cpu=0; proxy_cpu=0; echo "bench: one CPU only; load and proxy share it" >&2; fi

# 1,000 concurrent streams need ~2,000 descriptors in the proxy and 1,000 in wrk.
hard_nofile="$(ulimit -Hn)"
if [ "$hard_nofile" = unlimited ] || [ "$hard_nofile" -ge 16384 ]; then ulimit -n 16384
else ulimit -n "$hard_nofile"; fi

# ---------------------------------------------------------------------------------------------
# Processes started here, stopped by pid on exit.
dir="$(mktemp -d "${TMPDIR:-/tmp}/meshgate-bench.XXXXXX")"
chmod 755 "$dir"
started=()       # long-running servers, in start order
current=""       # the load generator or client running right now

alive() { kill -0 "$1" 2>/dev/null; }
stop_pid() {     # TERM, then KILL after a deadline
  local pid="$1" deadline=$((SECONDS + 10))
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  while alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.05; done
  if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "$current" ] && stop_pid "$current"
  local i
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do stop_pid "${started[$i]}"; done
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench: scratch directory kept: $dir" >&2
  else rm -rf "$dir"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command in the background and waits for it, so that INT/TERM reach the trap at once.
run_fg() {
  "$@" &
  current=$!
  local rc=0
  wait "$current" || rc=$?
  current=""
  return "$rc"
}

# ---------------------------------------------------------------------------------------------
# Free loopback ports.
ports=()
pick_ports() {
  local used p tries=0
  used=" $(ss -Htan | awk '{ n = split($4, a, ":"); printf "%s ", a[n] }') "
  while [ "${#ports[@]}" -lt "$1" ]; do
    tries=$((tries + 1)); [ "$tries" -lt 1000 ] || die "no free ports found"
    p=$((20000 + RANDOM % 30000))
    case "$used ${ports[*]:-} " in *" $p "*) continue ;; esac
    ports+=("$p")
  done
}
pick_ports 5
mock_port=${ports[0]}; mock_tls_port=${ports[1]}; proxy_port=${ports[2]}; meshgate_port=${ports[3]}

# Polls until something accepts on the port, the process dies, or the deadline passes.
wait_port() {
  local name="$1" pid="$2" port="$3" log="$4" deadline=$((SECONDS + startup_deadline_s))
  while ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    if ! alive "$pid"; then
      echo "bench: $name exited during start-up; its log:" >&2; tail -n 20 "$log" >&2 || true; exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "bench: $name did not listen on 127.0.0.1:$port within ${startup_deadline_s}s; its log:" >&2
      tail -n 20 "$log" >&2 || true; exit 1
    fi
    sleep 0.05
  done
}

fill() {          # template → file, replacing the @NAME@ placeholders
  sed -e "s|@DIR@|$dir|g" -e "s|@MOCK_PORT@|$mock_port|g" -e "s|@MOCK_TLS_PORT@|$mock_tls_port|g" \
      -e "s|@PROXY_PORT@|$proxy_port|g" -e "s|@ECHO_MODULE@|$echo_module|g" "$1" > "$2"
}

start_nginx() {   # name cpu conf port
  local name="$1" cpu="$2" conf="$3" port="$4" log="$dir/$1.out"
  nginx -t -q -e "$dir/$name.error.log" -p "$dir" -c "$conf" >"$log" 2>&1 ||
    { cat "$log" >&2; die "$name: nginx rejected $conf"; }
  taskset -c "$cpu" nginx -e "$dir/$name.error.log" -p "$dir" -c "$conf" -g 'daemon off;' >"$log" 2>&1 &
  started+=($!)
  wait_port "$name" "$!" "$port" "$dir/$name.error.log"
}

# ---------------------------------------------------------------------------------------------
# Test CA and mock certificate, made for this run only.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=meshgate bench CA" \
  -keyout "$dir/ca.key" -out "$dir/ca.pem" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
  -keyout "$dir/server.key" -out "$dir/server.csr" >/dev/null 2>&1
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$dir/server.ext"
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
  -days 2 -extfile "$dir/server.ext" -out "$dir/server.pem" >/dev/null 2>&1

# Request bodies.
body() {          # name model stream [content]
  printf '{"model":"%s","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"%s"}],"max_tokens":64%s}' \
    "$2" "${4:-Say hello to the benchmark.}" "$([ "$3" = 1 ] && echo ',"stream":true')" > "$dir/$1.json"
}
body json bench-json 0
body sse bench-sse 1
body paced bench-paced 1
body tls bench-tls 0
big_prompt="$(awk 'BEGIN { s = "The quick brown fox jumps over the lazy dog while the benchmark keeps counting. "
  while (length(t) < 262144) t = t s; printf "%s", substr(t, 1, 262144) }')"
body big bench-json 0 "$big_prompt"
unset big_prompt

# ---------------------------------------------------------------------------------------------
# Servers.
fill bench/mock.nginx.conf.in "$dir/mock.conf"
fill bench/proxy.nginx.conf.in "$dir/proxy.conf"
start_nginx mock "$load_cpu" "$dir/mock.conf" "$mock_port"
wait_port "mock (https)" "${started[0]}" "$mock_tls_port" "$dir/mock.error.log"
start_nginx proxy "$proxy_cpu" "$dir/proxy.conf" "$proxy_port"

LITELLM_MASTER_KEY="$key" \
BENCH_MOCK_JSON_BASE="http://127.0.0.1:$mock_port/v1" \
BENCH_MOCK_SSE_BASE="http://127.0.0.1:$mock_port/sse/v1" \
BENCH_MOCK_PACED_BASE="http://127.0.0.1:$mock_port/paced/v1" \
BENCH_MOCK_TLS_BASE="https://127.0.0.1:$mock_tls_port/v1" \
BENCH_SPEND_LOGS_PATH="$dir/spend.db" \
SSL_CERT_FILE="$dir/ca.pem" GRACEFUL_SHUTDOWN_TIMEOUT=2 \
  taskset -c "$proxy_cpu" "$meshgate_bin" --config bench/meshgate.yaml --host 127.0.0.1 \
  --port "$meshgate_port" --num_workers 1 >"$dir/meshgate.log" 2>&1 &
started+=($!)
meshgate_pid=$!
wait_port meshgate "$meshgate_pid" "$meshgate_port" "$dir/meshgate.log"
proxy_master=${started[1]}

# Each target: how to reach each mock behaviour, and which processes are the proxy.
declare -A url
url[direct,json]="http://127.0.0.1:$mock_port/v1/chat/completions"
url[direct,sse]="http://127.0.0.1:$mock_port/sse/v1/chat/completions"
url[direct,paced]="http://127.0.0.1:$mock_port/paced/v1/chat/completions"
url[direct,tls]="https://127.0.0.1:$mock_tls_port/v1/chat/completions"
url[nginx,json]="http://127.0.0.1:$proxy_port/v1/chat/completions"
url[nginx,sse]="http://127.0.0.1:$proxy_port/sse/v1/chat/completions"
url[nginx,paced]="http://127.0.0.1:$proxy_port/paced/v1/chat/completions"
url[nginx,tls]="http://127.0.0.1:$proxy_port/tls/v1/chat/completions"
for m in json sse paced tls; do url[meshgate,$m]="http://127.0.0.1:$meshgate_port/v1/chat/completions"; done
url[direct,big]=${url[direct,json]}; url[nginx,big]=${url[nginx,json]}; url[meshgate,big]=${url[meshgate,json]}

pids_of() {       # the processes whose CPU and memory count for a target
  case "$1" in
    nginx) echo "$proxy_master $(pgrep -P "$proxy_master" | tr '\n' ' ')" ;;
    meshgate) echo "$meshgate_pid" ;;
    *) echo "" ;;
  esac
}
cpu_ticks() {     # utime + stime of the processes, in clock ticks
  local p t=0 f
  for p in "$@"; do
    f="$(sed 's/.*) //' "/proc/$p/stat")"
    t=$((t + $(echo "$f" | awk '{ print $12 + $13 }')))
  done
  echo "$t"
}
status_kb() {     # sum of a /proc/<pid>/status field (VmRSS, VmHWM), in kB
  local field="$1" p t=0; shift
  for p in "$@"; do t=$((t + $(awk -v f="$field:" '$1 == f { print $2 }' "/proc/$p/status"))); done
  echo "$t"
}
reset_peak() {    # make VmHWM start again from the current RSS (Linux ≥ 4.0)
  local p
  for p in "$@"; do echo 5 > "/proc/$p/clear_refs" 2>/dev/null || peak_reset_ok=0; done
}
peak_reset_ok=1
clk_tck="$(getconf CLK_TCK)"

# ---------------------------------------------------------------------------------------------
# Smoke check: every path answers as expected through every target before anything is timed.
check() {         # target mock expected-substring
  local out
  out="$(curl -sS --max-time 10 --cacert "$dir/ca.pem" -H "Authorization: Bearer $key" \
    -H 'Content-Type: application/json' --data-binary "@$dir/$2.json" -w '\n%{http_code}' "${url[$1,$2]}")" ||
    die "$1 $2: request to ${url[$1,$2]} failed"
  [ "$(tail -n 1 <<<"$out")" = 200 ] || die "$1 $2: status $(tail -n 1 <<<"$out"): $(head -c 300 <<<"$out")"
  grep -q "$3" <<<"$out" || die "$1 $2: unexpected body: $(head -c 300 <<<"$out")"
}
for t in direct nginx meshgate; do
  check "$t" json '"completion_tokens":13'
  check "$t" big '"completion_tokens":13'
  check "$t" tls '"completion_tokens":13'
  check "$t" sse 'data: \[DONE\]'
  check "$t" paced 'data: \[DONE\]'
done

mkdir -p "$out_dir"
results="$out_dir/results.jsonl"
: > "$results"
declare -A rss_idle
for t in nginx meshgate; do
  # shellcheck disable=SC2046
  rss_idle[$t]=$(status_kb VmRSS $(pids_of "$t"))
done
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------------------------
# Measurements.
errors_total=0
declare -A w     # the fields of wrk's BENCH summary line (bench/wrk.lua)
measure() {       # case mock connections [seconds]
  local case="$1" mock="$2" conns="$3" secs="${4:-$duration}" t pids line kv c0 c1 peak cpu_us errors
  for t in direct nginx meshgate; do
    c0=0; c1=0; peak=0; cpu_us=null
    read -r -a pids <<<"$(pids_of "$t")"
    run_fg taskset -c "$load_cpu" wrk -t1 -c"$conns" -d"${warmup}s" --timeout 10s -s bench/wrk.lua \
      "${url[$t,$mock]}" -- "$dir/$mock.json" "$key" >/dev/null || die "wrk failed on $case $t (warm-up)"
    if [ "${#pids[@]}" -gt 0 ]; then reset_peak "${pids[@]}"; c0=$(cpu_ticks "${pids[@]}"); fi
    run_fg taskset -c "$load_cpu" wrk -t1 -c"$conns" -d"${secs}s" --timeout 10s -s bench/wrk.lua \
      "${url[$t,$mock]}" -- "$dir/$mock.json" "$key" > "$dir/wrk.out" || die "wrk failed on $case $t"
    if [ "${#pids[@]}" -gt 0 ]; then c1=$(cpu_ticks "${pids[@]}"); peak=$(status_kb VmHWM "${pids[@]}"); fi
    line="$(grep '^BENCH ' "$dir/wrk.out")" || die "no summary from wrk on $case $t: $(cat "$dir/wrk.out")"
    w=()
    for kv in ${line#BENCH }; do w[${kv%%=*}]=${kv#*=}; done
    if [ "${w[requests]:-0}" -eq 0 ]; then  # recorded as a failure; the other targets still run
      echo "bench: $case $t: no request completed within ${secs}s" >&2
      w[err_timeout]=$((w[err_timeout] + conns))
    elif [ "${#pids[@]}" -gt 0 ]; then
      cpu_us=$(awk -v d=$((c1 - c0)) -v n="${w[requests]}" -v hz="$clk_tck" 'BEGIN { printf "%.1f", d * 1e6 / hz / n }')
    fi
    errors=$((w[err_connect] + w[err_read] + w[err_write] + w[err_status] + w[err_timeout]))
    # Timeouts and unfinished windows come from an overloaded machine; anything else is a fault.
    errors_total=$((errors_total + errors - w[err_timeout]))
    printf '{"case":"%s","target":"%s","conns":%d,"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"cpu_us":%s,"rss_idle_kb":%d,"rss_peak_kb":%d,"errors":%d}\n' \
      "$case" "$t" "$conns" "${w[requests]}" "${w[duration_us]}" "${w[p50_us]}" "${w[p99_us]}" \
      "$cpu_us" "${rss_idle[$t]:-0}" "$peak" "$errors" >> "$results"
    printf 'bench: %-14s %-8s c=%-4d %8d req  p50 %6d us  p99 %7d us  cpu %7s us/req  peak %6d kB  errors %d\n' \
      "$case" "$t" "$conns" "${w[requests]}" "${w[p50_us]}" "${w[p99_us]}" "$cpu_us" "$peak" "$errors"
  done
}

measure_ttfb() {
  local t out
  for t in direct nginx meshgate; do
    run_fg taskset -c "$load_cpu" node bench/sse_client.js "${url[$t,paced]}" "$dir/paced.json" "$key" \
      "$ttfb_count" > "$dir/sse.out" || die "paced SSE client failed against $t"
    out="$(cat "$dir/sse.out")"
    printf '{"case":"paced-ttfb","target":"%s",%s\n' "$t" "${out#\{}" >> "$results"
    echo "bench: paced-ttfb     $(printf '%-8s' "$t") $out"
  done
}

echo "bench: $([ "$quick" = 1 ] && echo quick || echo full) run, ${duration}s per measurement, wrk+mock on CPU $load_cpu, proxy on CPU $proxy_cpu"
measure json-c1 json 1
measure json-c16 json 16
measure json-c64 json 64
measure sse-c16 sse 16
measure_ttfb
measure tls-c16 tls 16
measure prompt-256k big 16
# Each of the 1,000 streams lasts 100 ms or more; a short window would end before most finish.
measure paced-c1000 paced 1000 "$((duration > 5 ? duration : 5))"

load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
cpu_model="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
cat > "$out_dir/meta.json" <<EOF
{"commit":"$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src include 2>/dev/null || echo '+changes')",
 "date":"$(date -u +%Y-%m-%dT%H:%MZ)","nproc":$(nproc),"cpu":"${cpu_model:-unknown}",
 "quick":$([ "$quick" = 1 ] && echo true || echo false),"duration_s":$duration,
 "load_before":"$load_before","load_after":"$load_after","peak_reset":$([ "$peak_reset_ok" = 1 ] && echo true || echo false),
 "nginx":"$(nginx -v 2>&1 | sed 's|.*/||')","wrk":"$(wrk -v 2>&1 | awk 'NR == 1 { print $2 }')"}
EOF
docs_arg=()
[ "$write_docs" = 1 ] && docs_arg=(docs/performance.md)
node bench/report.js "$results" "$out_dir/meta.json" "$out_dir/results.md" "${docs_arg[@]}"
[ "$errors_total" -eq 0 ] || die "$errors_total requests failed (connect, read, write or non-2xx status; see the errors column)"
