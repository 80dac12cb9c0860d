#!/usr/bin/env bash
# salve soak: bounded loopback load through salve while upstream endpoints are killed and
# restarted and connections are reset; checks leaks, duplicate POSTs, RSS and /live.
# See bench/README.md. Usage: bench/soak.sh [--duration SECONDS]
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'EOF'
Usage: bench/soak.sh [--duration SECONDS]

Environment (defaults in brackets):
  SOAK_DURATION [120]   seconds of load; at most 300
  SOAK_RATE [300]       requests/s in all        SOAK_CONNS [16]      client connections
  SOAK_ENDPOINTS [3]    upstream endpoints (2-3) SOAK_POST_SHARE [0.3] share of POSTs
  SOAK_LARGE_SHARE [0.05] share of POSTs with SOAK_LARGE_SIZE [131072] bytes (others 256 B)
  KILL_EVERY [15]       seconds between endpoint kills   DOWN_FOR [5] seconds an endpoint stays down
  RESET_RATE [0.02]     share of requests each upstream answers with a TCP reset
  RSS_LIMIT_MIB [256]   salve's RSS must stay under this
  PROXY_CPUS [0] LOAD_CPUS [1]   taskset CPU lists for salve+upstreams and for the client
  SALVE_JVM_FLAGS       used when bench/jvm.flags does not exist
  BUILD_SALVE [1]       0: never build proxy/target/salve.jar
  KEEP_TMP [0]          1: keep the temp dir
