# shellcheck shell=bash
# Shared functions of bench/run.sh and bench/soak.sh. Source it; it does nothing by itself.
#
# Every server is started in its own session/process group (setsid) and recorded in
# BENCH_PGIDS; bench_cleanup (installed as the EXIT trap by bench_init) sends TERM, then
# KILL, to exactly those groups and removes the temp dir.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
HELPERS="$BENCH_DIR/helpers"
SALVE_JAR="$REPO_DIR/proxy/target/salve.jar"
# The JVM salve runs on: $SALVE_JAVA if set, else the newest JDK 21 or later under /usr/lib/jvm, else
# java on the PATH. Salve builds for Java 17 and runs on any later JDK; on this project's bench machine
# JDK 25 served about 5% more requests per CPU second than 17 (docs/tuning.md).
pick_salve_java() {
  local d v best="" bestv=0
  for d in /usr/lib/jvm/*/; do
    [[ -x ${d}bin/java && -f ${d}release ]] || continue
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "${d}release")
    if [[ -n $v ]] && (( v >= 21 && v > bestv )); then best="${d}bin/java"; bestv=$v; fi
  done
  printf '%s' "${best:-java}"
}
SALVE_JAVA=${SALVE_JAVA:-$(pick_salve_java)}
# The shipped launcher's flags (bin/jvm.flags) are what gets measured, unless overridden.
DEFAULT_SALVE_JVM_FLAGS="$(sed -e 's/#.*//' "$REPO_DIR/bin/jvm.flags" | tr -s ' \t\n' ' ')"

export PYTHONDONTWRITEBYTECODE=1

BENCH_PGIDS=()
BENCH_TMP=""
LAST_PID=""

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

bench_cleanup() {
  local pg i alive
  trap - EXIT INT TERM
  for pg in "${BENCH_PGIDS[@]}"; do
    kill -TERM -- "-$pg" 2>/dev/null || true
  done
  for i in $(seq 1 50); do
    alive=0
    for pg in "${BENCH_PGIDS[@]}"; do
      if kill -0 -- "-$pg" 2>/dev/null; then alive=1; fi
    done
    [[ $alive == 0 ]] && break
    [[ $i == 50 ]] || sleep 0.1
  done
  for pg in "${BENCH_PGIDS[@]}"; do
    kill -KILL -- "-$pg" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [[ -n $BENCH_TMP && -d $BENCH_TMP && ${KEEP_TMP:-0} != 1 ]]; then
    rm -rf "$BENCH_TMP"
  fi
}

# bench_init PREFIX: temp dir, traps, fd limit.
bench_init() {
  BENCH_TMP=$(mktemp -d "/tmp/$1.XXXXXX")
  # nginx workers drop to an unprivileged user when started as root: they must be able to
  # traverse the temp dir.
  chmod 0755 "$BENCH_TMP"
  trap bench_cleanup EXIT
  trap 'log "interrupted"; exit 130' INT
  trap 'log "terminated"; exit 143' TERM
  # 1,000 idle connections need ~2,000 descriptors in a proxy (plus wrk's and the client's).
  # Raise the soft limit up to the hard one, at most 65536 (the configs below need < 16384).
  local hard
  hard=$(ulimit -Hn)
  if [[ $hard == unlimited ]] || (( hard > 65536 )); then hard=65536; fi
  ulimit -n "$hard" 2>/dev/null || true
  (( $(ulimit -n) >= 8192 )) || log "warning: open-file limit $(ulimit -n) may be too low for the idle-connection scenario"
}

# need_cmds CMD:PACKAGE ...: apt-get install the packages of missing commands (Debian).
need_cmds() {
  local spec cmd pkg missing=()
  for spec in "$@"; do
    cmd=${spec%%:*}; pkg=${spec#*:}
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [[ ${#missing[@]} == 0 ]] && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing packages ${missing[*]} and no apt-get to install them"
  local sudo=()
  [[ $(id -u) == 0 ]] || sudo=(sudo)
  log "installing ${missing[*]} with apt-get"
  if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
    "${sudo[@]}" apt-get update -qq >&2 || die "apt-get update failed"
  fi
  # Debian's nginx/haproxy packages would start system services; policy-rc.d in containers
  # prevents that, and nothing here uses them anyway.
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >&2 \
    || { "${sudo[@]}" apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >&2; } \
    || die "apt-get install ${missing[*]} failed"
}

# build_salve: build proxy/target/salve.jar if missing. Returns 1 (no exit) on failure.
build_salve() {
  [[ -f $SALVE_JAR ]] && return 0
  [[ -f $REPO_DIR/pom.xml ]] || return 1
  log "building salve ($SALVE_JAR missing)"
  local mvn=(mvn)
  [[ -x $REPO_DIR/mvnw ]] && mvn=("$REPO_DIR/mvnw")
  if ! (cd "$REPO_DIR" && "${mvn[@]}" -q -DskipTests package) >"$BENCH_TMP/build.log" 2>&1; then
    log "salve build failed; last lines of the build log:"
    tail -n 20 "$BENCH_TMP/build.log" >&2
    return 1
  fi
  [[ -f $SALVE_JAR ]]
}

# salve_jvm_flags: bench/jvm.flags (comments with # allowed) if present, else $SALVE_JVM_FLAGS,
# else the default. Prints the flags, one word each, space separated.
salve_jvm_flags() {
  if [[ -f $BENCH_DIR/jvm.flags ]]; then
    sed -e 's/#.*//' "$BENCH_DIR/jvm.flags" | tr -s ' \t\n' ' '
  else
    printf '%s' "${SALVE_JVM_FLAGS:-$DEFAULT_SALVE_JVM_FLAGS}"
  fi
}

# free_ports N: N free TCP ports on 127.0.0.1, below the ephemeral range.
free_ports() { python3 "$HELPERS/freeports.py" "$1"; }

# start_bg NAME CPULIST LOGFILE CMD...: start CMD pinned to CPULIST in its own process group.
# Sets LAST_PID (= its process group id).
start_bg() {
  local name=$1 cpus=$2 logf=$3
  shift 3
  setsid taskset -c "$cpus" "$@" >"$logf" 2>&1 </dev/null &
  LAST_PID=$!
  BENCH_PGIDS+=("$LAST_PID")
  local pgid
  pgid=$(ps -o pgid= -p "$LAST_PID" 2>/dev/null | tr -d ' ')
  if [[ -n $pgid && $pgid != "$LAST_PID" ]]; then
    log "warning: $name pid $LAST_PID is in process group $pgid, not its own"
  fi
}

# stop_group PGID: TERM then KILL one process group started by start_bg.
stop_group() {
  local pg=$1 i
  kill -TERM -- "-$pg" 2>/dev/null || return 0
  for i in $(seq 1 30); do
    kill -0 -- "-$pg" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL -- "-$pg" 2>/dev/null || true
}

# wait_port PORT [SECONDS]: until something accepts on 127.0.0.1:PORT.
wait_port() {
  python3 "$HELPERS/httpcheck.py" wait-port --port "$1" --timeout "${2:-10}"
}

# wait_http_200 URL SECONDS [PGID]: poll URL until it answers 200; give up early when process
# group PGID is gone.
wait_http_200() {
  python3 "$HELPERS/httpcheck.py" wait-200 --url "$1" --timeout "$2" ${3:+--pgid "$3"}
}

# nginx_common_conf DIR: the global part of an nginx config confined to DIR.
nginx_common_conf() {
  local d=$1
  cat <<EOF
worker_processes 1;
daemon off;
master_process on;
pid $d/nginx.pid;
error_log $d/error.log warn;
worker_rlimit_nofile 16384;
events { worker_connections 8192; }
EOF
}

# nginx_http_common DIR [LOG]: LOG "json" writes an access log like salve's (JSON, the same fields) to
# DIR/access.log through a 64 KiB buffer, as a production nginx keeps one; default off.
nginx_http_common() {
  local d=$1
  if [[ ${2:-off} == json ]]; then
    cat <<EOF
  log_format salve_like escape=json '{"time":"\$time_iso8601","client":"\$remote_addr","method":"\$request_method",'
    '"path":"\$request_uri","status":\$status,"duration_ms":\$request_time,"upstream":"\$upstream_addr",'
    '"upstream_ms":"\$upstream_response_time","bytes_in":\$request_length,"bytes_out":\$bytes_sent,'
    '"request_id":"\$http_x_request_id"}';
  access_log $d/access.log salve_like buffer=64k;
EOF
  else
    echo "  access_log off;"
  fi
  cat <<EOF
  client_body_temp_path $d/client_body;
  proxy_temp_path $d/proxy_temp;
  fastcgi_temp_path $d/fastcgi_temp;
  uwsgi_temp_path $d/uwsgi_temp;
  scgi_temp_path $d/scgi_temp;
  keepalive_timeout 300s;
  keepalive_requests 100000000;
EOF
}

# write_origin_conf DIR PORT: the upstream ("origin") nginx.
#   GET  /        -> 200, a fixed 1,024-byte body (no variables, no file I/O), keep-alive
#   POST /upload  -> reads the whole body (up to 2 MiB, kept in memory), then 200 "ok"
# `return` alone would answer before the body is read (nginx discards it lazily), so /upload
# lets the mirror module read the full body first (mirror_request_body on), then the static
# module refuses POST on the existing file www/upload with 405, which error_page turns into
# 200. check-origin-upload in helpers/httpcheck.py verifies that the answer waits for the body.
write_origin_conf() {
  local d=$1 port=$2 body
  mkdir -p "$d/www"
  : >"$d/www/upload"
  body=$(python3 -c 'print(("salve-bench-1KiB " * 64)[:1024], end="")')
  {
    nginx_common_conf "$d"
    echo "http {"
    nginx_http_common "$d"
    cat <<EOF
  server {
    listen 127.0.0.1:$port backlog=4096;
    client_max_body_size 2m;
    client_body_buffer_size 2m;
    location / {
      default_type text/plain;
      return 200 "$body";
    }
    location = /upload {
      root $d/www;
      mirror /_drain;
      mirror_request_body on;
      error_page 405 =200 @uploaded;
    }
    location = /_drain { internal; return 204; }
    location @uploaded { default_type text/plain; return 200 "ok\n"; }
  }
}
EOF
  } >"$d/nginx.conf"
  chmod -R a+rX "$d"
}

# write_salve_conf FILE ADMIN_PORT PORT ORIGIN_PORT ACCESS_LOG: salve's benchmark config, one listener on
# PORT that forwards everything to the origin; ACCESS_LOG is true or false.
write_salve_conf() {
  cat >"$1" <<EOF
admin: { address: 127.0.0.1:$2 }
accessLog: { enabled: $5 }
listeners:
  - name: bench
    address: 127.0.0.1:$3
    routes:
      - match: { pathPrefix: / }
        upstream: origin
upstreams:
  origin:
    endpoints: [127.0.0.1:$4]
EOF
}

# start_nginx NAME DIR CPUS: start nginx with DIR/nginx.conf. Sets LAST_PID.
start_nginx() {
  local name=$1 d=$2 cpus=$3
  nginx -t -q -p "$d" -c "$d/nginx.conf" -e "$d/error.log" >"$d/test.log" 2>&1 \
    || { cat "$d/test.log" >&2; die "$name: nginx config test failed"; }
  start_bg "$name" "$cpus" "$d/stdout.log" nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log"
}

# start_salve_launcher NAME DIR CPUS CONFIG [EXTRA_JVM_FLAGS]: start salve as a user does, through
# bin/salve on the java found on the PATH (JAVA_HOME, SALVE_JVM_FLAGS and MALLOC_ARENA_MAX unset;
# SALVE_JVM_EXTRA is EXTRA_JVM_FLAGS, default none). Sets LAST_PID.
start_salve_launcher() {
  local name=$1 d=$2 cpus=$3 cfg=$4 extra=${5:-}
  start_bg "$name" "$cpus" "$d/salve.log" env -u JAVA_HOME -u SALVE_JVM_FLAGS -u MALLOC_ARENA_MAX \
    SALVE_JVM_EXTRA="$extra" SALVE_JAR="$SALVE_JAR" "$REPO_DIR/bin/salve" --config "$cfg"
}

# start_salve NAME DIR CPUS CONFIG EXTRA_JVM_FLAGS...: start salve. Sets LAST_PID.
start_salve() {
  local name=$1 d=$2 cpus=$3 cfg=$4
  shift 4
  local flags
  read -r -a flags <<<"$(salve_jvm_flags)"
  # MALLOC_ARENA_MAX as bin/salve sets it: fewer glibc arenas, less resident native memory.
  MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} start_bg "$name" "$cpus" "$d/salve.log" "$SALVE_JAVA" "${flags[@]}" "$@" -jar "$SALVE_JAR" --config "$cfg"
}

# h2load_cell SECONDS PGID URL H2LOAD_ARGS...: runs h2load on LOAD_CPUS against URL for SECONDS and
# prints "requests/s p50_ms p99_ms p99.9_ms cpu_us_per_request failed", with the percentiles from
# h2load's per-request log and the CPU of process group PGID per successful request (PGID empty: "-");
# "- - - - - -" when h2load failed. Uses $BENCH_TMP/h2load.log.
h2load_cell() {
  local secs=$1 pgid=$2 url=$3 cpu0=0 cpu1=0 out
  shift 3
  [[ -n $pgid ]] && cpu0=$(python3 "$HELPERS/procstat.py" cpu "$pgid")
  rm -f "$BENCH_TMP/h2load.log"
  out=$(taskset -c "$LOAD_CPUS" h2load -D "$secs" --log-file="$BENCH_TMP/h2load.log" "$@" "$url" 2>&1) || true
  [[ -n $pgid ]] && cpu1=$(python3 "$HELPERS/procstat.py" cpu "$pgid")
  python3 - "$out" "$cpu0" "$cpu1" "${pgid:+cpu}" "$BENCH_TMP/h2load.log" <<'PY'
import re, sys
out, c0, c1, measure, logf = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
m = re.search(r"finished in [\d.]+s, ([\d.]+) req/s", out)
done = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored", out)
try:
    lat = sorted(int(line.split("\t")[2]) for line in open(logf) if line.count("\t") >= 2)
except OSError:
    lat = []
if not m or not done or not lat:
    print("- - - - - -"); sys.exit(0)
def pct(q):
    return lat[min(len(lat) - 1, int(q * len(lat)))] / 1000
n = int(done.group(2))
cpu = f"{(c1 - c0) / n * 1e6:.1f}" if measure and n else "-"
print(f"{float(m.group(1)):.0f} {pct(0.5):.3f} {pct(0.99):.3f} {pct(0.999):.3f} {cpu} {int(done.group(3)) + int(done.group(4))}")
PY
}

# median_of "X Y Z ...": the median of the numbers among the words ("-" when there is none).
median_of() {
  tr ' ' '\n' <<<"$1" | grep -E '^[0-9.]+$' | sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "-"}'
}

# h2load_rounds REPORT TARGET...: warms each target up (WARMUP s), then runs ROUNDS interleaved rounds
# of DURATION s with the caller's `run_cell TARGET SECONDS` (h2load_cell's figures) and appends one
# table row per target to REPORT: median requests/s and the rounds' rates, the last round's
# percentiles, the median CPU per request, and the failed requests.
h2load_rounds() {
  local report=$1 t r rate p50 p99 p999 cpu failed
  shift
  local -A rates=() cpus=() rows=()
  for t in "$@"; do run_cell "$t" "$WARMUP" >/dev/null; done
  for r in $(seq 1 "$ROUNDS"); do
    for t in "$@"; do
      read -r rate p50 p99 p999 cpu failed <<<"$(run_cell "$t" "$DURATION")"
      rates[$t]+="$rate " cpus[$t]+="$cpu "
      rows[$t]="$p50 $p99 $p999 $failed"
      log "round $r $t: $rate req/s, p50 $p50 ms, p99 $p99 ms, p99.9 $p999 ms, $cpu µs CPU/req, $failed failed"
    done
  done
  for t in "$@"; do
    read -r p50 p99 p999 failed <<<"${rows[$t]}"
    echo "| $t | $(median_of "${rates[$t]}"); ${rates[$t]% } | $p50 | $p99 | $p999 | $(median_of "${cpus[$t]}") | $failed |" >>"$report"
  done
}

# start_salve_bench NAME DIR CONFIG [EXTRA_JVM_FLAGS...]: starts salve as the benchmark is set up.
# With USER_DEFAULT=1 (the run a user makes): through bin/salve on the java on the PATH, with its
# default event loops, on every CPU; otherwise pinned to PROXY_CPUS with one event loop. Sets LAST_PID.
start_salve_bench() {
  local name=$1 d=$2 cfg=$3
  shift 3
  if [[ ${USER_DEFAULT:-0} == 1 ]]; then
    start_salve_launcher "$name" "$d" "0-$(( $(nproc) - 1 ))" "$cfg" "$*"
  else
    start_salve "$name" "$d" "$PROXY_CPUS" "$cfg" -Dsalve.eventLoops=1 "$@"
  fi
}

# unpin_for_user_default: with USER_DEFAULT=1 (the run a user makes) nothing is pinned: PROXY_CPUS 0 and
# LOAD_CPUS 1, the pinned run's defaults, become every CPU; CPU lists set on purpose stay.
unpin_for_user_default() {
  [[ ${USER_DEFAULT:-0} == 1 ]] || return 0
  if [[ $PROXY_CPUS == 0 ]]; then PROXY_CPUS=0-$(( $(nproc) - 1 )); fi
  if [[ $LOAD_CPUS == 1 ]]; then LOAD_CPUS=0-$(( $(nproc) - 1 )); fi
}

# bench_setup_line: how salve and the load were placed, for a report's header.
bench_setup_line() {
  if [[ ${USER_DEFAULT:-0} == 1 ]]; then
    echo "the run a user makes: salve through bin/salve on $(java -version 2>&1 | head -1), default event loops and transport; nothing pinned (PROXY_CPUS=$PROXY_CPUS, LOAD_CPUS=$LOAD_CPUS)"
  else
    echo "pinned: proxies and origins on CPU $PROXY_CPUS, the load on CPU $LOAD_CPUS; salve on $("$SALVE_JAVA" -version 2>&1 | head -1) with one event loop"
  fi
}
