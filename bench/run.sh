#!/usr/bin/env bash
# salve benchmark: direct vs nginx vs HAProxy vs salve, on loopback, in interleaved rounds.
# See bench/README.md. Usage: bench/run.sh [--quick] [--targets LIST] [--scenarios LIST] [--record|--no-record]
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'EOF'
Usage: bench/run.sh [options]

  --quick             smoke test: DURATION=3s WARMUP=1s ROUNDS=1, not recorded in RESULTS.md
  --targets LIST      comma-separated subset of: direct,nginx,haproxy,salve (default: all)
  --scenarios LIST    comma-separated subset of: throughput,fixed-rate,post-1mib,idle,first-5s
                      (default: all but first-5s)
  --user-default      the run a user makes: salve through bin/salve on the java on the PATH, default
                      event loops, nothing pinned (PROXY_CPUS and LOAD_CPUS default to every CPU)
  --logging           access logs on: salve's JSON log, and nginx's (the same fields, buffer=64k)
  --record            append the report to bench/RESULTS.md (default for full runs)
  --no-record         do not (default for --quick)
  -h, --help          this text

Environment (defaults in brackets): DURATION [10s] WARMUP [15s] ROUNDS [3] CONNS [64]
RATE [2000] RATE_CONNS [16] POST_CONNS [8] IDLE_CONNS [1000] PROXY_CPUS [0] LOAD_CPUS [1]
SALVE_JAVA [newest JDK 21+ in /usr/lib/jvm, else java; --user-default: java] SALVE_JVM_FLAGS (used when bench/jvm.flags does not exist)
SALVE_BENCH_EXTRA (more JVM flags for salve, e.g. -Dsalve.transport=io_uring) BUILD_SALVE [1] (0: never build)
RESULTS_FILE [bench/RESULTS.md]
KEEP_TMP [0] (1 keeps the temp dir with configs and logs)
EOF
}

QUICK=0
USER_DEFAULT=0
LOGGING=0
RECORD=""
TARGETS_ARG="direct,nginx,haproxy,salve"
SCENARIOS_ARG="throughput,fixed-rate,post-1mib,idle"
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) QUICK=1 ;;
    --targets) TARGETS_ARG=${2:?}; shift ;;
    --targets=*) TARGETS_ARG=${1#*=} ;;
    --scenarios) SCENARIOS_ARG=${2:?}; shift ;;
    --scenarios=*) SCENARIOS_ARG=${1#*=} ;;
    --user-default) USER_DEFAULT=1 ;;
    --logging) LOGGING=1 ;;
    --record) RECORD=1 ;;
    --no-record) RECORD=0 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

if [[ $QUICK == 1 ]]; then
  DURATION=${DURATION:-3s}; WARMUP=${WARMUP:-1s}; ROUNDS=${ROUNDS:-1}
  RECORD=${RECORD:-0}
else
  # 15 s of warm-up per target and scenario: the JVM's JIT needs about that to settle (shorter, and
  # salve's first measured round is still being compiled); the native proxies get the same.
  DURATION=${DURATION:-10s}; WARMUP=${WARMUP:-15s}; ROUNDS=${ROUNDS:-3}
  RECORD=${RECORD:-1}
  if (( ROUNDS < 3 )); then log "note: ROUNDS=$ROUNDS; the issue asks for at least 3 measured rounds"; fi
fi
CONNS=${CONNS:-64}
RATE=${RATE:-2000}
RATE_CONNS=${RATE_CONNS:-16}
POST_CONNS=${POST_CONNS:-8}
IDLE_CONNS=${IDLE_CONNS:-1000}
if [[ $USER_DEFAULT == 1 ]]; then
  PROXY_CPUS=${PROXY_CPUS:-0-$(( $(nproc) - 1 ))}
  LOAD_CPUS=${LOAD_CPUS:-0-$(( $(nproc) - 1 ))}
else
  PROXY_CPUS=${PROXY_CPUS:-0}
  LOAD_CPUS=${LOAD_CPUS:-1}
fi
FIRST_SECONDS=${FIRST_SECONDS:-5}
RESULTS_FILE=${RESULTS_FILE:-$BENCH_DIR/RESULTS.md}

