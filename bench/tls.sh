#!/usr/bin/env bash
# HTTPS benchmark (issue 17): TLS termination to a plaintext origin, through nginx, HAProxy and salve
# (OpenSSL and JDK engines), keep-alive and one new connection per request (handshakes/s), with the
# proxy's CPU seconds per 1,000 requests. Loopback only; bounded (ROUNDS x DURATION per cell).
# Not yet run on the project's bench machine: the integrator runs it and records the table in
# bench/RESULTS.md (--record).
#
# Usage: bench/tls.sh [--quick] [--record] [--user-default]
#   --user-default: salve through bin/salve on the java on the PATH, default event loops, nothing pinned
# Environment: DURATION [10s] WARMUP [5s] ROUNDS [3] CONNS [64] NEWCONN_CONNS [16] PROXY_CPUS [0] LOAD_CPUS [1]
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RECORD=0
DURATION=${DURATION:-10s} WARMUP=${WARMUP:-5s} ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64} NEWCONN_CONNS=${NEWCONN_CONNS:-16}
PROXY_CPUS=${PROXY_CPUS:-0} LOAD_CPUS=${LOAD_CPUS:-1}
for a in "$@"; do
  case $a in
    --quick) DURATION=3s WARMUP=1s ROUNDS=1 ;;
    --record) RECORD=1 ;;
    --user-default) USER_DEFAULT=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) die "unknown option $a" ;;
  esac
done

unpin_for_user_default

need_cmds wrk:wrk nginx:nginx haproxy:haproxy openssl:openssl taskset:util-linux
bench_init salve-tls-bench
build_salve || die "salve.jar could not be built"
D=$BENCH_TMP

# Certificates: a CA and a localhost certificate (EC P-256, the common choice for TLS 1.3).
openssl ecparam -name prime256v1 -genkey -noout -out "$D/ca.key" 2>/dev/null
openssl req -x509 -key "$D/ca.key" -out "$D/ca.crt" -days 2 -subj "/CN=bench-ca" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$D/tls.key" 2>/dev/null
openssl req -new -key "$D/tls.key" -out "$D/tls.csr" -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$D/san.ext"
openssl x509 -req -in "$D/tls.csr" -CA "$D/ca.crt" -CAkey "$D/ca.key" -CAcreateserial -out "$D/tls.crt" \
  -days 2 -extfile "$D/san.ext" 2>/dev/null
cat "$D/tls.crt" "$D/tls.key" >"$D/haproxy.pem"
chmod -R a+rX "$D"

read -r ORIGIN_PORT NGINX_PORT HAPROXY_PORT SALVE_OSSL_PORT SALVE_JDK_PORT ADMIN1 ADMIN2 <<<"$(free_ports 7 | tr '\n' ' ')"

mkdir -p "$D/origin" "$D/nginx" "$D/haproxy" "$D/salve-openssl" "$D/salve-jdk"
write_origin_conf "$D/origin" "$ORIGIN_PORT"
start_nginx origin "$D/origin" "$LOAD_CPUS"
ORIGIN_PGID=$LAST_PID
wait_port "$ORIGIN_PORT"

