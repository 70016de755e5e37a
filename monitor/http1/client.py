"""The client: kept-alive connections pooled per origin, each opened through the private-network guard, at
most ``max_connections`` open, idle ones closed after ``keepalive`` seconds; a GET sent again once when a
kept-alive connection turns out to have been closed by the server."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from dataclasses import dataclass

from monitor.guard import Guard, checked_addresses
from monitor.http1.connection import Reply, SinkFor, _Connection
from monitor.http1.errors import ConnectFailed, InvalidRequest, _Stale
from monitor.http1.target import Origin, Target

#: Idle connections are closed after this many seconds (as httpx's default).
KEEPALIVE = 5.0


@dataclass(frozen=True)
class Timeouts:
    """Seconds to connect (resolution, TCP and TLS), and at most between two bytes of a response."""

    connect: float = 10.0
    read: float = 30.0


class Client:
    """Kept-alive HTTP/1.1 connections, opened through ``guard``; GET only. Close with :meth:`aclose`."""

    def __init__(self, guard: Guard, *, timeouts: Timeouts = Timeouts(), max_connections: int = 64,
                 keepalive: float = KEEPALIVE, headers: Mapping[str, str] | None = None,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.guard = guard
        self.timeouts = timeouts
        self.keepalive = keepalive
        self.headers = dict(headers or {})
        self._ssl = ssl_context
        self._slots = asyncio.Semaphore(max_connections)
        self.max_connections = max_connections
        self._idle: dict[Origin, list[_Connection]] = {}
        self._open = 0
        self._closed = False
        #: Connections opened so far (for tests and the fetch benchmark).
        self.opened = 0

    async def get(self, url: str, headers: Mapping[str, str] | None, sink_for: SinkFor) -> Reply:
        """GET ``url`` with the client's headers and ``headers``; the body goes to ``sink_for``'s sink."""
        target = Target.of(url)
        if target.origin[0] not in ("http", "https"):
            raise InvalidRequest(f"unsupported URL scheme {target.origin[0]!r}")
        request = target.request({**self.headers, **(headers or {})})
        async with self._slots:
            for attempt in range(2):
                conn, reused = await self._acquire(target.origin)
                try:
                    reply = await conn.exchange(request, sink_for, reused)
                except _Stale:
                    self._drop(conn)
                    if attempt == 0:
                        continue
                    raise
                except BaseException:
                    self._drop(conn)
                    raise
                self._release(target.origin, conn)
                return reply
        raise AssertionError("unreachable")

    async def _acquire(self, origin: Origin) -> tuple[_Connection, bool]:
        idle = self._idle.get(origin)
        now = asyncio.get_running_loop().time()
        while idle:
            conn = idle.pop()
            if conn.usable() and now - conn.idle_since < self.keepalive:
                return conn, True
            self._drop(conn)
        if self._open >= self.max_connections:
            self._close_oldest_idle()
        conn = await self._connect(origin)
        self._open += 1
        self.opened += 1
        return conn, False

    def _release(self, origin: Origin, conn: _Connection) -> None:
        if conn.usable() and not self._closed:  # a request that ends after aclose() does not keep its connection
            self._idle.setdefault(origin, []).append(conn)
        else:
            self._drop(conn)

    def _drop(self, conn: _Connection) -> None:
        """Close a connection this client counted as open."""
        conn.close()
        self._open -= 1

    def _close_oldest_idle(self) -> None:
        candidates = [(c.idle_since, origin, c) for origin, conns in self._idle.items() for c in conns]
        if candidates:
            _, origin, conn = min(candidates, key=lambda t: t[0])
            self._idle[origin].remove(conn)
            self._drop(conn)

    async def _connect(self, origin: Origin) -> _Connection:
        scheme, host, port = origin
        loop = asyncio.get_running_loop()
        addresses = await checked_addresses(self.guard, host, port, self.timeouts.connect)
        tls = self._tls() if scheme == "https" else None
        last: Exception | None = None
        for address in addresses:
            try:
                async with asyncio.timeout(self.timeouts.connect):
                    _, conn = await loop.create_connection(
                        lambda: _Connection(loop, self.timeouts.read), address, port, ssl=tls,
                        server_hostname=host if tls else None,
                        ssl_handshake_timeout=self.timeouts.connect if tls else None)
                return conn
            except TimeoutError:
                last = TimeoutError(f"timed out after {self.timeouts.connect:g} s")
            except OSError as exc:
                last = exc
        raise ConnectFailed(f"connection failed: {last}")

    def _tls(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = _default_tls()
        return self._ssl

    async def aclose(self) -> None:
        self._closed = True
        for conns in self._idle.values():
            for conn in conns:
                conn.close()
        self._idle.clear()
        self._open = 0


def _default_tls() -> ssl.SSLContext:
    """Certificates checked against certifi's bundle (a declared dependency), as httpx does."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())
