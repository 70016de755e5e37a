"""The fetcher's pooled connections (``monitor.guard._CheapStream`` answers the pool's "readable?"): a kept-alive
connection is reused, and one the server closed while idle is noticed and replaced, not used and failed."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import pytest

from monitor.fetch import Fetcher


class RawServer:
    """HTTP/1.1 on 127.0.0.1, by hand: answers every request on a connection; with ``close_idle`` it closes
    each connection right after its first answer, without saying so (no ``Connection: close``)."""

    def __init__(self, close_idle: bool) -> None:
        self.close_idle = close_idle
        self.connections = 0
        self.closed = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/page"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            buffer = b""
            while True:
                while b"\r\n\r\n" not in buffer:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    buffer += chunk
                _, buffer = buffer.split(b"\r\n\r\n", 1)
                body = b"<html><body><p>fine</p></body></html>"
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\n\r\n" + body)
                if self.close_idle:
                    conn.shutdown(socket.SHUT_RDWR)
                    self.closed.set()
                    return

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(params=[False, True], ids=["kept-alive", "closed-while-idle"])
def server(request: pytest.FixtureRequest) -> Iterator[RawServer]:
    s = RawServer(close_idle=request.param)
    yield s
    s.close()


def test_pooled_connections_are_reused_or_replaced(server: RawServer) -> None:
    async def main() -> list[bytes]:
        bodies = []
        async with Fetcher(allow_private=True) as fetcher:
            for _ in range(3):
                bodies.append((await fetcher.get(server.url)).body)
                if server.close_idle:
                    # the server has closed this connection before the next request is made
                    await asyncio.to_thread(server.closed.wait, 5)
                    await asyncio.sleep(0.05)
                    server.closed.clear()
        return bodies

    bodies = asyncio.run(main())
    assert bodies == [b"<html><body><p>fine</p></body></html>"] * 3
    # kept alive: one connection for all three; closed while idle: each close seen, a new connection each time
    assert server.connections == (3 if server.close_idle else 1)
