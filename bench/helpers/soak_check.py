#!/usr/bin/env python3
"""Checks and report of bench/soak.sh.

  soak_check.py OUT_DIR   -> Markdown report on stdout; exit 1 if a check failed

OUT_DIR holds client.json, tokens.txt (client: TOKEN OUTCOME per POST), delivered.txt (all
upstreams: TOKEN ENDPOINT per POST received), monitor.json, leaks.txt (LEAK lines of salve's
log), chaos.txt (what was killed and restarted when), meta.json.
"""
import json
import sys
from collections import Counter
from pathlib import Path


def main() -> int:
    out = Path(sys.argv[1])
    meta = json.loads((out / "meta.json").read_text())
    client = json.loads((out / "client.json").read_text()) if (out / "client.json").exists() else None
    monitor = json.loads((out / "monitor.json").read_text()) if (out / "monitor.json").exists() else None
    delivered = Counter()
    where: dict[str, list[str]] = {}
    for line in (out / "delivered.txt").read_text().splitlines():
        parts = line.split()
        if parts:
            delivered[parts[0]] += 1
            where.setdefault(parts[0], []).append(parts[1] if len(parts) > 1 else "?")
    outcome = {}
    if (out / "tokens.txt").exists():
        for line in (out / "tokens.txt").read_text().splitlines():
            tok, _, oc = line.partition(" ")
            outcome[tok] = oc
    leaks = [l for l in (out / "leaks.txt").read_text().splitlines() if l.strip()] \
        if (out / "leaks.txt").exists() else []

    dups = {t: n for t, n in delivered.items() if n > 1}
    ok_not_delivered = [t for t, oc in outcome.items() if oc.startswith("2") and t not in delivered]
    failed_but_delivered = [t for t, oc in outcome.items() if not oc.startswith("2") and t in delivered]
    unknown = [t for t in delivered if t not in outcome]

    checks = []

    def check(name, ok, detail):
        checks.append((name, ok, detail))

    check("client finished", client is not None, "client.json present" if client else "the load client failed")
    check("salve kept running", monitor is not None and monitor.get("process_gone_at_s") is None,
          "ran to the end" if monitor and monitor.get("process_gone_at_s") is None
          else f"gone at {monitor.get('process_gone_at_s') if monitor else '?'} s")
    check("no LEAK: in salve's log", not leaks, f"{len(leaks)} LEAK lines" + (f", first: {leaks[0][:200]}" if leaks else ""))
    check("no POST delivered twice", not dups,
          f"{len(dups)} tokens delivered more than once" + (
              ": " + ", ".join(f"{t}×{n} ({'/'.join(where[t])}, client saw {outcome.get(t, '?')})"
                              for t, n in list(dups.items())[:5]) if dups else ""))
    check("no POST answered 2xx without reaching an upstream", not ok_not_delivered,
          f"{len(ok_not_delivered)} such POSTs" + (f", e.g. {ok_not_delivered[:3]}" if ok_not_delivered else ""))
    if monitor:
        check(f"RSS stayed under {monitor['rss_limit_mib']:g} MiB",
              monitor["rss_max_mib"] < monitor["rss_limit_mib"] and monitor["samples"] > 0,
              f"max {monitor['rss_max_mib']} MiB over {monitor['samples']} samples "
              f"(first {monitor['rss_first_mib']}, last {monitor['rss_last_mib']})")
        check("/live answered 200 every second", monitor["live_failures"] == 0 and monitor["samples"] > 0,
              f"{monitor['live_failures']} of {monitor['samples']} polls failed"
              + (f", e.g. {monitor['live_failure_samples'][:3]}" if monitor["live_failures"] else ""))
    else:
        check("monitor finished", False, "monitor.json missing")

    L = []
    w = L.append
    w(f"## soak {meta['date']}: {meta['duration']} s against salve, {meta['endpoints']} upstream endpoints")
    w("")
    w(f"- load: {meta['rate']} req/s over {meta['conns']} connections, {meta['post_share']:.0%} POSTs "
      f"({meta['large_share']:.0%} of them {meta['large_size'] // 1024} KiB, the rest 256 B)")
    w(f"- chaos: every {meta['kill_every']} s one endpoint is SIGKILLed and restarted {meta['down_for']} s later "
      f"(round-robin); each upstream resets {meta['reset_rate']:.1%} of requests (SO_LINGER 0), half before "
      "and half after processing them")
    w(f"- salve JVM flags: `{meta['jvm_flags']}`")
    w("")
    if client:
        w(f"**Requests:** sent {client['sent']}, answered {client['answered']}, failed {client['failed']} "
          f"(latency of answered: p50 {client['latency_ms']['p50']} ms, p99 {client['latency_ms']['p99']} ms, "
          f"max {client['latency_ms']['max']} ms)")
        w("")
        w("| outcome | count |")
        w("|---|---:|")
        for k, v in client["answered_by_status"].items():
            w(f"| answered {k} | {v} |")
        for k, v in client["failed_by_reason"].items():
            w(f"| failed: {k} | {v} |")
        w("")
    w(f"**POSTs:** {len(outcome)} sent, {len(delivered)} distinct tokens delivered to upstreams "
      f"({sum(delivered.values())} deliveries); {len(failed_but_delivered)} were not answered 2xx but were "
      f"delivered (e.g. reset after processing: expected, and must not be retried); "
      f"{len(unknown)} delivered tokens unknown to the client")
    w("")
    w("| check | result | detail |")
    w("|---|---|---|")
    for name, ok, detail in checks:
        w(f"| {name} | {'PASS' if ok else '**FAIL**'} | {detail} |")
    w("")
    failed = [c for c in checks if not c[1]]
    w(f"**{'FAILED: ' + ', '.join(c[0] for c in failed) if failed else 'All checks passed.'}**")
    w("")
    print("\n".join(L))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
