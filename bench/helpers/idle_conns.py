#!/usr/bin/env python3
"""Memory per idle keep-alive connection of a proxy.

Opens COUNT connections to 127.0.0.1:PORT (at most CONCURRENCY connecting at once), sends one
`GET /` on each and reads the answer, keeps them all open and idle, and compares the summed VmRSS
of process group PGID before and after, each read once it has settled (procstat.settled_rss: a
JVM's memory moves for seconds after load). Prints one JSON object.
Bounded: gives up after TIMEOUT seconds; closes everything before exiting.
"""
import argparse
import asyncio
import json
import sys
import time
from collections import Counter

from procstat import settled_rss


async def open_one(port: int, sem: asyncio.Semaphore, errors: Counter):
    async with sem:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 10)
        except (OSError, asyncio.TimeoutError) as e:
            errors[f"connect: {type(e).__name__}"] += 1
            return None
        try:
            writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            length = 0
            for line in lines[1:]:
                k, _, v = line.partition(":")
                if k.strip().lower() == "content-length":
                    length = int(v.strip())
                if k.strip().lower() == "connection" and v.strip().lower() == "close":
                    errors["answered with Connection: close"] += 1
            await asyncio.wait_for(reader.readexactly(length), 10)
            if status != 200:
                errors[f"status {status}"] += 1
                writer.close()
                return None
            return reader, writer
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError) as e:
            errors[f"request: {type(e).__name__}"] += 1
            writer.close()
            return None


async def run(a) -> dict:
    errors: Counter = Counter()
    rss_before = await asyncio.to_thread(settled_rss, a.pgid)
    sem = asyncio.Semaphore(a.concurrency)
    t0 = time.monotonic()
    conns = await asyncio.gather(*(open_one(a.port, sem, errors) for _ in range(a.count)))
    conns = [c for c in conns if c is not None]
    opened_s = time.monotonic() - t0
    rss_after = await asyncio.to_thread(settled_rss, a.pgid)
    still_open = sum(1 for r, _ in conns if not r.at_eof())
    for _, w in conns:
        w.close()
    await asyncio.sleep(0.2)
    n = len(conns)
    return {
        "count": a.count,
        "opened": n,
        "still_open": still_open,
        "failed": a.count - n,
        "errors": dict(errors),
        "open_seconds": round(opened_s, 2),
        "rss_before_kib": rss_before,
        "rss_after_kib": rss_after,
        "kib_per_conn": round((rss_after - rss_before) / n, 2) if n else None,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pgid", type=int, required=True)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--timeout", type=float, default=90.0)
    a = ap.parse_args()
    try:
        result = asyncio.run(asyncio.wait_for(run(a), a.timeout))
    except asyncio.TimeoutError:
        result = {"count": a.count, "opened": 0, "failed": a.count, "errors": {"timeout": 1}}
    print(json.dumps(result))
    return 0 if result.get("failed") == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
