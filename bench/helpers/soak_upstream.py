#!/usr/bin/env python3
"""A small HTTP/1.1 upstream for bench/soak.sh, with injected connection resets.

  GET  any path   -> 200, a short body naming this endpoint, keep-alive
  POST any path   -> reads the whole body (Content-Length or chunked), appends the request's
                     X-Request-Id (or, without it, the body's first line) to the delivery log,
                     then 200 "ok"

With probability --reset-rate a request is answered by an abrupt close (SO_LINGER 0: the kernel
sends RST), half of them right after the headers (the request was not processed, the POST body
not read or logged) and half after processing it (a POST is logged as delivered, then reset
before any response byte). A proxy must not retry the second kind of POST (RFC 9110 §9.2.2):
soak.sh counts any token delivered twice.

The delivery log is written with one os.write per line on an O_APPEND file, so a SIGKILL loses
nothing that was logged, and a restarted instance appends to the same file.
"""
import argparse
import asyncio
import os
import random
import signal
import socket
import struct
import sys

MAX_BODY = 8 << 20


class Closed(Exception):
    pass


async def read_body(reader: asyncio.StreamReader, headers: dict) -> bytes:
    if headers.get("transfer-encoding", "").lower().endswith("chunked"):
        parts = []
        while True:
            line = await reader.readline()
            if not line:
                raise Closed()
            size = int(line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            parts.append(await reader.readexactly(size))
            await reader.readline()
    n = int(headers.get("content-length", "0") or 0)
    if n > MAX_BODY:
        raise Closed()
    return await reader.readexactly(n) if n else b""


def reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    writer.transport.abort()


class Upstream:
    def __init__(self, a):
        self.a = a
        self.name = f"u{a.port}"
        self.log_fd = os.open(a.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.rng = random.Random()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                parts = line.decode("latin-1").split()
                if len(parts) != 3:
                    break
                method = parts[0]
                headers: dict[str, str] = {}
                while True:
                    h = await reader.readline()
                    if not h:
                        raise Closed()
                    if h in (b"\r\n", b"\n"):
                        break
                    k, _, v = h.decode("latin-1").partition(":")
                    headers[k.strip().lower()] = v.strip()
                inject = self.rng.random() < self.a.reset_rate
                if inject and self.rng.random() < 0.5:
                    reset(writer)  # before processing: nothing was delivered
                    return
                body = await read_body(reader, headers)
                if method == "POST":
                    token = headers.get("x-request-id") or body.split(b"\n", 1)[0].decode("latin-1")
                    os.write(self.log_fd, f"{token} {self.name}\n".encode("latin-1"))
                if inject:
                    reset(writer)  # after processing: a POST is delivered but gets no answer
                    return
                payload = b"ok\n" if method == "POST" else f"hello from {self.name}\n".encode()
                close = headers.get("connection", "").lower() == "close"
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                    + f"Content-Length: {len(payload)}\r\nX-Upstream: {self.name}\r\n".encode()
                    + (b"Connection: close\r\n" if close else b"")
                    + b"\r\n" + payload)
                await writer.drain()
                if close:
                    break
        except (Closed, ConnectionError, asyncio.IncompleteReadError, ValueError, OSError):
            pass
        finally:
            if not writer.transport.is_closing():
                writer.close()

    async def serve(self) -> None:
        server = await asyncio.start_server(self.handle, "127.0.0.1", self.a.port, backlog=1024,
                                            reuse_address=True)
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        async with server:
            try:
                await asyncio.wait_for(stop.wait(), self.a.max_seconds)
            except asyncio.TimeoutError:
                pass


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True, help="append delivered POST tokens here")
    ap.add_argument("--reset-rate", type=float, default=0.02)
    ap.add_argument("--max-seconds", type=float, default=600, help="exit by itself after this long")
    a = ap.parse_args()
    asyncio.run(Upstream(a).serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
