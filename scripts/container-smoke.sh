#!/usr/bin/env bash
# Container smoke test: builds salve's image from the Dockerfile and runs it the way a pod does, with
# examples/sidecar.yaml, beside a stub app in the same network namespace; sends traffic through it
# from another container and checks /ready, /metrics, the HEALTHCHECK, the read-only root filesystem,
# the non-root user and a clean SIGTERM exit. Cleans up every container, network and image tag it made.
#
# Needs no image registry: unless bases are given, it makes two local ones with debootstrap (root and
# the Debian mirror needed once; the root filesystems are cached as tarballs, the images by tag):
#   salve-smoke-base:runtime-bookworm   debootstrap --variant=minbase, no Java (RUNTIME_BASE)
#   salve-smoke-base:jdk17-bookworm     the same plus openjdk-17-jdk-headless (BUILD_BASE, the stub app)
#
# Talks to the daemon the docker CLI is configured for: DOCKER_HOST is honoured. Environment:
#   SALVE_SMOKE_JAR           jar in the build context to package (default proxy/target/salve.jar; empty:
#                             build inside the image with Maven, which needs network in the build)
#   SALVE_SMOKE_BUILD_BASE    BUILD_BASE to use instead of the local JDK base (must have java and bash)
#   SALVE_SMOKE_RUNTIME_BASE  RUNTIME_BASE to use instead of the local minimal base
#   SALVE_SMOKE_CACHE         where base root filesystems are cached (default ~/.cache/salve/container-bases)
#   SALVE_SMOKE_MIRROR        Debian mirror for debootstrap (default http://deb.debian.org/debian)
#   SALVE_SMOKE_KEEP_IMAGE=1  keep the built image (tag salve-smoke:<run id>) for inspection
set -euo pipefail
cd "$(dirname "$0")/.."

