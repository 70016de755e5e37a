"""A lean HTTP/1.1 client for the fetcher's GETs: one request at a time per connection, kept-alive connections
pooled per origin, every connection opened through the private-network guard.

Why not httpx here: per page, httpx's request and response objects, httpcore's pool, h11's event parser and
anyio's cancel scopes cost about 1 ms of the daemon's CPU — more than everything else it does per article.
This module does only what the fetcher needs, on an :class:`asyncio.Protocol`: the response is parsed as its
bytes arrive (status line and headers, then a ``Content-Length``, chunked or read-until-close body), each
body piece handed at once to the caller's sink (:class:`monitor.decoding.BoundedBody`, which caps and decodes
it), and the waiting request is woken twice per response (head, then end of body), not once per read.

What it guarantees:

- each connection is opened by :func:`monitor.guard.checked_addresses`: the host is resolved, every address
  checked, and the connection made to a checked address; a kept-alive connection is reused only for the
  origin (scheme, host, port) it was opened and checked for;
- a connect timeout, and a read timeout (no byte for ``read`` seconds while a response is awaited); the total
  deadline of a fetch is the caller's (:class:`monitor.fetch.Fetcher` wraps each fetch in one);
- response heads over :data:`MAX_HEAD_BYTES` or :data:`MAX_HEADERS` lines, bad status lines, bad chunk sizes
  and conflicting ``Content-Length`` values are refused (:class:`ProtocolError`); a server closing mid-body is
  an error, never a short body;
- at most ``max_connections`` open connections (idle ones closed, oldest first, to make room), idle ones kept
  for ``keepalive`` seconds; a request on a kept-alive connection that the server had closed meanwhile
  (nothing of the response received) is sent again once on a new connection — GETs only, so safe;
- a connection is reused only when its response was read to its end and the server did not ask to close; a
  request abandoned half-way (deadline, cap, error) closes its connection.
"""

from __future__ import annotations

import asyncio
import base64
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote, unquote, urlsplit

from monitor.guard import Guard, checked_addresses

#: The most a response's status line and headers may take (as httpcore allowed h11).
MAX_HEAD_BYTES = 100 * 1024
#: The most header lines one response may have.
MAX_HEADERS = 200
#: The longest chunk-size line (size, extensions) accepted in a chunked body.
MAX_CHUNK_LINE = 1024
#: Idle connections are closed after this many seconds (as httpx's default).
KEEPALIVE = 5.0


class HttpError(Exception):
    """A request that failed on the network or on the protocol; the message says what happened."""


class ConnectFailed(HttpError):
    """No connection could be made (resolution, refused, unreachable, TLS handshake)."""


class ReadTimeout(HttpError):
    """No byte arrived for the read timeout while a response was awaited."""


class ProtocolError(HttpError):
    """The server's answer is not HTTP/1.1 as this client accepts it."""


class InvalidRequest(HttpError):
    """The URL or a header cannot be sent (bad host or port, a line break in a header value)."""


class _Stale(HttpError):
    """A kept-alive connection the server had closed before any of the response arrived."""


@dataclass(frozen=True)
class Timeouts:
    """Seconds to connect (resolution, TCP and TLS), and at most between two bytes of a response."""

    connect: float = 10.0
    read: float = 30.0


class BodySink(Protocol):
    """Where a response body goes as it arrives (:class:`monitor.decoding.BoundedBody` is one)."""

    def feed(self, raw: bytes) -> None: ...

    def finish(self) -> bytes: ...


#: Given the status and headers, the sink the body is read into, or None not to read it (the connection is
#: then closed, unless the response has no body).
SinkFor = Callable[[int, dict[str, str]], BodySink | None]

Origin = tuple[str, str, int]

_HEAD, _HEAD_READY, _BODY, _DONE, _FAILED = range(5)
_LENGTH, _CHUNKED, _UNTIL_CLOSE = range(3)
_CHUNK_SIZE, _CHUNK_DATA, _CHUNK_END, _TRAILER = range(4)