Exit status: 0 all checks passed, 1 a check failed or salve could not be run.
EOF
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --duration) SOAK_DURATION=${2:?}; shift ;;
    --duration=*) SOAK_DURATION=${1#*=} ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

SOAK_DURATION=${SOAK_DURATION:-120}
SOAK_RATE=${SOAK_RATE:-300}
SOAK_CONNS=${SOAK_CONNS:-16}
SOAK_ENDPOINTS=${SOAK_ENDPOINTS:-3}
SOAK_POST_SHARE=${SOAK_POST_SHARE:-0.3}
SOAK_LARGE_SHARE=${SOAK_LARGE_SHARE:-0.05}
SOAK_LARGE_SIZE=${SOAK_LARGE_SIZE:-131072}
KILL_EVERY=${KILL_EVERY:-15}
DOWN_FOR=${DOWN_FOR:-5}
RESET_RATE=${RESET_RATE:-0.02}
RSS_LIMIT_MIB=${RSS_LIMIT_MIB:-256}
PROXY_CPUS=${PROXY_CPUS:-0}
LOAD_CPUS=${LOAD_CPUS:-1}

[[ $SOAK_DURATION =~ ^[0-9]+$ ]] || die "SOAK_DURATION must be whole seconds"
if (( SOAK_DURATION > 300 )); then
  log "SOAK_DURATION=$SOAK_DURATION capped at 300 s"
  SOAK_DURATION=300
fi
(( SOAK_ENDPOINTS >= 2 && SOAK_ENDPOINTS <= 3 )) || die "SOAK_ENDPOINTS must be 2 or 3"
(( DOWN_FOR < KILL_EVERY )) || die "DOWN_FOR must be shorter than KILL_EVERY"
if (( $(nproc) < 2 )) && [[ $LOAD_CPUS == 1 ]]; then LOAD_CPUS=0; fi

need_cmds python3:python3 taskset:util-linux setsid:util-linux ps:procps
command -v java >/dev/null 2>&1 || die "java not found"

bench_init salve-soak
if [[ ! -f $SALVE_JAR ]]; then
  [[ ${BUILD_SALVE:-1} == 0 ]] && die "proxy/target/salve.jar is missing (BUILD_SALVE=0)"
  build_salve || die "proxy/target/salve.jar is missing and the build did not produce it"
fi

OUT_DIR=${OUT_DIR:-$BENCH_DIR/out/soak-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT_DIR"

read -r -a PORTS <<<"$(free_ports $((SOAK_ENDPOINTS + 2)))"
P_SALVE=${PORTS[0]}
P_ADMIN=${PORTS[1]}
U_PORTS=("${PORTS[@]:2}")
U_PGIDS=()
UP_MAX_S=$((SOAK_DURATION + 120))

start_upstream() { # start_upstream INDEX
  local i=$1
  start_bg "upstream-$i" "$PROXY_CPUS" "$BENCH_TMP/upstream-$i.out" python3 "$HELPERS/soak_upstream.py" \
    --port "${U_PORTS[$i]}" --log "$BENCH_TMP/delivered-$i.txt" --reset-rate "$RESET_RATE" --max-seconds "$UP_MAX_S"
  U_PGIDS[i]=$LAST_PID
  disown "$LAST_PID" # no "Killed" job notices when the chaos loop kills it
}

endpoints=""
for i in "${!U_PORTS[@]}"; do
  start_upstream "$i"
  endpoints+="${endpoints:+, }127.0.0.1:${U_PORTS[$i]}"
done
for i in "${!U_PORTS[@]}"; do
  wait_port "${U_PORTS[$i]}" 10 || die "upstream $i did not start: $(cat "$BENCH_TMP/upstream-$i.out")"
done
log "upstreams on $endpoints (CPU $PROXY_CPUS)"

cat >"$BENCH_TMP/salve.yaml" <<EOF
admin: { address: 127.0.0.1:$P_ADMIN }
accessLog: { enabled: ${SOAK_ACCESS_LOG:-false} }
listeners:
  - name: soak
    address: 127.0.0.1:$P_SALVE
    routes:
      - match: { pathPrefix: / }
        upstream: app
upstreams:
  app:
    endpoints: [$endpoints]
    connectTimeout: 1s
    retry: { maxAttempts: 2, retryOn: [connect-failure, reset] }
    circuitBreaker:
      failureThreshold: 20
      successThreshold: 2
      openDuration: 5s
    outlierDetection:
      consecutiveFailures: 5
      baseEjectionTime: 5s
      maxEjectionTime: 30s
      maxEjectionPercent: 50
EOF
cp "$BENCH_TMP/salve.yaml" "$OUT_DIR/salve.yaml"

JVM_FLAGS="$(salve_jvm_flags) -Dio.netty.leakDetection.level=paranoid"
log "salve on 127.0.0.1:$P_SALVE (admin $P_ADMIN), JVM flags: $JVM_FLAGS"
start_salve salve "$BENCH_TMP" "$PROXY_CPUS" "$BENCH_TMP/salve.yaml" -Dio.netty.leakDetection.level=paranoid
SALVE_PGID=$LAST_PID
if ! wait_http_200 "http://127.0.0.1:$P_ADMIN/ready" 30 "$SALVE_PGID"; then
  log "last lines of salve's log:"
  tail -n 30 "$BENCH_TMP/salve.log" >&2 || true
  cp "$BENCH_TMP/salve.log" "$OUT_DIR/salve.log" 2>/dev/null || true
  die "salve did not become ready; log in $OUT_DIR/salve.log"
fi

log "soak: ${SOAK_DURATION}s at $SOAK_RATE req/s; killing an endpoint every ${KILL_EVERY}s for ${DOWN_FOR}s"
start_bg monitor "$LOAD_CPUS" "$OUT_DIR/monitor.err" python3 "$HELPERS/soak_monitor.py" \
  --pgid "$SALVE_PGID" --admin-port "$P_ADMIN" --duration "$SOAK_DURATION" \
  --rss-limit-mib "$RSS_LIMIT_MIB" --out "$OUT_DIR/monitor.json"
MONITOR_PID=$LAST_PID
start_bg client "$LOAD_CPUS" "$OUT_DIR/client.err" python3 "$HELPERS/soak_client.py" \
  --port "$P_SALVE" --duration "$SOAK_DURATION" --rate "$SOAK_RATE" --conns "$SOAK_CONNS" \
  --post-share "$SOAK_POST_SHARE" --large-share "$SOAK_LARGE_SHARE" --large-size "$SOAK_LARGE_SIZE" \
  --tokens "$OUT_DIR/tokens.txt" --out "$OUT_DIR/client.json"
CLIENT_PID=$LAST_PID

# Chaos: every KILL_EVERY s, SIGKILL one endpoint (round-robin), restart it DOWN_FOR s later.
: >"$OUT_DIR/chaos.txt"
t0=$SECONDS
victim=0
while kill -0 "$CLIENT_PID" 2>/dev/null; do
  left=$((SOAK_DURATION - (SECONDS - t0)))
  (( left > KILL_EVERY )) || break
  sleep "$KILL_EVERY"
  kill -0 "$CLIENT_PID" 2>/dev/null || break
  kill -KILL -- "-${U_PGIDS[$victim]}" 2>/dev/null || true
  echo "$((SECONDS - t0))s killed upstream $victim (127.0.0.1:${U_PORTS[$victim]})" >>"$OUT_DIR/chaos.txt"
  log "killed upstream $victim"
  sleep "$DOWN_FOR"
  start_upstream "$victim"
  wait_port "${U_PORTS[$victim]}" 10 || log "warning: upstream $victim did not come back"
  echo "$((SECONDS - t0))s restarted upstream $victim" >>"$OUT_DIR/chaos.txt"
  log "restarted upstream $victim"
  victim=$(((victim + 1) % SOAK_ENDPOINTS))
done

log "waiting for the client and the monitor to finish"
wait "$CLIENT_PID" || log "client exited with status $?: $(tail -n 5 "$OUT_DIR/client.err")"
wait "$MONITOR_PID" || log "monitor exited with status $?: $(tail -n 5 "$OUT_DIR/monitor.err")"
sleep 1

cat "$BENCH_TMP"/delivered-*.txt >"$OUT_DIR/delivered.txt" 2>/dev/null || : >"$OUT_DIR/delivered.txt"
cp "$BENCH_TMP/salve.log" "$OUT_DIR/salve.log" 2>/dev/null || true
grep -F 'LEAK:' "$OUT_DIR/salve.log" >"$OUT_DIR/leaks.txt" 2>/dev/null || true

export SOAK_DURATION SOAK_RATE SOAK_CONNS SOAK_ENDPOINTS SOAK_POST_SHARE SOAK_LARGE_SHARE SOAK_LARGE_SIZE
export KILL_EVERY DOWN_FOR RESET_RATE JVM_FLAGS
python3 - "$OUT_DIR/meta.json" <<'EOF'
import json, os, sys, time
e = os.environ
json.dump({
    "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    "duration": int(e["SOAK_DURATION"]), "rate": float(e["SOAK_RATE"]), "conns": int(e["SOAK_CONNS"]),
    "endpoints": int(e["SOAK_ENDPOINTS"]), "post_share": float(e["SOAK_POST_SHARE"]),
    "large_share": float(e["SOAK_LARGE_SHARE"]), "large_size": int(e["SOAK_LARGE_SIZE"]),
    "kill_every": int(e["KILL_EVERY"]), "down_for": int(e["DOWN_FOR"]),
    "reset_rate": float(e["RESET_RATE"]), "jvm_flags": e["JVM_FLAGS"],
}, open(sys.argv[1], "w"), indent=1)
EOF

rc=0
python3 "$HELPERS/soak_check.py" "$OUT_DIR" >"$OUT_DIR/report.md" || rc=$?
echo
cat "$OUT_DIR/report.md"
log "logs and data in $OUT_DIR"
exit "$rc"
