#!/usr/bin/env bash
# gRPC unary benchmark (issue 16): grpc.testing.SimpleService/UnaryRpc on a grpc-java server, called by
# h2load with a gRPC-framed body (ghz is not packaged here), directly and through salve (an h2c listener,
# an h2c upstream). Requests/s, latency percentiles from h2load's per-request log, salve's CPU per call.
# Loopback only; bounded (ROUNDS x DURATION per target, interleaved).
#
# Usage: bench/grpc.sh [--quick] [--record] [--user-default]
#   --user-default: salve through bin/salve on the java on the PATH, default event loops, nothing pinned
# Environment: DURATION [10] (seconds) WARMUP [15] ROUNDS [3] CLIENTS [4] STREAMS [16 per connection]
#              PROXY_CPUS [0] LOAD_CPUS [1] SALVE_JAVA (see lib.sh)
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RECORD=0
DURATION=${DURATION:-10} WARMUP=${WARMUP:-15} ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-4} STREAMS=${STREAMS:-16}
PROXY_CPUS=${PROXY_CPUS:-0} LOAD_CPUS=${LOAD_CPUS:-1}
for a in "$@"; do
  case $a in
    --quick) DURATION=3 WARMUP=3 ROUNDS=1 ;;
    --record) RECORD=1 ;;
    --user-default) USER_DEFAULT=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) die "unknown option $a" ;;
  esac
done

unpin_for_user_default

need_cmds h2load:nghttp2-client taskset:util-linux python3:python3
bench_init salve-grpc-bench
build_salve || die "salve.jar could not be built"
D=$BENCH_TMP

# The server runs from the integration tests' classes (grpc-java is a test dependency there).
log "building the gRPC bench server's classpath (integration-tests test classes)"
# One reactor run, so salve's own modules resolve from it; the last module written (integration-tests) wins.
(cd "$REPO_DIR" && ./mvnw -B -q -o -pl integration-tests -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.outputFile="$D/cp.txt" -Dmdep.includeScope=test >"$D/build.log" 2>&1) \
  || { tail -n 20 "$D/build.log" >&2; die "could not build the integration tests' classpath"; }
CP="$REPO_DIR/integration-tests/target/test-classes:$(cat "$D/cp.txt")"

read -r GRPC_PORT SALVE_PORT ADMIN <<<"$(free_ports 3 | tr '\n' ' ')"
declare -A PGID PORT
mkdir -p "$D/server" "$D/salve"
start_bg grpc-server "$PROXY_CPUS" "$D/server/out.log" "$SALVE_JAVA" -Xmx256m -cp "$CP" io.salve.it.support.GrpcBenchServer "$GRPC_PORT"
PGID[direct]=$LAST_PID PORT[direct]=$GRPC_PORT
wait_port "$GRPC_PORT" 30 || die "gRPC server did not start: $(cat "$D/server/out.log")"

cat >"$D/salve/salve.yaml" <<CONF
admin: { address: 127.0.0.1:$ADMIN }
accessLog: { enabled: false }
listeners:
  - name: grpc
    address: 127.0.0.1:$SALVE_PORT
    maxConcurrentStreams: 128
    routes:
      - { match: { pathPrefix: /grpc.testing.SimpleService/ }, upstream: simple }
upstreams:
  simple:
    protocol: h2c
    endpoints: [127.0.0.1:$GRPC_PORT]
CONF
start_salve_bench salve "$D/salve" "$D/salve/salve.yaml"
PGID[salve]=$LAST_PID PORT[salve]=$SALVE_PORT
wait_port "$SALVE_PORT" 30
TARGETS=(direct salve)

# A SimpleRequest { requestMessage: "hello" } in a gRPC frame: uncompressed flag, 4-byte length, message.
printf '\x00\x00\x00\x00\x07\x0a\x05hello' >"$D/body.bin"

# run_cell TARGET SECONDS: h2load_cell's figures for a unary call to TARGET (salve's CPU when through it).
run_cell() {
  local t=$1 pg=""
  [[ $t == salve ]] && pg=${PGID[salve]}
  h2load_cell "$2" "$pg" "http://127.0.0.1:${PORT[$t]}/grpc.testing.SimpleService/UnaryRpc" \
    -c "$CLIENTS" -m "$STREAMS" -d "$D/body.bin" -H 'content-type: application/grpc' -H 'te: trailers'
}

# The call must really succeed through salve (HTTP 200 is not enough for gRPC: check grpc-status).
check=$(nghttp -v -d "$D/body.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
  "http://127.0.0.1:$SALVE_PORT/grpc.testing.SimpleService/UnaryRpc" 2>&1 || true)
grep -q 'grpc-status: 0' <<<"$check" || die "the unary call through salve did not end with grpc-status 0: $(tail -n 5 <<<"$check")"

REPORT="$D/report.md"
{
  echo "## gRPC unary: $(date -u +%Y-%m-%d), $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $("$SALVE_JAVA" -version 2>&1 | head -1)"
  echo
  echo "grpc.testing.SimpleService/UnaryRpc (grpc-java $(sed -n 's/.*grpc-netty-shaded-\([0-9.]*\)\.jar.*/\1/p' <<<"${CP//:/$'\n'}" | head -1), shaded Netty transport) called by h2load -c $CLIENTS -m $STREAMS with a"
  echo "gRPC-framed 12-byte body, $ROUNDS interleaved round(s) of ${DURATION}s after ${WARMUP}s warm-up; direct, and through salve (h2c in, h2c out,"
  echo "access log off); $(bench_setup_line). Latency percentiles from h2load's per-request log."
  echo
  echo "| target | calls/s (median; per round) | p50 ms | p99 ms | p99.9 ms | salve CPU µs/call | failed |"
  echo "|---|---|---:|---:|---:|---:|---:|"
} >"$REPORT"
h2load_rounds "$REPORT" "${TARGETS[@]}"
cat "$REPORT"
if [[ $RECORD == 1 ]]; then
  { echo; cat "$REPORT"; } >>"$BENCH_DIR/RESULTS.md"
  log "appended to bench/RESULTS.md"
fi