@dataclass(frozen=True)
class Reply:
    """A response: its status, its headers (names lower-cased, repeated headers joined with ", ") and the body
    the sink returned (empty when none was read)."""

    status: int
    headers: dict[str, str]
    body: bytes


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection: sends a request, parses the response as it arrives."""

    def __init__(self, loop: asyncio.AbstractEventLoop, read_timeout: float) -> None:
        self.loop = loop
        self.read_timeout = read_timeout
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.closed = False
        self.reusable = False
        self.state = _DONE  # idle: no response expected
        self.error: BaseException | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.last_byte = loop.time()
        self.idle_since = loop.time()
        self.received = 0
        self._scanned = 0
        self.status = 0
        self.headers: dict[str, str] = {}
        self.sink: BodySink | None = None
        self.mode = _UNTIL_CLOSE
        self.remaining = 0
        self.chunk_state = _CHUNK_SIZE
        self.keep_alive = True

    # -- asyncio.Protocol ------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.last_byte = self.loop.time()
        self.received += len(data)
        if self.state in (_DONE, _FAILED):  # bytes nobody asked for: this connection is not reused
            self.reusable = False
            self.close()
            return
        if self.state == _BODY and self.mode == _LENGTH and not self.buf and len(data) <= self.remaining:
            self._feed(data)  # the common case, without copying through the buffer
            self.remaining -= len(data)
            if self.remaining == 0:
                self._finish_body()
            return
        self.buf += data
        self._advance()

    def eof_received(self) -> bool | None:
        self._lost()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost()

    def _lost(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.state in (_HEAD, _BODY):
            self._advance()

    # -- the request's side ----------------------------------------------------------------------------

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def usable(self) -> bool:
        """An idle connection that can take a request: open, nothing unexpected received."""
        return not self.closed and self.state == _DONE and self.reusable and self.transport is not None \
            and not self.transport.is_closing()

    async def exchange(self, request: bytes, sink_for: SinkFor, reused: bool) -> Reply:
        """Send ``request`` and read its response (see :data:`SinkFor`)."""
        assert self.transport is not None
        self.buf.clear()
        self._scanned = 0
        self.received = 0
        self.reusable = False
        self.error = None
        self.state = _HEAD
        self.last_byte = self.loop.time()
        self.transport.write(request)
        await self._wait(reused)
        sink = sink_for(self.status, self.headers)
        if sink is None:
            if self.mode == _LENGTH and self.remaining == 0:
                self._finish_body()
            else:
                self.close()
            return Reply(self.status, self.headers, b"")
        self.sink = sink
        self.state = _BODY
        self._advance()
        await self._wait(False)
        body = sink.finish()
        self.sink = None
        return Reply(self.status, self.headers, body)

    async def _wait(self, reused: bool) -> None:
        """Until the parser reaches the next stop (head read, body read) or fails; read timeout enforced."""
        if self.state in (_HEAD, _BODY):
            self.waiter = self.loop.create_future()
            timer = self.loop.call_at(self.last_byte + self.read_timeout, self._watch)
            try:
                await self.waiter
            finally:
                timer.cancel()
                self.waiter = None
        if self.state == _FAILED:
            error = self.error
            if reused and isinstance(error, _Closed) and self.received == 0:
                raise _Stale(str(error))
            assert error is not None
            raise error if not isinstance(error, _Closed) else ProtocolError(str(error))

    def _watch(self) -> None:
        if self.waiter is None or self.waiter.done():
            return
        due = self.last_byte + self.read_timeout
        if self.loop.time() >= due:
            self._fail(ReadTimeout(f"no data for {self.read_timeout:g} s (read timeout)"))
        else:
            timer = self.loop.call_at(due, self._watch)
            self.waiter.add_done_callback(lambda _: timer.cancel())

    # -- the parser ------------------------------------------------------------------------------------

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def _fail(self, error: BaseException) -> None:
        self.error = error
        self.state = _FAILED
        self.reusable = False
        self.close()
        self._wake()

    def _feed(self, data: bytes) -> None:
        assert self.sink is not None
        try:
            self.sink.feed(data)
        except Exception as exc:  # the cap or the decoder refused it: handed to the request
            self._fail(exc)

    def _finish_body(self) -> None:
        if self.state == _FAILED:
            return
        self.state = _DONE
        self.reusable = self.keep_alive and not self.closed and not self.buf
        self.idle_since = self.loop.time()
        self._wake()

    def _advance(self) -> None:
        try:
            if self.state == _HEAD:
                self._read_head()
            if self.state == _BODY:
                self._read_body()
        except HttpError as exc:
            self._fail(exc)

    def _read_head(self) -> None:
        while True:
            end = self.buf.find(b"\r\n\r\n", max(0, self._scanned - 3))
            if end < 0:
                self._scanned = len(self.buf)
                if len(self.buf) > MAX_HEAD_BYTES:
                    raise ProtocolError(f"response headers over {MAX_HEAD_BYTES} bytes")
                if self.closed:
                    raise _Closed("the server closed the connection without answering" if not self.buf
                                  else "the server closed the connection in the middle of the headers")
                return
            if end > MAX_HEAD_BYTES:
                raise ProtocolError(f"response headers over {MAX_HEAD_BYTES} bytes")
            head = bytes(self.buf[:end])
            del self.buf[:end + 4]
            self._scanned = 0
            status, headers, version = _parse_head(head)
            if 100 <= status < 200 and status != 101:
                continue  # an interim response (100 Continue): the real one follows
            self._frame(status, headers, version)
            self.state = _HEAD_READY
            self._wake()
            return

    def _frame(self, status: int, headers: dict[str, str], version: str) -> None:
        """How the body ends, and whether the connection may be reused after it."""
        self.status, self.headers = status, headers
        connection = headers.get("connection", "").lower()
        self.keep_alive = "close" not in connection and (version == "HTTP/1.1" or "keep-alive" in connection)
        self.chunk_state = _CHUNK_SIZE
        if status in (204, 304) or status < 200:
            self.mode, self.remaining = _LENGTH, 0
        elif "transfer-encoding" in headers:
            codings = [c.strip().lower() for c in headers["transfer-encoding"].split(",")]
            if codings[-1] == "chunked":
                self.mode = _CHUNKED
            else:
                self.mode, self.keep_alive = _UNTIL_CLOSE, False
            if "content-length" in headers:
                self.keep_alive = False  # both framings: the request could be smuggled; never reused
        elif "content-length" in headers:
            values = {v.strip() for v in headers["content-length"].split(",")}
            value = values.pop() if len(values) == 1 else ""
            if not value.isdigit():
                raise ProtocolError(f"bad Content-Length {headers['content-length'][:40]!r}")
            self.mode, self.remaining = _LENGTH, int(value)
        else:
            self.mode, self.keep_alive = _UNTIL_CLOSE, False

    def _read_body(self) -> None:
        if self.mode == _LENGTH:
            if self.buf and self.remaining:
                piece = bytes(self.buf[:self.remaining])
                del self.buf[:len(piece)]
                self.remaining -= len(piece)
                self._feed(piece)
            if self.state == _BODY and self.remaining == 0:
                self._finish_body()
            elif self.state == _BODY and self.closed:
                raise _Closed(f"the server closed the connection in the middle of the body "
                              f"({self.remaining} bytes short)")
        elif self.mode == _UNTIL_CLOSE:
            if self.buf:
                piece = bytes(self.buf)
                self.buf.clear()
                self._feed(piece)
            if self.state == _BODY and self.closed:
                self._finish_body()
        else:
            self._read_chunks()

    def _read_chunks(self) -> None:
        while self.state == _BODY:
            if self.chunk_state == _CHUNK_SIZE:
                line = self._line(MAX_CHUNK_LINE, "chunk size line")
                if line is None:
                    return
                size = line.split(b";", 1)[0].strip()
                if not size or len(size) > 16 or not all(c in b"0123456789abcdefABCDEF" for c in size):
                    raise ProtocolError(f"bad chunk size {line[:40]!r}")
                self.remaining = int(size, 16)
                self.chunk_state = _CHUNK_DATA if self.remaining else _TRAILER
            elif self.chunk_state == _CHUNK_DATA:
                if not self.buf:
                    return self._short_if_closed()
                piece = bytes(self.buf[:self.remaining])
                del self.buf[:len(piece)]
                self.remaining -= len(piece)
                self._feed(piece)
                if self.remaining == 0:
                    self.chunk_state = _CHUNK_END
            elif self.chunk_state == _CHUNK_END:
                if len(self.buf) < 2:
                    return self._short_if_closed()
                if self.buf[:2] != b"\r\n":
                    raise ProtocolError("chunk data not followed by CRLF")
                del self.buf[:2]
                self.chunk_state = _CHUNK_SIZE
            else:
                line = self._line(MAX_HEAD_BYTES, "trailer")
                if line is None:
                    return
                if not line:
                    self._finish_body()

    def _line(self, limit: int, what: str) -> bytes | None:
        end = self.buf.find(b"\r\n")
        if end < 0:
            if len(self.buf) > limit:
                raise ProtocolError(f"{what} over {limit} bytes")
            self._short_if_closed()
            return None
        if end > limit:
            raise ProtocolError(f"{what} over {limit} bytes")
        line = bytes(self.buf[:end])
        del self.buf[:end + 2]
        return line

    def _short_if_closed(self) -> None:
        if self.closed:
            raise _Closed("the server closed the connection in the middle of a chunked body")


class _Closed(HttpError):
    """The server closed the connection before the response was complete."""


def _parse_head(head: bytes) -> tuple[int, dict[str, str], str]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or parts[0] not in ("HTTP/1.1", "HTTP/1.0") or len(parts[1]) != 3 \
            or not parts[1].isdigit():
        raise ProtocolError(f"bad status line {lines[0][:80]!r}")
    if len(lines) > MAX_HEADERS + 1:
        raise ProtocolError(f"more than {MAX_HEADERS} response headers")
    headers: dict[str, str] = {}
    last = ""
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and last:  # obsolete line folding: part of the previous value
            headers[last] += " " + line.strip()
            continue
        name, sep, value = line.partition(":")
        name = name.lower()
        if not sep or not name or name != name.strip():
            raise ProtocolError(f"bad header line {line[:80]!r}")
        value = value.strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
        last = name
    return int(parts[1]), headers, parts[0]


@dataclass(frozen=True)
class Target:
    """What a URL says about where a request goes and what it asks for."""

    origin: Origin
    #: The request line's target: path and query, percent-encoded.
    path: str
    host_header: str
    #: ``Authorization`` from credentials in the URL (``user:password@host``), as httpx sent it.
    authorization: str | None

    @classmethod
    def of(cls, url: str) -> Target:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        try:
            port = parts.port
        except ValueError as exc:
            raise InvalidRequest(f"invalid URL: {exc}") from None
        host = parts.hostname or ""
        if not host:
            raise InvalidRequest("invalid URL: no host")
        try:
            ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
        except UnicodeError as exc:
            raise InvalidRequest(f"invalid URL: bad host name: {exc}") from None
        if any(c in ascii_host for c in " /\\@\r\n\t"):
            raise InvalidRequest(f"invalid URL: bad host {host!r}")
        default = 443 if scheme == "https" else 80
        port = port if port is not None else default
        shown = f"[{ascii_host}]" if ":" in ascii_host else ascii_host
        path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
        if parts.query:
            path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
        auth = None
        if parts.username is not None:
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            auth = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
        return cls((scheme, ascii_host, port), path, shown if port == default else f"{shown}:{port}", auth)

    def request(self, headers: Mapping[str, str]) -> bytes:
        """The request's bytes: ``GET``, ``Host``, then ``headers`` (later names replace earlier ones)."""
        merged = {"host": ("Host", self.host_header)}
        if self.authorization:
            merged["authorization"] = ("Authorization", self.authorization)
        for name, value in headers.items():
            if any(c in name for c in ":\r\n ") or "\r" in value or "\n" in value:
                raise InvalidRequest(f"header {name!r} cannot be sent (line break or bad name)")
            merged[name.lower()] = (name, value)
        lines = [f"GET {self.path} HTTP/1.1"] + [f"{n}: {v}" for n, v in merged.values()]
        try:
            return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        except UnicodeEncodeError as exc:
            raise InvalidRequest(f"a header is not Latin-1: {exc}") from None


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
