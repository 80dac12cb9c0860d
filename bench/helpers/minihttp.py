"""A tiny blocking HTTP/1.1 client for the benchmark's checks (not for load)."""
import socket


class HttpError(Exception):
    pass


def read_response(f) -> tuple[int, dict, bytes]:
    """Read one response from a buffered binary socket file. Returns (status, headers, body)."""
    line = f.readline(65536)
    if not line:
        raise HttpError("connection closed before the status line")
    parts = line.decode("latin-1").split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise HttpError(f"bad status line {line!r}")
    status = int(parts[1])
    headers: dict[str, str] = {}
    while True:
        h = f.readline(65536)
        if not h:
            raise HttpError("connection closed in the headers")
        if h in (b"\r\n", b"\n"):
            break
        k, _, v = h.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()
    body = b""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(f.readline(1024).split(b";")[0].strip(), 16)
            if size == 0:
                while f.readline(65536) not in (b"\r\n", b"\n", b""):
                    pass
                break
            chunks.append(f.read(size))
            f.readline(16)
        body = b"".join(chunks)
    elif "content-length" in headers:
        n = int(headers["content-length"])
        body = f.read(n)
        if len(body) != n:
            raise HttpError("connection closed in the body")
    elif status in (204, 304) or 100 <= status < 200:
        body = b""
    else:
        body = f.read()
    return status, headers, body


def request(sock: socket.socket, f, method: str, path: str, body: bytes = b"",
            headers: dict | None = None) -> tuple[int, dict, bytes]:
    hs = {"Host": "127.0.0.1"}
    if headers:
        hs.update(headers)
    if body or method in ("POST", "PUT"):
        hs["Content-Length"] = str(len(body))
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hs.items()) + "\r\n"
    sock.sendall(head.encode("latin-1") + body)
    return read_response(f)
