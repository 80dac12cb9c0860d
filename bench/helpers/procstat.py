#!/usr/bin/env python3
"""Resource use of a process group (all processes whose pgrp is PGID, e.g. nginx master +
worker, or one JVM).

  procstat.py rss PGID   -> summed VmRSS in KiB
  procstat.py cpu PGID   -> summed utime+stime in seconds (all threads; from /proc/PID/stat)
  procstat.py pids PGID  -> the pids
"""
import os
import sys

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
