"""Pooled connections: the fetcher's (``monitor.http1``) and the webhook sink's (httpx through
``monitor.httppool.ReservingPool``): a kept-alive connection is reused, and one the server closed while idle is
noticed and replaced, not used and failed."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import pytest

from monitor.fetch import Fetcher
from tests.rawhttp import Wire


class RawServer:
    """HTTP/1.1 on 127.0.0.1 (:class:`tests.rawhttp.Wire`): answers every request on a connection; with
    ``close_idle`` it closes each connection right after its first answer, without saying so (no
    ``Connection: close``)."""

    def __init__(self, close_idle: bool) -> None:
        self.close_idle = close_idle
        self.closed = threading.Event()
        self.wire = Wire(self._serve)
        self.url = f"{self.wire.base}/page"

    @property
    def connections(self) -> int:
        return self.wire.connections

    def _serve(self, conn: socket.socket, wire: Wire) -> None:
        while wire.request(conn) is not None:
            body = b"<html><body><p>fine</p></body></html>"
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\n\r\n" + body)
            if self.close_idle:
                conn.shutdown(socket.SHUT_RDWR)
                self.closed.set()
                return

    def close(self) -> None:
        self.wire.close()


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


@pytest.mark.parametrize("in_flight", [2, 8])
def test_requests_together_each_get_a_connection_and_idle_ones_are_reused(server: RawServer, in_flight: int) -> None:
    """The fetcher (``monitor.http1``): requests that arrive together each open or take their own connection,
    and later rounds reuse the idle ones (or, closed while idle, replace them)."""

    async def main() -> list[bytes]:
        async with Fetcher(allow_private=True, per_host=in_flight) as fetcher:
            bodies = []
            for _ in range(4):  # rounds: the later ones find idle (or, closed-while-idle, dead) connections
                bodies += [r.body for r in await asyncio.gather(*(fetcher.get(server.url) for _ in range(in_flight)))]
                if server.close_idle:
                    await asyncio.sleep(0.1)
            return bodies

    bodies = asyncio.run(main())
    assert bodies == [b"<html><body><p>fine</p></body></html>"] * (4 * in_flight)
    if not server.close_idle:
        assert server.connections <= in_flight
    else:
        assert server.connections == 4 * in_flight


@pytest.mark.parametrize("in_flight", [2, 8])
def test_the_webhook_pool_hands_each_idle_connection_to_one_request(server: RawServer, in_flight: int,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Sinks that POST still go through httpx with ``monitor.httppool.ReservingPool``: requests that arrive
    together are each handed their own connection; none is handed one another request already holds and sent
    round the pool again (httpcore's ``clear_connection``)."""
    import httpx
    from httpcore._async.connection_pool import AsyncPoolRequest

    from monitor.guard import guarded_transport

    sent_back = []
    clear = AsyncPoolRequest.clear_connection

    def counting(self: AsyncPoolRequest) -> None:
        sent_back.append(self.request.url)
        clear(self)

    monkeypatch.setattr(AsyncPoolRequest, "clear_connection", counting)

    async def main() -> list[bytes]:
        async with httpx.AsyncClient(transport=guarded_transport(True, max_connections=in_flight)) as client:
            bodies = []
            for _ in range(4):
                bodies += [r.content for r in await asyncio.gather(*(client.get(server.url) for _ in range(in_flight)))]
                if server.close_idle:
                    await asyncio.sleep(0.1)
            return bodies

    bodies = asyncio.run(main())
    assert bodies == [b"<html><body><p>fine</p></body></html>"] * (4 * in_flight)
    assert sent_back == []
    if not server.close_idle:
        assert server.connections <= in_flight
