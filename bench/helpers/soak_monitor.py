#!/usr/bin/env python3
"""Watch salve during bench/soak.sh: every second, its RSS (VmRSS summed over its process group)
and GET /live on the admin port (must be 200). Runs for --duration seconds, then writes a JSON
summary to --out. Exits early if the process group is gone (and says so).
"""
import argparse
import json
import sys
import time
import urllib.error
import urllib.request

from procstat import group_pids, rss_kib

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def live_status(url: str) -> str:
    try:
        with OPENER.open(url, timeout=1) as r:
            return str(r.status)
    except urllib.error.HTTPError as e:
        return str(e.code)
    except (OSError, ValueError) as e:
        return type(e).__name__


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pgid", type=int, required=True)
    ap.add_argument("--admin-port", type=int, required=True)
    ap.add_argument("--duration", type=float, required=True)
    ap.add_argument("--rss-limit-mib", type=float, default=256)
    ap.add_argument("--out", required=True, help="write the JSON summary here")
    a = ap.parse_args()
    url = f"http://127.0.0.1:{a.admin_port}/live"
    start = time.monotonic()
    samples = 0
    rss_max = 0
    rss_first = None
    rss_last = None
    live_bad = []
    gone_at = None
    next_t = start
    while time.monotonic() - start < a.duration:
        pids = group_pids(a.pgid)
        t = round(time.monotonic() - start, 1)
        if not pids:
            gone_at = t
            break
        rss = sum(rss_kib(p) for p in pids)
        rss_first = rss if rss_first is None else rss_first
        rss_last = rss
        rss_max = max(rss_max, rss)
        status = live_status(url)
        if status != "200":
            live_bad.append({"t": t, "status": status})
        samples += 1
        next_t += 1
        time.sleep(max(0.0, next_t - time.monotonic()))
    summary = json.dumps({
        "samples": samples,
        "rss_first_mib": round((rss_first or 0) / 1024, 1),
        "rss_last_mib": round((rss_last or 0) / 1024, 1),
        "rss_max_mib": round(rss_max / 1024, 1),
        "rss_limit_mib": a.rss_limit_mib,
        "live_failures": len(live_bad),
        "live_failure_samples": live_bad[:20],
        "process_gone_at_s": gone_at,
    })
    with open(a.out, "w") as f:
        f.write(summary + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
