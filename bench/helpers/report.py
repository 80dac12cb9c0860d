#!/usr/bin/env python3
"""Turn a run's results.jsonl + meta.json (written by bench/run.sh) into Markdown.

  report.py OUT_DIR  -> Markdown on stdout; exit 0, or 3 if any error was flagged

results.jsonl holds one JSON object per line:
  {"kind": "wrk", "scenario", "target", "round" (0 = warm-up), "proxy_cpu_s", "origin_cpu_s",
   "wrk": {...BENCH_JSON of lua/report.lua...}} or {"kind": "wrk", ..., "failed": "why"}
  {"kind": "rss", "target", "when": "idle" | "idle_settled" | "after_load", "kib"}
  {"kind": "idle", "target", ...output of idle_conns.py...}
  {"kind": "note", "target", "text", "flag": true|false}
  {"kind": "startup", "target", "round", "ready_ms"}
"""
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

SCENARIO_TITLES = {
    "throughput": "throughput — GET 1 KiB as fast as possible",
    "fixed-rate": "fixed-rate — GET 1 KiB at a fixed total rate (latency overhead)",
    "post-1mib": "post-1mib — POST 1 MiB bodies, streamed to an origin that reads them",
    "first-5s": "first-5s — GET 1 KiB as fast as possible in the first seconds after a restart (no warm-up)",
}


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt_num(x, digits=0, suffix=""):
    if x is None:
        return "–"
    return f"{x:,.{digits}f}{suffix}"


def fmt_ms(us):
    if us is None:
        return "–"
    ms = us / 1000
    return f"{ms:.3f}" if ms < 10 else f"{ms:.1f}"


def fmt_ratio(x):
    return "–" if x is None else f"{x:.2f}×"


def fmt_k(x):
    if x is None:
        return "–"
    return f"{x / 1000:.1f}k" if x >= 1000 else f"{x:.0f}"


def fmt_kib(k):
    if k is None:
        return "–"
    return f"{k / 1024:.1f} MiB"


