#!/usr/bin/env bash
# HTTP/2 benchmark (issue 16): cleartext HTTP/2 (h2c) GETs from h2load, 64 streams over 4 connections,
# through nginx (listen ... http2), HAProxy (bind ... proto h2) and salve, each in front of the same
# HTTP/1.1 origin; plus salve speaking h2c to an h2c origin (nginx listen ... http2), and the origin
# itself (direct). Requests/s, latency percentiles (last round) and the proxy's CPU per request.
# Loopback only; bounded (ROUNDS x DURATION per target, interleaved).
#
# Usage: bench/h2.sh [--quick] [--record] [--user-default]
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
    --quick) DURATION=3 WARMUP=2 ROUNDS=1 ;;
    --record) RECORD=1 ;;
    --user-default) USER_DEFAULT=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) die "unknown option $a" ;;
  esac
done

unpin_for_user_default

need_cmds h2load:nghttp2-client nginx:nginx haproxy:haproxy taskset:util-linux python3:python3
bench_init salve-h2-bench
build_salve || die "salve.jar could not be built"
D=$BENCH_TMP

read -r ORIGIN_PORT H2ORIGIN_PORT NGINX_PORT HAPROXY_PORT SALVE_PORT SALVE_UP_PORT ADMIN1 ADMIN2 <<<"$(free_ports 8 | tr '\n' ' ')"
declare -A PGID PORT

mkdir -p "$D/origin" "$D/h2origin" "$D/nginx" "$D/haproxy" "$D/salve" "$D/salve-h2up"
write_origin_conf "$D/origin" "$ORIGIN_PORT"
start_nginx origin "$D/origin" "$PROXY_CPUS"
ORIGIN_PGID=$LAST_PID
PGID[direct]=$ORIGIN_PGID PORT[direct]=$ORIGIN_PORT
wait_port "$ORIGIN_PORT"

# The same 1 KiB answer over h2c, for salve's h2c upstream side.
write_origin_conf "$D/h2origin" "$H2ORIGIN_PORT"
sed -i "s/listen 127.0.0.1:$H2ORIGIN_PORT backlog=4096;/listen 127.0.0.1:$H2ORIGIN_PORT http2 backlog=4096; http2_max_requests 100000000;/" "$D/h2origin/nginx.conf"
start_nginx h2origin "$D/h2origin" "$PROXY_CPUS"
H2ORIGIN_PGID=$LAST_PID
wait_port "$H2ORIGIN_PORT"

{
  nginx_common_conf "$D/nginx"
  echo "http {"
  nginx_http_common "$D/nginx"
  cat <<CONF
  upstream origin { server 127.0.0.1:$ORIGIN_PORT; keepalive 64; keepalive_requests 100000000; }
  server {
    listen 127.0.0.1:$NGINX_PORT http2 backlog=4096;
    http2_max_requests 100000000;
    http2_max_concurrent_streams 128;
    location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
} >"$D/nginx/nginx.conf"
start_nginx nginx-h2 "$D/nginx" "$PROXY_CPUS"
PGID[nginx]=$LAST_PID PORT[nginx]=$NGINX_PORT

cat >"$D/haproxy/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 300s
  timeout server 300s
  option http-keep-alive
frontend fe
  bind 127.0.0.1:$HAPROXY_PORT proto h2
  default_backend be
backend be
  http-reuse always
  server origin 127.0.0.1:$ORIGIN_PORT
CONF
start_bg haproxy-h2 "$PROXY_CPUS" "$D/haproxy/stdout.log" haproxy -db -f "$D/haproxy/haproxy.cfg"
PGID[haproxy]=$LAST_PID PORT[haproxy]=$HAPROXY_PORT

# salve: h2c in, HTTP/1.1 to the origin; salve-h2up: h2c in, h2c to the h2c origin.
for t in salve salve-h2up; do
  port=$SALVE_PORT admin=$ADMIN1 origin=$ORIGIN_PORT protocol=http1
  [[ $t == salve-h2up ]] && port=$SALVE_UP_PORT admin=$ADMIN2 origin=$H2ORIGIN_PORT protocol=h2c
  cat >"$D/$t/salve.yaml" <<CONF
admin: { address: 127.0.0.1:$admin }
accessLog: { enabled: false }
listeners:
  - name: h2
    address: 127.0.0.1:$port
    maxConcurrentStreams: 128
    routes:
      - { match: { pathPrefix: / }, upstream: origin }
upstreams:
  origin:
    protocol: $protocol
    endpoints: [127.0.0.1:$origin]
CONF
  start_salve_bench "$t" "$D/$t" "$D/$t/salve.yaml"
  PGID[$t]=$LAST_PID PORT[$t]=$port
done
TARGETS=(direct nginx haproxy salve salve-h2up)
for t in "${TARGETS[@]}"; do wait_port "${PORT[$t]}" 30; done

# run_cell TARGET SECONDS: h2load_cell's figures for TARGET (the direct origin: no CPU, HTTP/1.1 --h1).
run_cell() {
  local t=$1
  if [[ $t == direct ]]; then
    h2load_cell "$2" "" "http://127.0.0.1:${PORT[$t]}/" --h1 -c "$CLIENTS" -m "$STREAMS"
  else
    h2load_cell "$2" "${PGID[$t]}" "http://127.0.0.1:${PORT[$t]}/" -c "$CLIENTS" -m "$STREAMS"
  fi
}

REPORT="$D/report.md"
{
  echo "## HTTP/2 (h2c): $(date -u +%Y-%m-%d), $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $("$SALVE_JAVA" -version 2>&1 | head -1)"
  echo
  echo "h2load -c $CLIENTS -m $STREAMS ($((CLIENTS * STREAMS)) streams over $CLIENTS connections), GET / (1 KiB), $ROUNDS interleaved round(s) of ${DURATION}s after ${WARMUP}s warm-up per target;"
  echo "nginx and HAProxy with one worker / thread; $(bench_setup_line); access logs off."
  echo "salve: HTTP/1.1 to the origin, like nginx and HAProxy; salve-h2up: h2c to an h2c origin (nginx listen ... http2)."
  echo "direct: the HTTP/1.1 origin itself (h2load --h1, which pipelines $STREAMS requests per connection): the origin's own cost, for reference."
  echo "Latency percentiles from h2load's per-request log (--log-file)."
  echo
  echo "| target | requests/s (median; per round) | p50 ms | p99 ms | p99.9 ms | proxy CPU µs/req | failed |"
  echo "|---|---|---:|---:|---:|---:|---:|"
} >"$REPORT"
h2load_rounds "$REPORT" "${TARGETS[@]}"
cat "$REPORT"
if [[ $RECORD == 1 ]]; then
  { echo; cat "$REPORT"; } >>"$BENCH_DIR/RESULTS.md"
  log "appended to bench/RESULTS.md"
fi