if (( $(nproc) < 2 )) && [[ $PROXY_CPUS == 0 && $LOAD_CPUS == 1 ]]; then
  log "warning: only $(nproc) CPU; running proxies and wrk on CPU 0 together"
  LOAD_CPUS=0
fi

IFS=, read -r -a TARGETS <<<"$TARGETS_ARG"
IFS=, read -r -a SCENARIOS <<<"$SCENARIOS_ARG"
for t in "${TARGETS[@]}"; do
  [[ $t =~ ^(direct|nginx|haproxy|salve)$ ]] || die "unknown target $t"
done
for s in "${SCENARIOS[@]}"; do
  [[ $s =~ ^(throughput|fixed-rate|post-1mib|idle|first-5s)$ ]] || die "unknown scenario $s"
done

has_target() { local x; for x in "${TARGETS[@]}"; do [[ $x == "$1" ]] && return 0; done; return 1; }

# ---------------------------------------------------------------- tools
LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)
need_cmds python3:python3 taskset:util-linux setsid:util-linux ps:procps wrk:wrk nginx:nginx
has_target haproxy && need_cmds haproxy:haproxy

bench_init salve-bench
OUT_DIR=${OUT_DIR:-$BENCH_DIR/out/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT_DIR/raw"
RESULTS="$OUT_DIR/results.jsonl"
: >"$RESULTS"
NOTES=()

note() { # note TARGET FLAG(true|false) TEXT
  python3 "$HELPERS/util.py" note "$1" "$2" "$3" >>"$RESULTS"
}

# salve: build if needed; skip the target (with a clear message) if it cannot be had.
if has_target salve; then
  reason=""
  if ! command -v "$SALVE_JAVA" >/dev/null 2>&1; then
    reason="$SALVE_JAVA not found"
  elif [[ ! -f $SALVE_JAR && ${BUILD_SALVE:-1} == 0 ]]; then
    reason="proxy/target/salve.jar is missing (BUILD_SALVE=0: not building it)"
  elif [[ ! -f $SALVE_JAR ]] && ! build_salve; then
    reason="proxy/target/salve.jar is missing and the build did not produce it"
  fi
  if [[ -n $reason ]]; then
    log "SKIPPING target salve: $reason"
    NOTES+=("salve skipped: $reason")
    keep=()
    for t in "${TARGETS[@]}"; do [[ $t == salve ]] || keep+=("$t"); done
    TARGETS=("${keep[@]}")
  fi
fi
[[ ${#TARGETS[@]} -gt 0 ]] || die "no targets left"

# ---------------------------------------------------------------- servers
read -r P_ORIGIN P_NGINX P_HAPROXY P_SALVE P_ADMIN <<<"$(free_ports 5)"
declare -A PORT=([direct]=$P_ORIGIN [nginx]=$P_NGINX [haproxy]=$P_HAPROXY [salve]=$P_SALVE)
declare -A PGID=()

log "origin nginx on 127.0.0.1:$P_ORIGIN (CPU $PROXY_CPUS)"
mkdir -p "$BENCH_TMP/origin"
write_origin_conf "$BENCH_TMP/origin" "$P_ORIGIN"
start_nginx origin "$BENCH_TMP/origin" "$PROXY_CPUS"
ORIGIN_PGID=$LAST_PID
PGID[direct]=$ORIGIN_PGID
wait_port "$P_ORIGIN" 10 || die "origin did not start: $(cat "$BENCH_TMP/origin/error.log")"
python3 "$HELPERS/httpcheck.py" check-origin-upload --port "$P_ORIGIN" \
  || die "the origin answers POST /upload before reading the body; the post-1mib scenario would be meaningless"

NGINX_LOG=off
[[ $LOGGING == 1 ]] && NGINX_LOG=json
start_target_nginx() {
  local d="$BENCH_TMP/nginx"; mkdir -p "$d"
  {
    nginx_common_conf "$d"
    echo "http {"
    nginx_http_common "$d" "$NGINX_LOG"
    cat <<EOF
  upstream origin {
    server 127.0.0.1:$P_ORIGIN;
    keepalive 64;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
  }
  server {
    listen 127.0.0.1:$P_NGINX backlog=4096;
    client_max_body_size 2m;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_request_buffering off;
    }
  }
}
EOF
  } >"$d/nginx.conf"
  start_nginx nginx "$d" "$PROXY_CPUS"
  PGID[nginx]=$LAST_PID
  wait_port "$P_NGINX" 10 || die "nginx proxy did not start: $(cat "$d/error.log")"
}
if has_target nginx; then
  log "nginx proxy on 127.0.0.1:$P_NGINX (access log: $NGINX_LOG)"
  start_target_nginx
fi

start_target_haproxy() {
  local d="$BENCH_TMP/haproxy"; mkdir -p "$d"
  cat >"$d/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 4096

defaults
  mode http
  maxconn 4096
  option http-keep-alive
  http-reuse always
  timeout connect 5s
  timeout client 300s
  timeout server 300s
  timeout http-request 30s
  timeout http-keep-alive 300s

frontend bench
  bind 127.0.0.1:$P_HAPROXY
  default_backend origin

backend origin
  server origin 127.0.0.1:$P_ORIGIN
EOF
  haproxy -c -q -f "$d/haproxy.cfg" >"$d/check.log" 2>&1 || { cat "$d/check.log" >&2; die "haproxy config check failed"; }
  start_bg haproxy "$PROXY_CPUS" "$d/haproxy.log" haproxy -db -f "$d/haproxy.cfg"
  PGID[haproxy]=$LAST_PID
  wait_port "$P_HAPROXY" 10 || die "haproxy did not start: $(cat "$d/haproxy.log")"
}
if has_target haproxy; then
  log "haproxy on 127.0.0.1:$P_HAPROXY"
  [[ $LOGGING == 1 ]] && NOTES+=("haproxy has no access log in this run (it logs through syslog only)")
  start_target_haproxy
fi

if [[ $USER_DEFAULT == 1 ]]; then
  SALVE_FLAGS="bin/salve (bin/jvm.flags), $(command -v java), default event loops${SALVE_BENCH_EXTRA:+, SALVE_JVM_EXTRA=$SALVE_BENCH_EXTRA}"
  SALVE_JAVA=java # what the launcher runs, for the report
else
  SALVE_FLAGS="$(salve_jvm_flags) -Dsalve.eventLoops=1${SALVE_BENCH_EXTRA:+ $SALVE_BENCH_EXTRA}"
fi
SALVE_LOG=false
[[ $LOGGING == 1 ]] && SALVE_LOG=true
# start_target_salve: starts salve and sets PGID[salve]; the caller waits for /ready.
start_target_salve() {
  local d="$BENCH_TMP/salve"; mkdir -p "$d"
  write_salve_conf "$d/salve.yaml" "$P_ADMIN" "$P_SALVE" "$P_ORIGIN" "$SALVE_LOG"
  # shellcheck disable=SC2086 # extra flags are deliberately word-split
  start_salve_bench salve "$d" "$d/salve.yaml" ${SALVE_BENCH_EXTRA:-}
  PGID[salve]=$LAST_PID
}
if has_target salve; then
  log "salve on 127.0.0.1:$P_SALVE (admin $P_ADMIN, access log $SALVE_LOG): $SALVE_FLAGS"
  start_target_salve
  d="$BENCH_TMP/salve"
  if ! wait_http_200 "http://127.0.0.1:$P_ADMIN/ready" 30 "${PGID[salve]}" 2>"$OUT_DIR/raw/salve-ready.err"; then
    why=$(tr '\n' ' ' <"$OUT_DIR/raw/salve-ready.err")
    log "SKIPPING target salve: not ready: $why; last lines of its log:"
    tail -n 30 "$d/salve.log" >&2 || true
    cp "$d/salve.log" "$OUT_DIR/raw/salve-startup.log" 2>/dev/null || true
    note salve true "not ready ($why); target skipped; log: $OUT_DIR/raw/salve-startup.log"
    stop_group "${PGID[salve]}"
    unset 'PGID[salve]'
    keep=()
    for t in "${TARGETS[@]}"; do [[ $t == salve ]] || keep+=("$t"); done
    TARGETS=("${keep[@]}")
  fi
fi

# ---------------------------------------------------------------- checks and idle RSS
for t in "${TARGETS[@]}"; do
  if ! python3 "$HELPERS/httpcheck.py" smoke --port "${PORT[$t]}" 2>"$OUT_DIR/raw/smoke-$t.log"; then
    log "smoke check of $t failed: $(tr '\n' ' ' <"$OUT_DIR/raw/smoke-$t.log")"
    [[ $t == salve ]] || die "smoke check of $t failed (harness problem)"
    note "$t" true "smoke check failed: $(tr '\n' ' ' <"$OUT_DIR/raw/smoke-$t.log")"
  fi
done
sleep 1
for t in "${TARGETS[@]}"; do
  printf '{"kind":"rss","target":"%s","when":"idle","kib":%s}\n' "$t" \
    "$(python3 "$HELPERS/procstat.py" rss "${PGID[$t]}")" >>"$RESULTS"
done
# The same once it stops moving (8-20 s; a JVM hands its JIT's memory back seconds after it compiled):
# what a node's metrics show for an idle pod. Both are reported.
for t in "${TARGETS[@]}"; do
  printf '{"kind":"rss","target":"%s","when":"idle_settled","kib":%s}\n' "$t" \
    "$(python3 "$HELPERS/procstat.py" settled-rss "${PGID[$t]}")" >>"$RESULTS"
done

# ---------------------------------------------------------------- wrk runs
LUA_DIR="$BENCH_TMP/lua"
mkdir -p "$LUA_DIR"
for s in get post paced; do
  cat "$BENCH_DIR/lua/$s.lua" "$BENCH_DIR/lua/report.lua" >"$LUA_DIR/$s.lua"
done

declare -A WRK_CMD=(
  [throughput]="wrk -t1 -c$CONNS -d\$DURATION --timeout 5s --latency -s get.lua http://127.0.0.1:\$PORT/"
  [first-5s]="(restart, wait until ready) wrk -t1 -c$CONNS -d${FIRST_SECONDS}s --timeout 5s --latency -s get.lua http://127.0.0.1:\$PORT/"
  [fixed-rate]="wrk -t1 -c$RATE_CONNS -d\$DURATION --timeout 5s --latency -s paced.lua http://127.0.0.1:\$PORT/ -- $RATE 1"
  [post-1mib]="wrk -t1 -c$POST_CONNS -d\$DURATION --timeout 5s --latency -s post.lua http://127.0.0.1:\$PORT/upload"
)

# run_wrk SCENARIO TARGET ROUND DURATION
run_wrk() {
  local sc=$1 t=$2 round=$3 dur=$4 url="http://127.0.0.1:${PORT[$2]}"
  local args=() raw="$OUT_DIR/raw/$sc-$t-r$round.txt"
  case $sc in
    throughput|first-5s) args=(-c"$CONNS" -s "$LUA_DIR/get.lua" "$url/") ;;
    fixed-rate) args=(-c"$RATE_CONNS" -s "$LUA_DIR/paced.lua" "$url/" -- "$RATE" 1) ;;
    post-1mib)  args=(-c"$POST_CONNS" -s "$LUA_DIR/post.lua" "$url/upload") ;;
  esac
  local label="round $round"
  [[ $round == 0 ]] && label="warm-up"
  if ! kill -0 -- "-${PGID[$t]}" 2>/dev/null; then
    log "$sc $label $t: process is gone"
    printf '{"kind":"wrk","scenario":"%s","target":"%s","round":%d,"failed":"process exited"}\n' \
      "$sc" "$t" "$round" >>"$RESULTS"
    return
  fi
  local cpu0 cpu1 ocpu0 ocpu1 rc=0
  cpu0=$(python3 "$HELPERS/procstat.py" cpu "${PGID[$t]}" || echo 0)
  ocpu0=$(python3 "$HELPERS/procstat.py" cpu "$ORIGIN_PGID" || echo 0)
  taskset -c "$LOAD_CPUS" wrk -t1 -d"$dur" --timeout 5s --latency "${args[@]}" >"$raw" 2>&1 || rc=$?
  cpu1=$(python3 "$HELPERS/procstat.py" cpu "${PGID[$t]}" || echo 0)
  ocpu1=$(python3 "$HELPERS/procstat.py" cpu "$ORIGIN_PGID" || echo 0)
  local json
  json=$(sed -n 's/^BENCH_JSON //p' "$raw" | tail -n 1)
  if [[ $rc != 0 || -z $json ]]; then
    log "$sc $label $t: wrk failed (exit $rc), see $raw"
    printf '{"kind":"wrk","scenario":"%s","target":"%s","round":%d,"failed":"wrk exit %s"}\n' \
      "$sc" "$t" "$round" "$rc" >>"$RESULTS"
    return
  fi
  local proxy_cpu=null origin_cpu
  [[ $t == direct ]] || proxy_cpu=$(python3 "$HELPERS/util.py" sub "$cpu0" "$cpu1")
  origin_cpu=$(python3 "$HELPERS/util.py" sub "$ocpu0" "$ocpu1")
  printf '{"kind":"wrk","scenario":"%s","target":"%s","round":%d,"proxy_cpu_s":%s,"origin_cpu_s":%s,"wrk":%s}\n' \
    "$sc" "$t" "$round" "$proxy_cpu" "$origin_cpu" "$json" >>"$RESULTS"
  log "$sc $label $t: $(python3 "$HELPERS/util.py" wrk-summary "$json")"
}