def main() -> int:
    out = Path(sys.argv[1])
    meta = json.loads((out / "meta.json").read_text())
    recs = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines() if line.strip()]
    targets = meta["targets"]
    flagged = []
    lines = []
    w = lines.append

    w(f"## {meta['date']} — {'quick smoke run (not a benchmark)' if meta['quick'] else 'full run'}")
    w("")
    w(f"- machine: {meta['nproc']} CPUs ({meta['cpu_model']}), {meta['ram']} RAM, kernel {meta['kernel']}, "
      f"load average at start {meta['loadavg']}")
    w(f"- java: {meta['java']}")
    w(f"- tools: {meta['tools']}")
    if meta.get("user_default"):
        w(f"- **user-default run**: nothing pinned (proxies, origin and wrk on CPUs {meta['proxy_cpus']}), "
          "salve started by its launcher")
    else:
        w(f"- CPU split: proxies and origin on CPU {meta['proxy_cpus']}, wrk / load clients on CPU {meta['load_cpus']} (taskset)")
    w(f"- access logs: {'on (salve: its JSON log; nginx: the same fields as JSON, buffer=64k)' if meta.get('logging') else 'off'}")
    w(f"- each scenario: warm-up {meta['warmup']} per target, then {meta['rounds']} interleaved round(s) of "
      f"{meta['duration']} per target ({' → '.join(targets)})")
    w(f"- salve: `{meta['salve_jvm_flags']}`")
    for n in meta.get("notes", []):
        w(f"- {n}")
    w("")

    by = defaultdict(list)  # (scenario, target) -> measured records
    warm_err = defaultdict(int)
    for r in recs:
        if r["kind"] != "wrk":
            continue
        if r["round"] == 0:
            if "wrk" in r:
                warm_err[(r["scenario"], r["target"])] += sum(r["wrk"]["errors"].values())
            continue
        by[(r["scenario"], r["target"])].append(r)

    for sc in meta["scenarios"]:
        if sc not in SCENARIO_TITLES:
            continue
        w(f"### {SCENARIO_TITLES[sc]}")
        w("")
        w(f"`{meta['wrk_cmd'][sc]}`")
        w("")
        fixed = sc == "fixed-rate"
        head = ["target", "req/s (median)", "per round", "vs direct", "vs nginx", "p50 ms", "p99 ms", "p99.9 ms"]
        if fixed:
            head += ["Δp50 vs direct", "Δp99 vs direct"]
        head += ["proxy CPU µs/req", "origin CPU µs/req", "errors"]
        w("| " + " | ".join(head) + " |")
        w("|" + "|".join(["---"] + ["---:"] * (len(head) - 2) + ["---"]) + "|")

        def per_round(target):
            d = {}
            for r in by.get((sc, target), []):
                if "wrk" in r:
                    d[r["round"]] = r
            return d

        base = {t: per_round(t) for t in targets}
        for t in targets:
            rounds = base[t]
            failed = [r for r in by.get((sc, t), []) if "failed" in r]
            if not rounds and not failed:
                continue
            rps = {k: r["wrk"]["requests"] / (r["wrk"]["duration_us"] / 1e6) for k, r in rounds.items()}

            def ratio_to(other):
                o = base.get(other, {})
                xs = []
                for k, v in rps.items():
                    if k in o:
                        ov = o[k]["wrk"]["requests"] / (o[k]["wrk"]["duration_us"] / 1e6)
                        if ov > 0:
                            xs.append(v / ov)
                return med(xs)

            def delta_to(other, key):
                o = base.get(other, {})
                return med([r["wrk"][key] - o[k]["wrk"][key] for k, r in rounds.items() if k in o])

            def cpu_per_req(key):
                xs = []
                for r in rounds.values():
                    n = r["wrk"]["requests"]
                    if r.get(key) is not None and n:
                        xs.append(r[key] / n * 1e6)
                return med(xs)

            errs = defaultdict(int)
            total_req = 0
            for r in rounds.values():
                total_req += r["wrk"]["requests"]
                for k, v in r["wrk"]["errors"].items():
                    errs[k] += v
            n_err = sum(errs.values())
            if failed:
                err_cell = f"⚠ {len(failed)} run(s) failed: {failed[0]['failed']}"
                flagged.append(f"{sc}/{t}: {len(failed)} run(s) failed ({failed[0]['failed']})")
            elif n_err:
                detail = ", ".join(f"{k} {v}" for k, v in errs.items() if v)
                err_cell = f"⚠ {n_err} ({detail})"
                flagged.append(f"{sc}/{t}: {n_err} errors in {total_req} requests ({detail})")
            else:
                err_cell = "0"
            if warm_err.get((sc, t)):
                flagged.append(f"{sc}/{t}: {warm_err[(sc, t)]} errors during warm-up")
            if fixed and rps and med(list(rps.values())) < 0.95 * meta["rate"]:
                flagged.append(f"{sc}/{t}: achieved {med(list(rps.values())):.0f} req/s < 95% of the target "
                               f"{meta['rate']} req/s (latencies understate the overload)")

            row = [
                f"**{t}**",
                fmt_num(med(list(rps.values()))),
                " / ".join(fmt_k(rps[k]) for k in sorted(rps)),
                "–" if t == "direct" else fmt_ratio(ratio_to("direct")),
                "–" if t in ("direct", "nginx") else fmt_ratio(ratio_to("nginx")),
                fmt_ms(med([r["wrk"]["p50_us"] for r in rounds.values()])),
                fmt_ms(med([r["wrk"]["p99_us"] for r in rounds.values()])),
                fmt_ms(med([r["wrk"]["p999_us"] for r in rounds.values()])),
            ]
            if fixed:
                row += ["–" if t == "direct" else fmt_ms(delta_to("direct", "p50_us")),
                        "–" if t == "direct" else fmt_ms(delta_to("direct", "p99_us"))]
            row += [
                "–" if t == "direct" else fmt_num(cpu_per_req("proxy_cpu_s"), 1),
                fmt_num(cpu_per_req("origin_cpu_s"), 1),
                err_cell,
            ]
            w("| " + " | ".join(row) + " |")
        w("")

    startups = defaultdict(list)
    for r in recs:
        if r["kind"] == "startup":
            startups[r["target"]].append(r["ready_ms"])
    if startups:
        w("Start to ready (first-5s rounds; salve: until `/ready` answers 200, the others: until the port accepts), ms:")
        w("")
        for t in targets:
            if t in startups:
                w(f"- **{t}**: median {fmt_num(med(startups[t]))} ({' / '.join(str(x) for x in startups[t])})")
        w("")

    rss = defaultdict(dict)
    idle = {}
    notes = []
    for r in recs:
        if r["kind"] == "rss":
            rss[r["target"]][r["when"]] = r["kib"]
        elif r["kind"] == "idle":
            idle[r["target"]] = r
        elif r["kind"] == "note":
            notes.append(r)
            if r.get("flag"):
                flagged.append(f"{r['target']}: {r['text']}")

    if rss or idle:
        n_idle = meta.get("idle_conns")
        w(f"### memory — RSS (VmRSS, summed over the target's processes) and {n_idle} idle keep-alive connections")
        w("")
        w("For `direct` the numbers are the origin nginx's own. Idle: each connection sent one `GET /`, "
          "got its answer and stays open; KiB/conn = (RSS with them open − RSS just before) / opened, "
          "both read once settled (at least 8 s, until three readings a second apart lie within 256 KiB). "
          "RSS idle: 1 s after the first requests, and once settled the same way.")
        w("")
        w("| target | RSS idle (before load) | RSS idle, settled | RSS after load | RSS before idle conns | RSS with idle conns | KiB/conn | opened / still open | errors |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for t in targets:
            if t not in rss and t not in idle:
                continue
            i = idle.get(t, {})
            ierr = i.get("errors") or {}
            if i and (i.get("failed") or ierr or i.get("still_open", 0) != i.get("opened", 0)):
                cell = "⚠ " + (", ".join(f"{k} {v}" for k, v in ierr.items()) or "connections dropped")
                flagged.append(f"idle/{t}: {i.get('failed')} of {i.get('count')} connections failed, "
                               f"{i.get('opened', 0) - i.get('still_open', 0)} closed while idle {ierr or ''}")
            else:
                cell = "0" if i else "–"
            w("| " + " | ".join([
                f"**{t}**",
                fmt_kib(rss[t].get("idle")),
                fmt_kib(rss[t].get("idle_settled")),
                fmt_kib(rss[t].get("after_load")),
                fmt_kib(i.get("rss_before_kib")),
                fmt_kib(i.get("rss_after_kib")),
                fmt_num(i.get("kib_per_conn"), 1),
                f"{i['opened']} / {i.get('still_open', '?')}" if i else "–",
                cell,
            ]) + " |")
        w("")

    for r in notes:
        if not r.get("flag"):
            w(f"- note ({r['target']}): {r['text']}")
    if flagged:
        w("**Flagged:**")
        w("")
        for f in flagged:
            w(f"- ⚠ {f}")
    else:
        w("No errors flagged.")
    w("")
    print("\n".join(lines))
    return 3 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
