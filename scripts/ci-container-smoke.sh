#!/usr/bin/env bash
# CI: runs scripts/container-smoke.sh on a private Docker daemon, started here with its data root,
# exec root, pidfile and socket in a temporary folder, and stopped by PID afterwards (nothing of the
# machine's own Docker is used or touched). Uses the jar of the preceding ./mvnw verify.
#
# If no daemon can be started (not root, no dockerd, the kernel refuses), it prints
# "container smoke test SKIPPED: <why>" and exits 0. Once the daemon is up, any failure exits non-zero.
#   SALVE_CI_DOCKERD_TIMEOUT  seconds to wait for the daemon (default 60)
#   SALVE_SMOKE_CACHE         kept between runs: debootstrapped base root filesystems (see container-smoke.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

skip() { echo "container smoke test SKIPPED: $*"; exit 0; }

[ "$(id -u)" = 0 ] || skip "a private dockerd needs root (running as uid $(id -u))"
command -v dockerd >/dev/null || skip "dockerd is not installed (apt-get install docker.io)"
command -v docker >/dev/null || skip "the docker CLI is not installed (apt-get install docker.io)"
[ -s proxy/target/salve.jar ] || { echo "ci-container-smoke: proxy/target/salve.jar missing: run ./mvnw -B verify first" >&2; exit 1; }

dir=$(mktemp -d /tmp/salve-dockerd.XXXXXX)   # short: the daemon's sockets live under it (108-byte limit)
pid=
stop_daemon() {
  local rc=$?
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$pid" 2>/dev/null; then echo "ci-container-smoke: dockerd $pid did not stop in 30s, killing it" >&2; kill -KILL "$pid"; fi
    wait "$pid" 2>/dev/null || true
    echo "ci-container-smoke: dockerd stopped; $(( $(date +%s) - started ))s in all"
  fi
  # Whatever the daemon left mounted under its roots (normally nothing once it stopped cleanly).
  grep -o " $dir/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$dir"
  exit "$rc"
}
trap stop_daemon EXIT
trap 'exit 130' INT TERM

# --bridge=none: no default docker0 bridge, which the machine's own daemon may already own; the smoke
# test makes its own network. The build's RUN steps need no network (the jar is built outside).
dockerd_args=(--data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid"
              --host "unix://$dir/docker.sock" --bridge=none)
dockerd "${dockerd_args[@]}" > "$dir/dockerd.log" 2>&1 &
pid=$!
export DOCKER_HOST="unix://$dir/docker.sock"
timeout=${SALVE_CI_DOCKERD_TIMEOUT:-60}
for _ in $(seq "$timeout"); do
  if ! kill -0 "$pid" 2>/dev/null; then
    pid=
    skip "dockerd exited at start: $(grep -E 'level=(error|fatal)|failed' "$dir/dockerd.log" | tail -3 | tr '\n' ' ')"
  fi
  docker version >/dev/null 2>&1 && break
  sleep 1
done
if ! docker version >/dev/null 2>&1; then
  tail -5 "$dir/dockerd.log"
  skip "dockerd did not answer on $DOCKER_HOST within ${timeout}s"
fi
echo "ci-container-smoke: private dockerd pid $pid on $DOCKER_HOST, up in $(( $(date +%s) - started ))s"

if ! scripts/container-smoke.sh; then
  echo "---- dockerd log (last 20 lines) ----" >&2
  tail -20 "$dir/dockerd.log" >&2
  echo "container smoke test FAILED after $(( $(date +%s) - started ))s" >&2
  exit 1
fi
echo "ci-container-smoke: smoke test done after $(( $(date +%s) - started ))s; stopping dockerd"
