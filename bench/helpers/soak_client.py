#!/usr/bin/env python3
"""Load client of bench/soak.sh: a paced mix of GETs and POSTs through the proxy, for a bounded
time, counting every outcome.

CONNS workers share one schedule of RATE requests/s in all. Each keeps one keep-alive
connection and reopens it after any failure. A POST carries a unique token, both as
X-Request-Id and as the first line of its body; POST_SHARE of the requests are POSTs, and
LARGE_SHARE of the POSTs carry LARGE_SIZE bytes (bigger than salve's default 64 KiB replay
buffer, so they are streamed). Every POST's token and outcome goes to --tokens; the summary
(JSON) to --out.
"""
import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from collections import Counter


class Stats:
    def __init__(self):
        self.sent = 0
        self.answered = Counter()  # "200", "503 overloaded", ...
        self.failed = Counter()  # reason
        self.latencies: list[float] = []
        self.tokens: list[tuple[str, str]] = []


async def read_response(reader: asyncio.StreamReader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if line:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b""):
                    pass
                break
            await reader.readexactly(size + 2)
    else:
        n = int(headers.get("content-length", "0") or 0)
        if n:
            await reader.readexactly(n)
    return status, headers


def reason_of(e: BaseException, connecting: bool) -> str:
    if isinstance(e, asyncio.TimeoutError):
        return "timeout (connect)" if connecting else "timeout"
    if isinstance(e, ConnectionRefusedError):
        return "connect refused"
    if isinstance(e, ConnectionResetError):
        return "reset by proxy"
    if isinstance(e, (asyncio.IncompleteReadError, asyncio.LimitOverrunError)):
        return "closed by proxy without a (full) response"
    if isinstance(e, BrokenPipeError):
        return "broken pipe"
    return ("connect: " if connecting else "") + type(e).__name__


async def worker(wid: int, a, st: Stats, sched: dict, deadline: float, run_id: str) -> None:
    rng = random.Random(wid)
    reader = writer = None
    seq = 0
    interval = 1.0 / a.rate
    while True:
        now = time.monotonic()
        slot = max(sched["next"], now - 0.1)
        sched["next"] = slot + interval
        if slot >= deadline:
            break
        if slot > now:
            await asyncio.sleep(slot - now)
        seq += 1
        is_post = rng.random() < a.post_share
        token = f"{run_id}-{wid}-{seq}" if is_post else None
        if is_post:
            size = a.large_size if rng.random() < a.large_share else 256
            first = (token + "\n").encode()
            body = first + b"p" * max(0, size - len(first))
            req = (f"POST /submit HTTP/1.1\r\nHost: soak\r\nX-Request-Id: {token}\r\n"
                   f"Content-Type: text/plain\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
        else:
            req = b"GET /item HTTP/1.1\r\nHost: soak\r\n\r\n"
        st.sent += 1
        connecting = False
        t0 = time.monotonic()
        try:
            if writer is None:
                connecting = True
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", a.port, limit=1 << 20), a.timeout)
                connecting = False
            writer.write(req)
            status, headers = await asyncio.wait_for(read_response(reader), a.timeout)
            st.latencies.append(time.monotonic() - t0)
            key = str(status)
            if status >= 300 and headers.get("x-salve-error"):
                key += " " + headers["x-salve-error"]
            st.answered[key] += 1
            if token:
                st.tokens.append((token, str(status)))
            if headers.get("connection", "").lower() == "close":
                writer.close()
                reader = writer = None
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                ValueError, IndexError) as e:
            why = reason_of(e, connecting)
            st.failed[why] += 1
            if token:
                st.tokens.append((token, "failed:" + why.replace(" ", "_")))
            if writer is not None:
                writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


def pct(xs: list[float], p: float):
    if not xs:
        return None
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(len(xs) * p / 100))] * 1000, 2)


async def run(a) -> Stats:
    st = Stats()
    start = time.monotonic()
    sched = {"next": start}
    run_id = uuid.uuid4().hex[:8]
    await asyncio.gather(*(worker(i, a, st, sched, start + a.duration, run_id) for i in range(a.conns)))
    return st


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--duration", type=float, required=True)
    ap.add_argument("--rate", type=float, default=300)
    ap.add_argument("--conns", type=int, default=16)
    ap.add_argument("--post-share", type=float, default=0.3)
    ap.add_argument("--large-share", type=float, default=0.05)
    ap.add_argument("--large-size", type=int, default=128 * 1024)
    ap.add_argument("--timeout", type=float, default=5)
    ap.add_argument("--tokens", required=True, help="write 'TOKEN OUTCOME' per POST here")
    ap.add_argument("--out", required=True, help="write the JSON summary here")
    a = ap.parse_args()
    st = asyncio.run(asyncio.wait_for(run(a), a.duration + 3 * a.timeout + 10))
    with open(a.tokens, "w") as f:
        for token, outcome in st.tokens:
            f.write(f"{token} {outcome}\n")
    summary = json.dumps({
        "sent": st.sent,
        "answered": sum(st.answered.values()),
        "failed": sum(st.failed.values()),
        "answered_by_status": dict(sorted(st.answered.items())),
        "failed_by_reason": dict(st.failed.most_common()),
        "posts": len(st.tokens),
        "latency_ms": {"p50": pct(st.latencies, 50), "p99": pct(st.latencies, 99),
                       "max": pct(st.latencies, 100)},
    })
    with open(a.out, "w") as f:
        f.write(summary + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