{
  nginx_common_conf "$D/nginx"
  echo "http {"
  nginx_http_common "$D/nginx"
  cat <<EOF
  upstream origin { server 127.0.0.1:$ORIGIN_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX_PORT ssl backlog=4096;
    ssl_certificate $D/tls.crt;
    ssl_certificate_key $D/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:SSL:10m;
    location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
EOF
} >"$D/nginx/nginx.conf"
start_nginx nginx-tls "$D/nginx" "$PROXY_CPUS"
declare -A PGID PORT
PGID[nginx]=$LAST_PID PORT[nginx]=$NGINX_PORT

cat >"$D/haproxy/haproxy.cfg" <<EOF
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
  bind 127.0.0.1:$HAPROXY_PORT ssl crt $D/haproxy.pem ssl-min-ver TLSv1.2 alpn http/1.1
  default_backend be
backend be
  http-reuse always
  server origin 127.0.0.1:$ORIGIN_PORT
EOF
start_bg haproxy-tls "$PROXY_CPUS" "$D/haproxy/stdout.log" haproxy -f "$D/haproxy/haproxy.cfg"
PGID[haproxy]=$LAST_PID PORT[haproxy]=$HAPROXY_PORT

for engine in openssl jdk; do
  port_var=SALVE_OSSL_PORT admin=$ADMIN1
  [[ $engine == jdk ]] && port_var=SALVE_JDK_PORT admin=$ADMIN2
  cat >"$D/salve-$engine/salve.yaml" <<EOF
admin: { address: 127.0.0.1:$admin }
accessLog: { enabled: false }
listeners:
  - name: https
    address: 127.0.0.1:${!port_var}
    tls: { cert: $D/tls.crt, key: $D/tls.key }
    routes:
      - upstream: origin
upstreams:
  origin:
    endpoints: [127.0.0.1:$ORIGIN_PORT]
EOF
  start_salve_bench "salve-$engine" "$D/salve-$engine" "$D/salve-$engine/salve.yaml" "-Dsalve.tls.provider=$engine"
  PGID[salve-$engine]=$LAST_PID PORT[salve-$engine]=${!port_var}
done
TARGETS=(nginx haproxy salve-openssl salve-jdk)
for t in "${TARGETS[@]}"; do wait_port "${PORT[$t]}" 30; done

# run_cell TARGET SCENARIO DURATION: prints "requests/s cpu_s_per_1000_requests"
run_cell() {
  local t=$1 sc=$2 dur=$3 url="https://localhost:${PORT[$1]}/" args=()
  case $sc in
    keepalive) args=(-c"$CONNS") ;;
    newconn) args=(-c"$NEWCONN_CONNS" -H "Connection: close") ;;
  esac
  local cpu0 cpu1 out rps reqs
  cpu0=$(python3 "$HELPERS/procstat.py" cpu "${PGID[$t]}")
  out=$(taskset -c "$LOAD_CPUS" wrk -t1 -d"$dur" --timeout 5s "${args[@]}" "$url" 2>&1) || true
  cpu1=$(python3 "$HELPERS/procstat.py" cpu "${PGID[$t]}")
  rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' <<<"$out")
  reqs=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' <<<"$out")
  if [[ -z $rps || -z $reqs || $reqs == 0 ]]; then
    log "$sc $t: wrk failed: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
    echo "- -"
    return
  fi
  python3 -c "import sys; r,c0,c1,n=sys.argv[1:]; print(f'{float(r):.0f} {(float(c1)-float(c0))*1000/int(n):.3f}')" \
    "$rps" "$cpu0" "$cpu1" "$reqs"
}

REPORT="$D/report.md"
{
  echo "## HTTPS (TLS termination to a plaintext origin), $(date -u +%Y-%m-%d)"
  echo
  echo "wrk -t1, $ROUNDS round(s) of $DURATION after $WARMUP warm-up; nginx and HAProxy with one worker/thread; $(bench_setup_line)."
  echo "newconn sends Connection: close, so every request is a new TCP connection and a full handshake."
  echo
  echo "| scenario | target | requests/s (per round) | proxy CPU s / 1000 req |"
  echo "|---|---|---|---|"
} >"$REPORT"
for sc in keepalive newconn; do
  for t in "${TARGETS[@]}"; do run_cell "$t" "$sc" "$WARMUP" >/dev/null; done
  for t in "${TARGETS[@]}"; do
    rates=() cpus=()
    for r in $(seq 1 "$ROUNDS"); do
      read -r rate cpu <<<"$(run_cell "$t" "$sc" "$DURATION")"
      rates+=("$rate") cpus+=("$cpu")
      log "$sc $t round $r: $rate req/s, $cpu CPU s / 1000 req"
    done
    echo "| $sc | $t | ${rates[*]} | ${cpus[*]} |" >>"$REPORT"
  done
done
cat "$REPORT"
if [[ $RECORD == 1 ]]; then
  { echo; cat "$REPORT"; } >>"$BENCH_DIR/RESULTS.md"
  log "appended to bench/RESULTS.md"
fi