jar=${SALVE_SMOKE_JAR-proxy/target/salve.jar}
cache=${SALVE_SMOKE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/salve/container-bases}
mirror=${SALVE_SMOKE_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
run_id="$(date +%s)-$$"
image="salve-smoke:$run_id"
net="salve-smoke-$run_id"
salve_ctr="salve-smoke-$run_id"
app_ctr="salve-smoke-app-$run_id"
client_ctr="salve-smoke-client-$run_id"
config_volume="salve-smoke-config-$run_id"
work=$(mktemp -d "${TMPDIR:-/tmp}/salve-smoke.XXXXXX")
started=$(date +%s)

log() { echo "smoke [$(( $(date +%s) - started ))s]: $*"; }
fail() {
  echo "smoke: FAILED: $*" >&2
  if docker container inspect "$salve_ctr" >/dev/null 2>&1; then
    echo "---- salve container log (last 40 lines) ----" >&2
    docker logs --tail 40 "$salve_ctr" >&2 2>&1 || true
  fi
  exit 1
}

cleanup() {
  local rc=$?
  docker rm -f "$client_ctr" "$app_ctr" "$salve_ctr" >/dev/null 2>&1 || true
  docker network rm "$net" >/dev/null 2>&1 || true
  docker volume rm "$config_volume" >/dev/null 2>&1 || true
  if [ "${SALVE_SMOKE_KEEP_IMAGE:-0}" != 1 ]; then
    docker rmi "$image" >/dev/null 2>&1 || true
  fi
  # The untagged images the build stage left (the base images stay: they are the cache).
  if [ -f "$work/dangling.before" ]; then
    comm -13 "$work/dangling.before" <(dangling) | xargs -r docker rmi >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$rc"
}
dangling() { docker images -q --filter dangling=true --no-trunc | sort -u; }
trap cleanup EXIT
trap 'exit 130' INT TERM

docker version --format 'smoke: docker client {{.Client.Version}}, daemon {{.Server.Version}}' \
  || fail "no Docker daemon at ${DOCKER_HOST:-the default socket}"

# --- local base images -------------------------------------------------------------------------
# ensure_base TAG [PACKAGE...]: the image TAG exists in the daemon, imported from a cached root
# filesystem tarball, which debootstrap makes if missing.
ensure_base() {
  local tag=$1; shift
  if docker image inspect "$tag" >/dev/null 2>&1; then log "base $tag: in the daemon"; return; fi
  local tarball="$cache/${tag//[:\/]/_}.tar"
  if [ ! -s "$tarball" ]; then
    [ "$(id -u)" = 0 ] || fail "making base $tag needs root (debootstrap); or set SALVE_SMOKE_*_BASE"
    command -v debootstrap >/dev/null || fail "making base $tag needs debootstrap (apt-get install debootstrap)"
    mkdir -p "$cache/debs"
    local root="$work/rootfs-${tag//[:\/]/_}"
    local include=()
    [ $# -gt 0 ] && include=("--include=$(IFS=,; echo "$*")")
    log "base $tag: debootstrap --variant=minbase $suite ${include[*]:-} (once; cached in $cache)"
    debootstrap --variant=minbase --cache-dir="$cache/debs" "${include[@]}" "$suite" "$root" "$mirror" \
      > "$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; fail "debootstrap failed"; }
    # What slim images leave out: package lists, caches, docs, man pages, translations.
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/usr/share/doc/* \
           "$root"/usr/share/man/* "$root"/usr/share/locale/* "$root"/var/log/*
    tar -C "$root" --numeric-owner -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
    rm -rf "$root"
  fi
  log "base $tag: docker import $tarball"
  docker import --message "salve smoke base: debootstrap minbase $suite $*" "$tarball" "$tag" >/dev/null
}

build_base=${SALVE_SMOKE_BUILD_BASE:-}
runtime_base=${SALVE_SMOKE_RUNTIME_BASE:-}
if [ -z "$runtime_base" ]; then
  runtime_base="salve-smoke-base:runtime-$suite"
  ensure_base "$runtime_base"
fi
if [ -z "$build_base" ]; then
  build_base="salve-smoke-base:jdk17-$suite"
  ensure_base "$build_base" openjdk-17-jdk-headless
fi

# --- the image under test ----------------------------------------------------------------------
build_args=(--build-arg "BUILD_BASE=$build_base" --build-arg "RUNTIME_BASE=$runtime_base")
if [ -n "$jar" ]; then
  [ -s "$jar" ] || fail "$jar not found: build it first (./mvnw -B -DskipTests package) or set SALVE_SMOKE_JAR="
  build_args+=(--build-arg "SALVE_JAR=$jar")
fi
dangling > "$work/dangling.before"
log "docker build -t $image (BUILD_BASE=$build_base RUNTIME_BASE=$runtime_base SALVE_JAR=${jar:-<maven>})"
docker build -t "$image" "${build_args[@]}" . > "$work/build.log" 2>&1 \
  || { tail -30 "$work/build.log" >&2; fail "docker build failed"; }
size=$(docker image inspect -f '{{.Size}}' "$image")
log "image $image: $(( size / 1024 / 1024 )) MiB"

# --- a pod: salve and a stub app sharing one network namespace; a client outside it -------------
docker network create "$net" >/dev/null
# The pod's ConfigMap: a volume holding examples/sidecar.yaml, mounted read-only at /etc/salve.
docker volume create "$config_volume" >/dev/null
docker run --rm -i -v "$config_volume:/etc/salve" "$runtime_base" \
  sh -c 'cat > /etc/salve/salve.yaml && chmod 0644 /etc/salve/salve.yaml' < examples/sidecar.yaml
# The same security settings as the Helm chart: read-only root, /tmp a tmpfs (noexec, Docker's default),
# no capabilities, no privilege gain, a memory and CPU limit.
docker create --name "$salve_ctr" --network "$net" --read-only --tmpfs /tmp \
  --cap-drop ALL --security-opt no-new-privileges --memory 256m --cpus 1 \
  --health-interval 1s --health-start-period 60s \
  --mount "type=volume,src=$config_volume,dst=/etc/salve,readonly" "$image" >/dev/null
docker start "$salve_ctr" >/dev/null

# The stub app: 127.0.0.1:8080 in salve's network namespace, like a container of the same pod.
cat > "$work/Stub.java" <<'JAVA'
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** The smoke test's app: 200 on /healthz, and on any other path a line naming what it received. */
public class Stub {
  public static void main(String[] args) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 8080), 0);
    server.createContext("/", exchange -> {
      String via = exchange.getRequestHeaders().getFirst("Via");
      byte[] body = ("stub app: " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + " via " + via + "\n")
          .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    System.out.println("stub app listening on 127.0.0.1:8080");
  }
}
JAVA
docker create --name "$app_ctr" --network "container:$salve_ctr" "$build_base" \
  java -XX:+UseSerialGC -Xmx32m /tmp/Stub.java >/dev/null
docker cp "$work/Stub.java" "$app_ctr:/tmp/Stub.java"
docker start "$app_ctr" >/dev/null

docker run -d --name "$client_ctr" --network "$net" "$runtime_base" sleep 600 >/dev/null
log "network $net: $(docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' "$net"), salve $(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$salve_ctr"), client $(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$client_ctr")"

# http HOST PORT PATH: the whole HTTP/1.1 response (status line, headers, body), from the client
# container with bash's /dev/tcp (the bases have no curl).
http() {
  docker exec "$client_ctr" bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 7
    printf "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" "$2" "$0" >&3
    timeout 10 cat <&3 | tr -d "\r"' "$@"
}
status_of() { head -1 <<<"$1" | cut -d' ' -f2; }

# wait_for WHAT SECONDS COMMAND...: retries COMMAND every second until it succeeds.
wait_for() {
  local what=$1 seconds=$2; shift 2
  for _ in $(seq "$seconds"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [ "$(docker inspect -f '{{.State.Running}}' "$salve_ctr")" != true ]; then fail "salve exited while waiting for $what"; fi
    sleep 1
  done
  fail "$what: not within ${seconds}s"
}
ready() { [ "$(status_of "$(http "$salve_ctr" 15021 /ready)")" = 200 ]; }
app_up() { docker logs "$app_ctr" 2>&1 | grep -q 'stub app listening'; }
healthy() { [ "$(docker inspect -f '{{.State.Health.Status}}' "$salve_ctr")" = healthy ]; }

wait_for "the stub app" 60 app_up
log "waiting for /ready on the probe port"
wait_for "/ready 200" 90 ready
log "/ready: 200"

response=$(http "$salve_ctr" 15000 /hello/smoke)
[ "$(status_of "$response")" = 200 ] || fail "GET /hello/smoke through the ingress listener: $response"
grep -q '^stub app: GET /hello/smoke via ' <<<"$response" || fail "the app did not answer through salve: $response"
grep -qi '^x-salve-upstream: app$' <<<"$response" || fail "no x-salve-upstream: app header: $response"
log "ingress 0.0.0.0:15000 -> app: 200, $(grep '^stub app' <<<"$response")"

egress=$(docker exec "$app_ctr" bash -c 'exec 3<>/dev/tcp/127.0.0.1/15001 && printf "GET /from-app HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" >&3 && timeout 10 cat <&3 | tr -d "\r"')
grep -q '^stub app: GET /from-app' <<<"$egress" || fail "egress 127.0.0.1:15001 from inside the pod: $egress"
log "egress 127.0.0.1:15001 from inside the pod: 200"

metrics=$(http "$salve_ctr" 15021 /metrics)
[ "$(status_of "$metrics")" = 200 ] || fail "/metrics on the probe port: $(head -1 <<<"$metrics")"
grep -q '^salve_requests_total{.*listener="ingress"' <<<"$metrics" \
  || fail "/metrics has no salve_requests_total for the ingress listener"
log "/metrics on the probe port: 200, $(grep -c '^salve_' <<<"$metrics") salve_ samples"

admin=$(http "$salve_ctr" 15021 /admin/state)
[ "$(status_of "$admin")" = 404 ] || fail "/admin/state must not be served on the probe port: $(head -1 <<<"$admin")"
if http "$salve_ctr" 9901 /live 2>/dev/null | grep -q '^HTTP/'; then
  fail "the admin port 9901 answers from outside the pod"
fi
log "probe port serves no admin API (404); admin port 9901 unreachable from outside the pod"

wait_for "HEALTHCHECK healthy" 30 healthy
log "HEALTHCHECK (/live on the admin port, from inside): healthy"

salve_log=$(docker logs "$salve_ctr" 2>&1)
transport=$(grep -m1 -oE 'salve ready \((io_uring|epoll) transport' <<<"$salve_log" | grep -oE 'io_uring|epoll') \
  || fail "salve did not start on a native transport, io_uring or epoll (native library not loaded from /opt/salve/lib?)"
[ "$(docker exec "$salve_ctr" id -u)" = 10001 ] || fail "salve does not run as uid 10001"
touched=$(docker exec -u 0 "$salve_ctr" touch /x 2>&1 || true)
grep -q 'Read-only file system' <<<"$touched" || fail "the root filesystem is writable: ${touched:-touch /x succeeded}"
log "$transport transport, uid 10001, read-only root filesystem"
# The AppCDS archive made at build time (container/train-cds) must be mapped, i.e. valid for this image.
[ "$(docker exec "$salve_ctr" sh -c 'grep -c /opt/salve/salve.jsa /proc/1/maps')" -gt 0 ] \
  || fail "the AppCDS archive /opt/salve/salve.jsa is not in use (missing from the image, or refused by the JVM)"
log "AppCDS archive /opt/salve/salve.jsa mapped"
# Start-up: from the container's start to salve's "ready" line (both UTC timestamps).
ready_at=$(grep -m1 -o '^[0-9T:.-]*Z INFO Salve - salve ready' <<<"$salve_log" | cut -d' ' -f1)
started_at=$(docker inspect -f '{{.State.StartedAt}}' "$salve_ctr")
startup_ms=$(( ($(date -d "$ready_at" +%s%N) - $(date -d "$started_at" +%s%N)) / 1000000 ))
log "start-up: ${startup_ms} ms from container start to 'salve ready'"

sleep 5   # idle figures after start-up settled
rss_kib=$(docker exec "$salve_ctr" sh -c "grep VmRSS /proc/1/status" | awk '{print $2}')
mem=$(docker stats --no-stream --format '{{.MemUsage}}' "$salve_ctr")
log "idle: RSS $(( rss_kib / 1024 )) MiB (VmRSS of the JVM), container memory $mem"

docker stop -t 30 "$salve_ctr" >/dev/null
code=$(docker inspect -f '{{.State.ExitCode}}' "$salve_ctr")
[ "$code" = 0 ] || fail "salve exited $code on SIGTERM"
log "SIGTERM: drained and exited 0"
echo "container smoke test PASSED in $(( $(date +%s) - started ))s (image $(( size / 1024 / 1024 )) MiB, start-up ${startup_ms} ms, idle RSS $(( rss_kib / 1024 )) MiB)"