for sc in "${SCENARIOS[@]}"; do
  [[ $sc == idle || $sc == first-5s ]] && continue
  log "== scenario $sc: warm-up $WARMUP per target, then $ROUNDS round(s) of $DURATION"
  for t in "${TARGETS[@]}"; do run_wrk "$sc" "$t" 0 "$WARMUP"; done
  for r in $(seq 1 "$ROUNDS"); do
    for t in "${TARGETS[@]}"; do run_wrk "$sc" "$t" "$r" "$DURATION"; done
  done
done

for t in "${TARGETS[@]}"; do
  printf '{"kind":"rss","target":"%s","when":"after_load","kib":%s}\n' "$t" \
    "$(python3 "$HELPERS/procstat.py" rss "${PGID[$t]}" || echo null)" >>"$RESULTS"
done

# ---------------------------------------------------------------- idle connections
for sc in "${SCENARIOS[@]}"; do
  [[ $sc == idle ]] || continue
  for t in "${TARGETS[@]}"; do
    log "== idle: $IDLE_CONNS keep-alive connections to $t"
    out=$(taskset -c "$LOAD_CPUS" python3 "$HELPERS/idle_conns.py" --port "${PORT[$t]}" \
      --pgid "${PGID[$t]}" --count "$IDLE_CONNS" 2>"$OUT_DIR/raw/idle-$t.err") || true
    if [[ -z $out ]]; then
      note "$t" true "idle-connection client failed: $(tr '\n' ' ' <"$OUT_DIR/raw/idle-$t.err" | tail -c 300)"
      continue
    fi
    printf '%s\n' "$out" >"$OUT_DIR/raw/idle-$t.json"
    python3 "$HELPERS/util.py" tag idle "$t" "$out" >>"$RESULTS"
    log "idle $t: $out"
    sleep 1
  done
