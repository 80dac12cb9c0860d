#!/usr/bin/env python3
"""Print N distinct free TCP ports on 127.0.0.1, chosen below the ephemeral port range
(so that client sockets of the benchmark cannot take them between choosing and binding)."""
import random
import socket
import sys


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    low = 32768
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except OSError:
        pass
    hi = max(low - 1, 20001)
    candidates = list(range(20000, hi))
    random.shuffle(candidates)
    held, ports = [], []
    for port in candidates:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            s.close()
            continue
        held.append(s)
        ports.append(port)
        if len(ports) == n:
            break
    for s in held:
        s.close()
    if len(ports) < n:
        print("not enough free ports", file=sys.stderr)
        return 1
    print(" ".join(map(str, ports)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
