#!/usr/bin/env bash
# Load shedding benchmark: does shedding keep critical traffic healthy when the upstream is
# saturated? Not a timed test; a bounded loopback run, well under 2 minutes.
#
# An asyncio upstream serves at most UP_CONCURRENCY requests at once, each taking UP_DELAY_MS
# (capacity = UP_CONCURRENCY * 1000 / UP_DELAY_MS req/s); more wait in its queue. An open-loop
# generator offers CRITICAL_RPS to /critical (criticality: critical) and SHEDDABLE_RPS to /report
# (criticality: sheddable), together above that capacity, for DURATION_S seconds per mode:
#   off       no loadShedding section: every request is forwarded and waits its turn
#   on        degradedWhen inflight >= DEGRADED_INFLIGHT sheds /report, failingWhen >= 4x that
#   adaptive  no thresholds; adaptiveConcurrency enabled (Gradient2, criticality-ordered)
# Reported per route: sent, 200s, shed 503s, other answers (error), no answer within
# CLIENT_TIMEOUT_S (timeout), latency p50/p99 over all requests sent, and the share answered 200.
#
# Usage: bench/shed.sh            (after: mvn -B -q -DskipTests package)
#        MODES="off on" DURATION_S=10 bench/shed.sh
# Needs: java 17+, python3 (stdlib only). Binds 127.0.0.1 only.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JAR="${SALVE_JAR:-$ROOT/proxy/target/salve.jar}"
MODES="${MODES:-off on adaptive}"
DURATION_S="${DURATION_S:-15}"
CRITICAL_RPS="${CRITICAL_RPS:-40}"
SHEDDABLE_RPS="${SHEDDABLE_RPS:-200}"
UP_CONCURRENCY="${UP_CONCURRENCY:-4}"
UP_DELAY_MS="${UP_DELAY_MS:-25}"
DEGRADED_INFLIGHT="${DEGRADED_INFLIGHT:-12}"
CLIENT_TIMEOUT_S="${CLIENT_TIMEOUT_S:-2}"
EVENT_LOOPS="${EVENT_LOOPS:-1}"

[[ -f "$JAR" ]] || { echo "no $JAR: build with mvn -B -q -DskipTests package" >&2; exit 1; }
WORK="$(mktemp -d "${TMPDIR:-/tmp}/salve-shed-bench.XXXXXX")"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cat >"$WORK/upstream.py" <<'PY'
import asyncio, sys
port, concurrency, delay = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) / 1000.0
gate = None

async def handle(reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                return
            length = 0
            while True:
                h = await reader.readline()
                if h in (b"\r\n", b"\n", b""):
                    break
                if h.lower().startswith(b"content-length:"):
                    length = int(h.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            async with gate:  # the saturated resource: at most `concurrency` at a time
                await asyncio.sleep(delay)
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()

async def main():
    global gate
    gate = asyncio.Semaphore(concurrency)
    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=4096)
    async with server:
        await server.serve_forever()

asyncio.run(main())
PY

cat >"$WORK/load.py" <<'PY'
import asyncio, sys, json
port, duration = int(sys.argv[1]), float(sys.argv[2])
rates = {"/critical": float(sys.argv[3]), "/report": float(sys.argv[4])}
timeout = float(sys.argv[5])
MAX_OUTSTANDING = 2000
idle = []  # keep-alive connections to reuse
stats = {p: {"sent": 0, "ok": 0, "shed": 0, "error": 0, "timeout": 0, "lat": []} for p in rates}
outstanding = 0
kinds = {}  # other answers by "status x-salve-error"

async def exchange(path):
    conn = idle.pop() if idle else await asyncio.open_connection("127.0.0.1", port)
    reader, writer = conn
    writer.write(f"GET {path} HTTP/1.1\r\nhost: bench\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:] if l)}
    await reader.readexactly(int(headers.get("content-length", "0")))
    if headers.get("connection", "").lower() == "close":
        writer.close()
    else:
        idle.append(conn)
    return status, headers.get("x-salve-error")

async def one(path, loop):
    global outstanding
    s = stats[path]
    s["sent"] += 1
    if outstanding >= MAX_OUTSTANDING:
        s["timeout"] += 1  # the generator's own cap: counted as a request that never completed
        return
    outstanding += 1
    start = loop.time()
    try:
        status, error = await asyncio.wait_for(exchange(path), timeout)
        if status == 200:
            s["ok"] += 1
        elif status == 503 and error == "shed":
            s["shed"] += 1
        else:
            kinds[f"{status} {error or ''}".strip()] = kinds.get(f"{status} {error or ''}".strip(), 0) + 1
            s["error"] += 1  # any other answer, e.g. 503 overloaded when salve's upstream pool is full
    except Exception:
        s["timeout"] += 1  # no answer in time, or a connection error; that connection is dropped
    finally:
        outstanding -= 1
        s["lat"].append(loop.time() - start)

def pct(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1)] * 1000

async def main():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    due = {p: t0 for p in rates}
    tasks = set()
    while True:
        path = min(due, key=due.get)
        at = due[path]
        if at - t0 >= duration:
            break
        delay = at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        t = asyncio.create_task(one(path, loop))
        tasks.add(t)
        t.add_done_callback(tasks.discard)
        due[path] = at + 1.0 / rates[path]
    if tasks:
        await asyncio.wait(tasks)
    out = {}
    for p, s in stats.items():
        out[p] = {k: s[k] for k in ("sent", "ok", "shed", "error", "timeout")}
        out[p]["p50_ms"] = round(pct(s["lat"], 50), 1)
        out[p]["p99_ms"] = round(pct(s["lat"], 99), 1)
    out["other answers"] = kinds
    print(json.dumps(out))

asyncio.run(main())
PY

config() {  # $1 mode, $2 listener port, $3 admin port, $4 upstream port
  echo "admin: { address: 127.0.0.1:$3 }"
  case "$1" in
    on) cat <<YAML
loadShedding:
  interval: 100ms
  recoverAfter: 2s
  retryAfter: 1s
  degradedWhen: { inflight: $DEGRADED_INFLIGHT }
  failingWhen: { inflight: $((DEGRADED_INFLIGHT * 4)) }
YAML
    ;;
    adaptive) cat <<YAML