done

# ---------------------------------------------------------------- the first seconds after a restart
# Each round restarts each proxy, times start to ready (salve: its /ready answers 200; nginx and
# HAProxy: the port accepts), and at once runs FIRST_SECONDS of the throughput load. No warm-up: what
# a pod's first seconds look like after it restarts.
if [[ " ${SCENARIOS[*]} " == *" first-5s "* ]]; then
  log "== scenario first-5s: $ROUNDS round(s) of restart + ${FIRST_SECONDS}s"
  for r in $(seq 1 "$ROUNDS"); do
    for t in "${TARGETS[@]}"; do
      [[ $t == direct ]] && continue
      stop_group "${PGID[$t]}"
      t0=$(date +%s%N)
      "start_target_$t"
      if [[ $t == salve ]]; then
        wait_http_200 "http://127.0.0.1:$P_ADMIN/ready" 30 "${PGID[salve]}" || { note salve true "first-5s: not ready after restart"; continue; }
      fi
      ready_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
      printf '{"kind":"startup","target":"%s","round":%d,"ready_ms":%d}\n' "$t" "$r" "$ready_ms" >>"$RESULTS"
      run_wrk first-5s "$t" "$r" "${FIRST_SECONDS}s"
    done
  done
fi

# ---------------------------------------------------------------- report
for t in "${TARGETS[@]}"; do
  if ! kill -0 -- "-${PGID[$t]}" 2>/dev/null; then note "$t" true "process was no longer running at the end"; fi
