#!/usr/bin/env python3
"""Small JSON chores of run.sh and soak.sh (so that the shell scripts hold no inline Python).

  util.py sub A B                    -> B - A, rounded to 2 decimals
  util.py wrk-summary JSON           -> one human line of a BENCH_JSON record
  util.py tag KIND TARGET JSON       -> JSON with "kind" and "target" added
  util.py note TARGET FLAG TEXT      -> {"kind": "note", ...}; FLAG is true or false
"""
import json
import sys


def main() -> int:
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "sub":
        print(round(float(args[1]) - float(args[0]), 2))
    elif cmd == "wrk-summary":
        j = json.loads(args[0])
        rps = j["requests"] / (j["duration_us"] / 1e6)
        errors = sum(j["errors"].values())
        print(f"{rps:,.0f} req/s  p50 {j['p50_us'] / 1000:.3f} ms  p99 {j['p99_us'] / 1000:.3f} ms  "
              f"p99.9 {j['p999_us'] / 1000:.3f} ms  errors {errors}")
    elif cmd == "tag":
        j = json.loads(args[2])
        j.update(kind=args[0], target=args[1])
        print(json.dumps(j))
    elif cmd == "note":
        print(json.dumps({"kind": "note", "target": args[0], "flag": args[1] == "true", "text": args[2]}))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
