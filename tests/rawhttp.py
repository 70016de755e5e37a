"""A raw HTTP server for tests: each test's ``serve(conn, wire)`` writes exactly the bytes that go on the wire."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable

Serve = Callable[[socket.socket, "Wire"], None]


class Wire:
    """A server on 127.0.0.1 that runs ``serve(conn, wire)`` for each connection it accepts."""

    def __init__(self, serve: Serve, tls: ssl.SSLContext | None = None) -> None:
        self.serve = serve
        self.tls = tls
        self.connections = 0
        self.requests: list[bytes] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        scheme = "https" if tls else "http"
        self.base = f"{scheme}://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            with conn:
                self.serve(conn, self)
        except OSError:
            pass

    def request(self, conn: socket.socket) -> bytes | None:
        """The next request's head from ``conn`` (None when the client closed it)."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return None
            data += chunk
        self.requests.append(data)
        return data

    def close(self) -> None:
        self.sock.close()