done
if [[ -n ${PGID[salve]:-} ]]; then
  cp "$BENCH_TMP/salve/salve.log" "$OUT_DIR/raw/salve.log" 2>/dev/null || true
fi

TOOLS="$(wrk -v 2>&1 | head -n 1 | awk '{print $1, $2}'); $(nginx -v 2>&1 | sed 's/.*: //')"
has_target haproxy && TOOLS+="; $(haproxy -v 2>&1 | head -n 1 | awk '{print $1, $2, $3}')"

export USER_DEFAULT LOGGING FIRST_SECONDS
export LOADAVG_START QUICK DURATION WARMUP ROUNDS RATE IDLE_CONNS PROXY_CPUS LOAD_CPUS SALVE_FLAGS TOOLS
NOTES_JOINED=$(printf '%s\n' "${NOTES[@]+"${NOTES[@]}"}")
TARGETS_JOINED=$(IFS=,; echo "${TARGETS[*]}")
SCENARIOS_JOINED=$(IFS=,; echo "${SCENARIOS[*]}")
WRK_JSON=$(for k in "${!WRK_CMD[@]}"; do printf '%s\t%s\n' "$k" "${WRK_CMD[$k]}"; done)
export NOTES_JOINED TARGETS_JOINED SCENARIOS_JOINED WRK_JSON
JAVA_VERSION=$( ("$SALVE_JAVA" -version 2>&1 || echo "$SALVE_JAVA not found") | tr '\n' ' ' | sed 's/  */ /g')
export JAVA_VERSION
python3 - "$OUT_DIR/meta.json" <<'EOF'
import json, os, platform, subprocess, sys, time
e = os.environ
cpu = "unknown"
with open("/proc/cpuinfo") as f:
    for line in f:
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
with open("/proc/meminfo") as f:
    mem_kib = int(f.readline().split()[1])
