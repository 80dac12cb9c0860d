#!/usr/bin/env bash
# Coordination demo, all on 127.0.0.1: one etcd, three stub apps, three salves.
#
#   ./mvnw -B -q -DskipTests package && examples/coordination-demo.sh
#
# Each salve sits beside its app (app-N), campaigns for the election "demo" while its app is healthy,
# registers its ingress under the service "demo", and discovers that service as its upstream "peers".
# The script shows who leads (GET /leader), the registrations (etcdctl) and traffic spread over the
# discovered peers; then it makes the leader's app unhealthy, and later SIGKILLs the leading salve,
# and prints how long leadership took to move each time. Everything is stopped and removed on exit.
#
# Needs: etcd (and etcdctl, optional), python3, curl, Java 17+. Env: TTL (default 3s), KEEP=1 to
# leave the temp dir for inspection.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
ttl=${TTL:-3s}
work=$(mktemp -d "${TMPDIR:-/tmp}/salve-coord-demo.XXXXXX")
pids=()

cleanup() {
  local p
  for p in "${pids[@]}"; do
    kill -CONT "$p" 2>/dev/null || true
    kill "$p" 2>/dev/null || true
  done
  for p in "${pids[@]}"; do
    wait "$p" 2>/dev/null || true
  done
  if [ "${KEEP:-0}" = 1 ]; then echo "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need() { command -v "$1" >/dev/null 2>&1 || { echo "coordination-demo: needs $1 on the PATH" >&2; exit 1; }; }
need etcd; need python3; need curl; need java
[ -f "$root/proxy/target/salve.jar" ] || { echo "build first: ./mvnw -B -q -DskipTests package" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
now_ms() { python3 -c 'import time; print(int(time.monotonic() * 1000))'; }
json_field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get(sys.argv[1]))' "$1"; }
step() { printf '\n== %s\n' "$*"; }

# --- etcd ---------------------------------------------------------------------------------------
etcd_client=$(free_port); etcd_peer=$(free_port)
etcd_url="http://127.0.0.1:$etcd_client"
etcd --name demo --data-dir "$work/etcd" \
  --listen-client-urls "$etcd_url" --advertise-client-urls "$etcd_url" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
  --initial-cluster "demo=http://127.0.0.1:$etcd_peer" >"$work/etcd.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf "$etcd_url/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "$etcd_url/health" >/dev/null || { echo "etcd did not start:"; tail "$work/etcd.log"; exit 1; }
step "etcd on $etcd_url (data in $work/etcd)"

# --- three stub apps: GET /healthz is 200 unless the file sick-N exists; anything else says who answered
cat >"$work/app.py" <<'EOF'
import http.server, os, sys
name, port, sick = sys.argv[1], int(sys.argv[2]), sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        status = 503 if self.path == "/healthz" and os.path.exists(sick) else 200
        body = (name + "\n").encode()
        self.send_response(status)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
EOF

declare -a app_port ingress_port egress_port admin_port salve_pid
for n in 1 2 3; do
  app_port[$n]=$(free_port); ingress_port[$n]=$(free_port); egress_port[$n]=$(free_port); admin_port[$n]=$(free_port)
  python3 "$work/app.py" "app-$n" "${app_port[$n]}" "$work/sick-$n" &
  pids+=($!)
done

# --- three salves ---------------------------------------------------------------------------------
for n in 1 2 3; do
  cat >"$work/salve-$n.yaml" <<EOF
admin: { address: 127.0.0.1:${admin_port[$n]} }
accessLog: { enabled: false }
drainTimeout: 1s
coordination:
  identity: salve-$n
  etcd: { endpoints: [$etcd_url], namespace: /demo }
  leaderElection: { election: demo, ttl: $ttl, whenHealthy: app }
  registration: { service: demo, address: 127.0.0.1:${ingress_port[$n]}, ttl: $ttl, whenHealthy: app }
listeners:
  - name: ingress            # what the other instances call: forwards to this instance's app
    address: 127.0.0.1:${ingress_port[$n]}
    routes: [ { match: { pathPrefix: / }, upstream: app } ]
  - name: egress             # what this instance's app calls to reach its peers
    address: 127.0.0.1:${egress_port[$n]}
    routes: [ { match: { pathPrefix: / }, upstream: peers } ]
upstreams:
  app:
    endpoints: [127.0.0.1:${app_port[$n]}]
    healthCheck: { path: /healthz, interval: 250ms, timeout: 500ms, unhealthyThreshold: 2, healthyThreshold: 1 }
  peers:
    discovery: { etcd: demo }
    healthCheck: { path: /healthz, interval: 1s, timeout: 500ms, unhealthyThreshold: 2, healthyThreshold: 1 }
EOF
  SALVE_JVM_EXTRA="-Dsalve.eventLoops=1 ${SALVE_JVM_EXTRA:-}" "$root/bin/salve" --config "$work/salve-$n.yaml" \
    >"$work/salve-$n.out" 2>"$work/salve-$n.err" &
  salve_pid[$n]=$!
  pids+=($!)
done
for n in 1 2 3; do
  for _ in $(seq 300); do grep -q "salve ready" "$work/salve-$n.err" 2>/dev/null && break; sleep 0.1; done
  grep -q "salve ready" "$work/salve-$n.err" || { echo "salve-$n did not start:"; cat "$work/salve-$n.err"; exit 1; }
done
step "salve-1..3 ready (admin ports ${admin_port[1]} ${admin_port[2]} ${admin_port[3]})"

leader_doc() { curl -s --max-time 2 "http://127.0.0.1:${admin_port[$1]}/leader" || echo '{}'; }

# Prints the number of the salve that reports self:true, or nothing.
who_leads() {
  local n
  for n in "$@"; do
    if [ "$(leader_doc "$n" | json_field self)" = True ]; then echo "$n"; return; fi
  done
}

show_leaders() {
  local n
  for n in "$@"; do printf '  salve-%s GET /leader: %s\n' "$n" "$(leader_doc "$n")"; done
}

# Waits until one of the given salves reports self:true; prints its number.
await_leader() {
  local deadline=$(( $(now_ms) + 30000 )) l
  while [ "$(now_ms)" -lt "$deadline" ]; do
    l=$(who_leads "$@")
    if [ -n "$l" ]; then echo "$l"; return; fi
    sleep 0.05
  done
  echo "no leader within 30s" >&2; exit 1
}

leader=$(await_leader 1 2 3)
step "leader: salve-$leader"
show_leaders 1 2 3

step "registrations (etcdctl get --prefix /demo/services/demo/)"
for _ in $(seq 100); do
  [ "$(curl -s "http://127.0.0.1:${admin_port[1]}/admin/state" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["upstreams"]["peers"]["discovery"]["endpoints"]))')" = 3 ] && break
  sleep 0.1
done
if command -v etcdctl >/dev/null; then
  ETCDCTL_API=3 etcdctl --endpoints="$etcd_url" get --prefix /demo/services/demo/ | sed 's/^/  /'
fi
printf '  salve-1 discovered peers: '
curl -s "http://127.0.0.1:${admin_port[1]}/admin/state" | python3 -c 'import json,sys; d=json.load(sys.stdin)["upstreams"]["peers"]["discovery"]; print(d["endpoints"], "stale:", d["stale"])'
printf '  9 calls from app-1 through salve-1 egress to the peers: '
for _ in $(seq 9); do curl -s "http://127.0.0.1:${egress_port[1]}/work"; done | sort | uniq -c | tr '\n' ' '; echo

# --- failover 1: the leader's app turns unhealthy -------------------------------------------------
step "failover 1: app-$leader turns unhealthy (its /healthz answers 503)"
others=(); for n in 1 2 3; do [ "$n" != "$leader" ] && others+=("$n"); done
t0=$(now_ms)
touch "$work/sick-$leader"
new=$(await_leader "${others[@]}")
t1=$(now_ms)
echo "  leadership moved salve-$leader -> salve-$new in $((t1 - t0)) ms (probe thresholds + resign)"
show_leaders 1 2 3
sleep 1
printf '  salve-%s registration: ' "$leader"
curl -s "http://127.0.0.1:${admin_port[$leader]}/admin/state" | python3 -c 'import json,sys; print(json.load(sys.stdin)["coordination"]["registration"]["status"])'
printf '  9 calls through salve-%s egress now reach: ' "$new"
for _ in $(seq 9); do curl -s "http://127.0.0.1:${egress_port[$new]}/work"; done | sort | uniq -c | tr '\n' ' '; echo
rm -f "$work/sick-$leader"
echo "  app-$leader is healthy again: salve-$leader re-registers and campaigns, but does not take leadership back"
sleep 1.5
show_leaders "$leader"
if command -v etcdctl >/dev/null; then
  printf '  registered again: '
  ETCDCTL_API=3 etcdctl --endpoints="$etcd_url" get --prefix /demo/services/demo/ --keys-only | grep . | tr '\n' ' '; echo
fi

# --- failover 2: the leading salve is killed (no resignation) ------------------------------------
leader=$new
step "failover 2: SIGKILL salve-$leader (no resignation: its lease must expire, ttl $ttl)"
others=(); for n in 1 2 3; do [ "$n" != "$leader" ] && others+=("$n"); done
t0=$(now_ms)
{ kill -9 "${salve_pid[$leader]}"; wait "${salve_pid[$leader]}"; } 2>/dev/null || true
new=$(await_leader "${others[@]}")
t1=$(now_ms)
echo "  leadership moved salve-$leader -> salve-$new in $((t1 - t0)) ms (the lease's ttl $ttl, then etcd's expiry sweep and the next in line)"
show_leaders "${others[@]}"

step "done; stopping everything"
