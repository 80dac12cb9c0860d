#!/usr/bin/env bash
# Profiles salve on the run a user makes (bin/salve, default JDK, event loops and transport, nothing
# pinned) under the throughput load of bench/run.sh: wrk, 64 connections, GET / for 1 KiB from an
# nginx origin. After a warm-up, async-profiler samples for PROFILE_SECONDS and writes a flame graph
# and the collapsed stacks.
#
# Usage: bench/profile.sh [--logging] [--event cpu|alloc|wall] [NAME]
#   NAME  output name (default: throughput-EVENT[-logging]): the flame graph is bench/flames/NAME.html,
#         the collapsed stacks bench/out/NAME.collapsed (not kept in git)
# Environment: WARMUP [20] PROFILE_SECONDS [10] CONNS [64] SALVE_BENCH_EXTRA (more JVM flags for salve) ASYNC_PROFILER_LIB (libasyncProfiler.so;
# default: taken from tools.profiler:async-profiler 4.2 in the local Maven repository, fetched if missing)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LOGGING=0
EVENT=cpu
NAME=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --logging) LOGGING=1 ;;
    --event) EVENT=${2:?}; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) NAME=$1 ;;
  esac
  shift
done
SUFFIX=""; [[ $LOGGING == 1 ]] && SUFFIX=-logging
NAME=${NAME:-throughput-$EVENT$SUFFIX}
WARMUP=${WARMUP:-20}
PROFILE_SECONDS=${PROFILE_SECONDS:-10}
CONNS=${CONNS:-64}
OUT_DIR="$BENCH_DIR/flames"
COLLAPSED_DIR="$BENCH_DIR/out"

profiler_lib() {
  if [[ -n ${ASYNC_PROFILER_LIB:-} ]]; then echo "$ASYNC_PROFILER_LIB"; return; fi
  local arch=x64; [[ $(uname -m) == aarch64 ]] && arch=arm64
  local jar=~/.m2/repository/tools/profiler/async-profiler/4.2/async-profiler-4.2-linux-$arch.jar
  local dir=~/.cache/salve-bench/async-profiler-4.2
  if [[ ! -f $jar ]]; then
    local mvn=(mvn); [[ -x $REPO_DIR/mvnw ]] && mvn=("$REPO_DIR/mvnw")
    "${mvn[@]}" -q dependency:get -Dartifact="tools.profiler:async-profiler:4.2:jar:linux-$arch" >&2 \
      || die "cannot fetch async-profiler"
  fi
  if [[ ! -f $dir/linux-$arch/libasyncProfiler.so ]]; then
    mkdir -p "$dir" && (cd "$dir" && unzip -q -o "$jar")
  fi
  echo "$dir/linux-$arch/libasyncProfiler.so"
}

need_cmds nginx:nginx wrk:wrk
bench_init salve-profile
USER_DEFAULT=1
build_salve || die "no salve.jar"
LIB=$(profiler_lib)
[[ -f $LIB ]] || die "no async-profiler library at $LIB"
read -r P_ORIGIN P_SALVE P_ADMIN <<<"$(free_ports 3)"
ALL="0-$(( $(nproc) - 1 ))"

mkdir -p "$BENCH_TMP/origin" "$BENCH_TMP/salve" "$OUT_DIR" "$COLLAPSED_DIR"
write_origin_conf "$BENCH_TMP/origin" "$P_ORIGIN"
start_nginx origin "$BENCH_TMP/origin" "$ALL"
wait_port "$P_ORIGIN"
SALVE_LOG=false; [[ $LOGGING == 1 ]] && SALVE_LOG=true
write_salve_conf "$BENCH_TMP/salve/salve.yaml" "$P_ADMIN" "$P_SALVE" "$P_ORIGIN" "$SALVE_LOG"
start_salve_launcher salve "$BENCH_TMP/salve" "$ALL" "$BENCH_TMP/salve/salve.yaml" "${SALVE_BENCH_EXTRA:-}"
SALVE_PG=$LAST_PID
wait_http_200 "http://127.0.0.1:$P_ADMIN/ready" 30 "$SALVE_PG"
JPID=$(pgrep -g "$SALVE_PG" java | head -1)

log "warm-up ${WARMUP}s, then $EVENT profile for ${PROFILE_SECONDS}s (salve pid $JPID, access log $SALVE_LOG)"
wrk -t1 -c"$CONNS" -d"$(( WARMUP + PROFILE_SECONDS + 2 ))s" --latency -s "$BENCH_DIR/lua/get.lua" \
  "http://127.0.0.1:$P_SALVE/" >"$BENCH_TMP/wrk.txt" 2>&1 &
WRK=$!
sleep "$WARMUP"
jcmd "$JPID" JVMTI.agent_load "$LIB" "\"start,event=$EVENT,interval=$([[ $EVENT == cpu || $EVENT == wall ]] && echo 1ms || echo 512k)\""
sleep "$PROFILE_SECONDS"
jcmd "$JPID" JVMTI.agent_load "$LIB" "\"dump,file=$OUT_DIR/$NAME.html\""
jcmd "$JPID" JVMTI.agent_load "$LIB" "\"stop,collapsed,file=$COLLAPSED_DIR/$NAME.collapsed\""
wait "$WRK" || true
grep -E 'Requests/sec|99%' "$BENCH_TMP/wrk.txt" >&2 || true
log "wrote $OUT_DIR/$NAME.html"
