"""One connection as an :class:`asyncio.Protocol`: it sends a request and parses the response as its bytes
arrive — status line and headers (within :data:`MAX_HEAD_BYTES` and :data:`MAX_HEADERS`), then a
``Content-Length``, chunked or read-until-close body, each piece handed at once to the caller's sink — waking
the waiting request twice per response (head, then end of body), and says whether it may be reused."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from monitor.http1.errors import HttpError, ProtocolError, ReadTimeout, _Closed, _Stale

#: The most a response's status line and headers may take (as httpcore allowed h11).
MAX_HEAD_BYTES = 100 * 1024
#: The most header lines one response may have.
MAX_HEADERS = 200
#: The longest chunk-size line (size, extensions) accepted in a chunked body.
MAX_CHUNK_LINE = 1024


class BodySink(Protocol):
    """Where a response body goes as it arrives (:class:`monitor.decoding.BoundedBody` is one)."""

    def feed(self, raw: bytes) -> None: ...

    def finish(self) -> bytes: ...


#: Given the status and headers, the sink the body is read into, or None not to read it (the connection is
#: then closed, unless the response has no body).
SinkFor = Callable[[int, dict[str, str]], BodySink | None]

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
                piece = _take(self.buf, self.remaining)
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
                piece = _take(self.buf, self.remaining)
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


def _take(buf: bytearray, n: int) -> bytes:
    """The first ``n`` bytes of ``buf`` (all of them when it is shorter), removed from it, copied once (``bytes``
    of a bytearray's slice copies a page's body twice)."""
    if n >= len(buf):
        piece = bytes(buf)
        buf.clear()
        return piece
    with memoryview(buf) as view:
        piece = bytes(view[:n])
    del buf[:n]
    return piece