loadShedding:
  interval: 100ms
  retryAfter: 1s
  adaptiveConcurrency: { enabled: true, minLimit: 4, maxLimit: 200 }
YAML
    ;;
  esac
  cat <<YAML
listeners:
  - name: bench
    address: 127.0.0.1:$2
    routes:
      - name: critical
        match: { pathPrefix: /critical }
        upstream: slow
        criticality: critical
      - name: report
        match: { pathPrefix: /report }
        upstream: slow
        criticality: sheddable
upstreams:
  slow:
    endpoints: [127.0.0.1:$4]
YAML
}

UP_PORT="$(free_port)"
python3 "$WORK/upstream.py" "$UP_PORT" "$UP_CONCURRENCY" "$UP_DELAY_MS" &
PIDS+=($!)

echo "upstream capacity $((UP_CONCURRENCY * 1000 / UP_DELAY_MS)) req/s; offered /critical ${CRITICAL_RPS}/s + /report ${SHEDDABLE_RPS}/s for ${DURATION_S}s per mode"
printf '%-9s %-10s %6s %6s %6s %6s %7s %9s %9s %10s\n' mode route sent ok shed error timeout p50_ms p99_ms ok_rate
for mode in $MODES; do
  PORT="$(free_port)"; ADMIN="$(free_port)"
  config "$mode" "$PORT" "$ADMIN" "$UP_PORT" >"$WORK/$mode.yaml"
  java -Xmx256m -jar "$JAR" --config "$WORK/$mode.yaml" --event-loops "$EVENT_LOOPS" \
    >/dev/null 2>"$WORK/$mode.err" &
  SALVE=$!
  PIDS+=($SALVE)
  for _ in $(seq 100); do grep -q "salve ready" "$WORK/$mode.err" && break; sleep 0.1; done
  grep -q "salve ready" "$WORK/$mode.err" || { cat "$WORK/$mode.err" >&2; exit 1; }
  RESULT="$(python3 "$WORK/load.py" "$PORT" "$DURATION_S" "$CRITICAL_RPS" "$SHEDDABLE_RPS" "$CLIENT_TIMEOUT_S")"
  TRANSITIONS="$(grep -c "load state " "$WORK/$mode.err" || true)"
  kill "$SALVE"; wait "$SALVE" 2>/dev/null || true
  python3 - "$mode" "$RESULT" "$TRANSITIONS" <<'PY'
import json, sys
mode, result, transitions = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
kinds = result.pop("other answers")
for route, s in result.items():
    rate = 100.0 * s["ok"] / s["sent"] if s["sent"] else 0.0
    print(f'{mode:<9} {route:<10} {s["sent"]:>6} {s["ok"]:>6} {s["shed"]:>6} {s["error"]:>6} {s["timeout"]:>7} '
          f'{s["p50_ms"]:>9} {s["p99_ms"]:>9} {rate:>9.1f}%')
print(f'{mode:<9} (load state transitions logged: {transitions}; other answers: {kinds or "none"})')
PY
done