meta = {
    "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    "quick": e["QUICK"] == "1",
    "nproc": os.cpu_count(),
    "cpu_model": cpu,
    "ram": f"{mem_kib / 1024 / 1024:.1f} GiB",
    "kernel": platform.release(),
    "loadavg": e["LOADAVG_START"] + " (at the end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + ")",
    "java": e["JAVA_VERSION"].strip(),
    "tools": e["TOOLS"],
    "proxy_cpus": e["PROXY_CPUS"],
    "load_cpus": e["LOAD_CPUS"],
    "duration": e["DURATION"],
    "warmup": e["WARMUP"],
    "rounds": int(e["ROUNDS"]),
    "rate": int(e["RATE"]),
    "idle_conns": int(e["IDLE_CONNS"]),
    "salve_jvm_flags": e["SALVE_FLAGS"],
    "user_default": e["USER_DEFAULT"] == "1",
    "logging": e["LOGGING"] == "1",
    "first_seconds": int(e["FIRST_SECONDS"]),
    "targets": [t for t in e["TARGETS_JOINED"].split(",") if t],
    "scenarios": [s for s in e["SCENARIOS_JOINED"].split(",") if s],
    "notes": [n for n in e["NOTES_JOINED"].split("\n") if n],
    "wrk_cmd": dict(line.split("\t", 1) for line in e["WRK_JSON"].split("\n") if line),
}
with open(sys.argv[1], "w") as f:
    json.dump(meta, f, indent=1)
EOF

report_rc=0
python3 "$HELPERS/report.py" "$OUT_DIR" >"$OUT_DIR/report.md" || report_rc=$?
if [[ $report_rc != 0 && $report_rc != 3 ]]; then die "report generation failed (exit $report_rc)"; fi
echo
cat "$OUT_DIR/report.md"
if [[ $RECORD == 1 ]]; then
  { echo; cat "$OUT_DIR/report.md"; } >>"$RESULTS_FILE"
  log "report appended to $RESULTS_FILE"
fi
log "raw wrk output and logs in $OUT_DIR"
exit "$report_rc"
