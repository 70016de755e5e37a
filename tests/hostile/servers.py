"""Hostile HTTP servers on 127.0.0.1 for tests and the memory script: stacked-gzip bombs, endless bodies and
bodies trickled a byte at a time. Every attack is bounded: it stops when ``release`` is set, when the client
goes away, or after ``limit`` seconds."""

from __future__ import annotations

import gzip
import http.server
import threading
import time
import zlib
from collections.abc import Callable
from functools import cache

from tests.newsroom import start_server

Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


@cache
def gzip_bomb(megabytes: int, layers: int = 2) -> bytes:
    """``megabytes`` MB of zeros gzipped ``layers`` times (1024 MB: about 1.8 KB)."""
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    zero = bytes(1 << 20)
    data = b"".join(c.compress(zero) for _ in range(megabytes)) + c.flush()
    for _ in range(layers - 1):
        data = gzip.compress(data, 9)
    return data


def send_bomb(body: bytes, encoding: str, content_type: str = "text/html") -> Handler:
    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Encoding", encoding)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
    return handle


def send_endless(release: threading.Event, limit: float = 20.0) -> Handler:
    """200 with a body that never ends (64 KB writes, no length) until the client closes."""
    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Connection", "close")
        h.end_headers()
        chunk, until = b"x" * 65536, time.monotonic() + limit
        try:
            while not release.is_set() and time.monotonic() < until:
                h.wfile.write(chunk)
        except OSError:
            pass
    return handle


def send_trickle(release: threading.Event, content_type: str = "text/html", limit: float = 30.0,
                 every: float = 0.2) -> Handler:
    """200 announcing 1 MB, then one byte every ``every`` seconds."""
    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(1 << 20))
        h.end_headers()
        until = time.monotonic() + limit
        try:
            while not release.wait(every) and time.monotonic() < until:
                h.wfile.write(b"<")
                h.wfile.flush()
        except OSError:
            pass
    return handle


class Hostile:
    """A server whose ``routes`` map a path (without query) to a handler; ``open`` counts requests in
    progress."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.open = 0
        routes, lock, outer = self.routes, threading.Lock(), self

        class _H(http.server.BaseHTTPRequestHandler):
            def _any(self) -> None:
                if self.command == "POST":
                    self.rfile.read(int(self.headers.get("Content-Length") or 0))
                handler = routes.get(self.path.split("?")[0])
                if handler is None:
                    self.send_error(404)
                    return
                with lock:
                    outer.open += 1
                try:
                    handler(self)
                finally:
                    with lock:
                        outer.open -= 1

            do_GET = do_POST = _any

            def log_message(self, *args: object) -> None:
                pass

        self.server, self.base = start_server(_H)

    def url(self, path: str) -> str:
        return self.base + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
