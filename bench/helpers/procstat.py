#!/usr/bin/env python3
"""Resource use of a process group (all processes whose pgrp is PGID, e.g. nginx master +
worker, or one JVM).

  procstat.py rss PGID   -> summed VmRSS in KiB
  procstat.py settled-rss PGID -> summed VmRSS in KiB once it has settled (see settled_rss)
  procstat.py cpu PGID   -> summed utime+stime in seconds (all threads; from /proc/PID/stat)
  procstat.py pids PGID  -> the pids
"""
import os
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def group_pids(pgid: int) -> list[int]:
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        # fields[0] is state (field 3), fields[2] is pgrp (field 5)
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(name))
    return sorted(pids)


def rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def group_rss(pgid: int) -> int:
    return sum(rss_kib(p) for p in group_pids(pgid))


def settled_rss(pgid: int, at_least: float = 8.0, at_most: float = 20.0, band_kib: int = 256) -> int:
    """The group's RSS once it stops moving: read every second, for at least AT_LEAST seconds, until
    the last three readings lie within BAND_KIB of each other (at most AT_MOST seconds).

    A JVM's RSS moves for seconds after load stops: the JIT's compiler arenas are pooled for up to
    5 s before being freed, and the native heap trimmer hands freed memory back every 2 s. A reading
    taken in that window measures the JIT's timing, not the process; a settled one is what a node's
    metrics show for an idle pod."""
    t0 = time.monotonic()
    readings = []
    while True:
        readings.append(group_rss(pgid))
        last = readings[-3:]
        waited = time.monotonic() - t0
        if waited >= at_most or (waited >= at_least and len(last) == 3 and max(last) - min(last) <= band_kib):
            return readings[-1]
        time.sleep(1.0)


def cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2:].split()
    # utime is field 14, stime field 15 (1-based); fields[] starts at field 3
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    what, pgid = sys.argv[1], int(sys.argv[2])
    pids = group_pids(pgid)
    if what == "rss":
        print(sum(rss_kib(p) for p in pids))
    elif what == "settled-rss":
        print(settled_rss(pgid))
    elif what == "cpu":
        print(f"{sum(cpu_seconds(p) for p in pids):.2f}")
    elif what == "pids":
        print(" ".join(map(str, pids)))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0 if pids else 1


if __name__ == "__main__":
    sys.exit(main())
