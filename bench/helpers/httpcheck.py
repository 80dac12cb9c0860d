#!/usr/bin/env python3
"""Readiness waits and functional checks of the benchmark targets.

  httpcheck.py wait-port --port P --timeout S
  httpcheck.py wait-200 --url http://127.0.0.1:P/path --timeout S [--pgid G]
  httpcheck.py smoke --port P           GET / twice on one connection (200, 1,024-byte body),
                                        then POST /upload with 1 MiB (200)
  httpcheck.py check-origin-upload --port P
                                        the origin must not answer POST /upload before the
                                        whole body has arrived (it has to read the body)
"""
import argparse
import os
import select
import socket
import sys
import time
import urllib.error
import urllib.request

from minihttp import HttpError, read_response, request

MIB = 1 << 20


def wait_port(port: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return 0
        except OSError:
            time.sleep(0.1)
    print(f"nothing accepts on 127.0.0.1:{port} after {timeout:g}s", file=sys.stderr)
    return 1


# never go through an HTTP proxy from the environment: everything here is on loopback
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def group_alive(pgid: int | None) -> bool:
    if pgid is None:
        return True
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_200(url: str, timeout: float, pgid: int | None = None) -> int:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if not group_alive(pgid):
            print(f"the process exited before {url} answered 200", file=sys.stderr)
            return 1
        try:
            with OPENER.open(url, timeout=2) as r:
                if r.status == 200:
                    return 0
                last = f"status {r.status}"
        except urllib.error.HTTPError as e:
            last = f"status {e.code}"
        except (OSError, ValueError) as e:
            last = str(e)
        time.sleep(0.2)
    print(f"{url} not 200 after {timeout:g}s ({last})", file=sys.stderr)
    return 1


def smoke(port: int) -> int:
    problems = []
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        f = s.makefile("rb")
        for i in range(2):
            status, headers, body = request(s, f, "GET", "/")
            if status != 200 or len(body) != 1024:
                problems.append(f"GET / #{i + 1}: status {status}, {len(body)} bytes (want 200, 1024)")
            if headers.get("connection", "").lower() == "close":
                problems.append(f"GET / #{i + 1}: Connection: close (want keep-alive)")
                break
        s.close()
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        f = s.makefile("rb")
        status, _, body = request(s, f, "POST", "/upload", b"p" * MIB,
                                  {"Content-Type": "application/octet-stream"})
        if status != 200:
            problems.append(f"POST /upload 1 MiB: status {status} (want 200)")
        s.close()
    except (OSError, HttpError, ValueError) as e:
        problems.append(f"{type(e).__name__}: {e}")
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


def check_origin_upload(port: int) -> int:
    body = b"u" * MIB
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    f = s.makefile("rb")
    s.sendall(f"POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n\r\n".encode())
    s.sendall(body[: MIB // 2])
    early, _, _ = select.select([s], [], [], 0.5)
    s.sendall(body[MIB // 2:])
    status, _, _ = read_response(f)
    # the connection must stay usable: the body was consumed, not left in the stream
    status2, _, body2 = request(s, f, "GET", "/")
    s.close()
    ok = not early and status == 200 and status2 == 200 and len(body2) == 1024
    if not ok:
        print(f"origin upload check failed: answered before the body was complete: {bool(early)}, "
              f"POST status {status}, next GET status {status2} ({len(body2)} bytes)", file=sys.stderr)
    return 0 if ok else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["wait-port", "wait-200", "smoke", "check-origin-upload"])
    ap.add_argument("--port", type=int)
    ap.add_argument("--url")
    ap.add_argument("--timeout", type=float, default=10)
    ap.add_argument("--pgid", type=int, help="wait-200: give up when this process group is gone")
    a = ap.parse_args()
    if a.cmd == "wait-port":
        return wait_port(a.port, a.timeout)
    if a.cmd == "wait-200":
        return wait_200(a.url, a.timeout, a.pgid)
    if a.cmd == "smoke":
        return smoke(a.port)
    return check_origin_upload(a.port)


if __name__ == "__main__":
    sys.exit(main())
