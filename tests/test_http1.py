"""The fetcher's HTTP/1.1 client (``monitor.http1``) against servers written by hand on 127.0.0.1: each test's
server says exactly which bytes go on the wire, so framing, keep-alive and broken answers are what they say."""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from monitor.fetch import Fetcher, FetchError, Response
from monitor.http1 import MAX_HEAD_BYTES, Timeouts
from tests.rawhttp import Serve, Wire


@pytest.fixture
def wire() -> Iterator[Callable[..., Wire]]:
    made: list[Wire] = []

    def make(serve: Serve, tls: ssl.SSLContext | None = None) -> Wire:
        made.append(Wire(serve, tls))
        return made[-1]

    yield make
    for w in made:
        w.close()


def get_all(urls: list[str], **kwargs: object) -> list[Response | FetchError]:
    async def go() -> list[Response | FetchError]:
        out: list[Response | FetchError] = []
        async with Fetcher(**{"allow_private": True, **kwargs}) as f:  # type: ignore[arg-type]
            for url in urls:
                try:
                    out.append(await f.get(url))
                except FetchError as exc:
                    out.append(exc)
        return out

    return asyncio.run(go())


def answer(body: bytes, *head: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\n" + b"".join(h + b"\r\n" for h in head) + \
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body


def each_request(reply: bytes) -> Serve:
    def serve(conn: socket.socket, w: Wire) -> None:
        while w.request(conn) is not None:
            conn.sendall(reply)
    return serve


def test_a_chunked_body_with_extensions_and_trailers_is_joined(wire: Callable[..., Wire]) -> None:
    chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n"
               b"5;name=value\r\nhello\r\n1\r\n \r\nA\r\nchunked!!!\r\n0\r\nX-Trailer: yes\r\n\r\n")
    server = wire(each_request(chunked))
    first, second = get_all([server.base + "/a", server.base + "/b"])
    assert isinstance(first, Response) and first.body == b"hello chunked!!!"
    assert isinstance(second, Response) and second.body == b"hello chunked!!!"
    assert server.connections == 1  # read to its end, so kept alive


def test_requests_reuse_a_kept_alive_connection_and_say_what_they_are(wire: Callable[..., Wire]) -> None:
    server = wire(each_request(answer(b"fine", b"Content-Type: text/plain")))
    replies = get_all([f"{server.base}/p{i}?q=a b" for i in range(3)], timeout=Timeouts(read=5))
    assert [r.body for r in replies if isinstance(r, Response)] == [b"fine"] * 3
    assert server.connections == 1
    head = server.requests[0].decode("latin-1")
    assert head.startswith("GET /p0?q=a%20b HTTP/1.1\r\n")
    assert f"Host: {server.base.removeprefix('http://')}\r\n" in head
    assert "User-Agent: media-monitor/" in head and "Accept-Encoding: gzip, deflate" in head


def test_credentials_in_the_url_are_sent_as_basic_auth(wire: Callable[..., Wire]) -> None:
    server = wire(each_request(answer(b"ok")))
    (reply,) = get_all([server.base.replace("//", "//reader:pa%20ss@") + "/feed"])
    assert isinstance(reply, Response)
    assert b"Authorization: Basic cmVhZGVyOnBhIHNz\r\n" in server.requests[0]  # reader:pa ss


def test_a_server_closing_in_the_middle_of_the_body_is_an_error_not_a_short_page(wire: Callable[..., Wire]) -> None:
    def serve(conn: socket.socket, w: Wire) -> None:
        w.request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"x" * 10)

    (err,) = get_all([wire(serve).base + "/cut"])
    assert isinstance(err, FetchError)
    assert "closed the connection in the middle of the body (90 bytes short)" in err.problem


def test_a_server_closing_a_chunked_body_early_is_an_error(wire: Callable[..., Wire]) -> None:
    def serve(conn: socket.socket, w: Wire) -> None:
        w.request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nonly part")

    (err,) = get_all([wire(serve).base + "/cut"])
    assert isinstance(err, FetchError) and "middle of a chunked body" in err.problem


@pytest.mark.parametrize(("reply", "problem"), [
    (b"HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n", "bad status line 'HTTP/1.1 2OO OK'"),
    (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", "bad status line 'SSH-2.0-OpenSSH_9.6'"),
    (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "bad header line 'no colon here'"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", "bad Content-Length '5, 6'"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size b'zz'"),
    (b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (MAX_HEAD_BYTES + 10), f"response headers over {MAX_HEAD_BYTES} bytes"),
    (b"", "the server closed the connection without answering"),
])
def test_broken_answers_are_refused_with_what_was_wrong(wire: Callable[..., Wire], reply: bytes, problem: str) -> None:
    def serve(conn: socket.socket, w: Wire) -> None:
        w.request(conn)
        conn.sendall(reply)

    (err,) = get_all([wire(serve).base + "/x"])
    assert isinstance(err, FetchError) and problem in err.problem, err


def test_a_kept_alive_connection_the_server_dropped_is_replaced_once(wire: Callable[..., Wire]) -> None:
    """The server answers the first request, then drops the connection when the second one arrives on it
    (as a server whose keep-alive ran out at that moment): the request is sent again on a new connection."""
    def serve(conn: socket.socket, w: Wire) -> None:
        if w.request(conn) is None:
            return
        conn.sendall(answer(b"first" if w.connections == 1 else b"again"))
        w.request(conn)  # the next request on this connection is not answered

    server = wire(serve)
    first, second = get_all([server.base + "/1", server.base + "/2"])
    assert isinstance(first, Response) and first.body == b"first"
    assert isinstance(second, Response) and second.body == b"again"
    assert server.connections == 2


def test_a_stalled_answer_ends_at_the_read_timeout_and_the_deadline(wire: Callable[..., Wire]) -> None:
    release = threading.Event()

    def serve(conn: socket.socket, w: Wire) -> None:
        w.request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        release.wait(10)

    try:
        (stalled,) = get_all([wire(serve).base + "/slow"], timeout=Timeouts(read=0.3))
        (late,) = get_all([wire(serve).base + "/slow"], deadline=0.3)
    finally:
        release.set()
    assert isinstance(stalled, FetchError) and stalled.problem == "timed out"
    assert isinstance(late, FetchError) and "gave up after 0.3 s" in late.problem


def test_not_modified_keeps_the_connection_and_an_error_page_closes_it(wire: Callable[..., Wire]) -> None:
    replies = iter([b"HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n", answer(b"page"),
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found", answer(b"page")])

    def serve(conn: socket.socket, w: Wire) -> None:
        while w.request(conn) is not None:
            conn.sendall(next(replies))

    server = wire(serve)
    r304, r200, r404, after = get_all([server.base + p for p in ("/feed", "/a", "/gone", "/b")])
    assert isinstance(r304, Response) and r304.status == 304 and r304.headers["etag"] == '"v1"'
    assert isinstance(r200, Response) and r200.body == b"page"
    assert isinstance(r404, FetchError) and r404.status == 404
    assert isinstance(after, Response) and after.body == b"page"
    assert server.connections == 2  # the 404's unread body closed its connection


def test_a_header_with_a_line_break_is_not_sent(wire: Callable[..., Wire]) -> None:
    server = wire(each_request(answer(b"ok")))

    async def go() -> FetchError:
        async with Fetcher(allow_private=True) as f:
            with pytest.raises(FetchError) as info:
                await f.get(server.base + "/x", {"If-None-Match": "\"v\"\r\nX-Injected: 1"})
            return info.value

    err = asyncio.run(go())
    assert err.permanent and "cannot be sent" in err.problem
    assert server.requests == []


def test_a_redirect_to_another_port_is_checked_by_the_guard_before_connecting(wire: Callable[..., Wire]) -> None:
    target = wire(each_request(answer(b"private")))
    hop = wire(each_request(b"HTTP/1.1 302 Found\r\nLocation: " + target.base.encode() + b"/x\r\n"
                            b"Content-Length: 0\r\n\r\n"))
    port = hop.base.rsplit(":", 1)[1]
    (err,) = get_all([hop.base + "/hop"], allow_private=False, allow_addresses=[f"127.0.0.1:{port}"])
    assert isinstance(err, FetchError) and "refused:" in err.problem
    assert target.connections == 0


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(d / "key.pem"), "-out",
                    str(d / "cert.pem")], check=True, capture_output=True)
    return d / "cert.pem", d / "key.pem"


def test_tls_is_verified_against_the_trusted_certificates(wire: Callable[..., Wire],
                                                          certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    server = wire(each_request(answer(b"secret page")), tls=server_side)
    trusting = ssl.create_default_context(cafile=str(cert))
    first, second = get_all([server.base + "/a", server.base + "/b"], ssl_context=trusting)
    assert isinstance(first, Response) and first.body == b"secret page"
    assert isinstance(second, Response) and server.connections == 1
    (refused,) = get_all([server.base + "/a"])  # the default store does not know this self-signed certificate
    assert isinstance(refused, FetchError) and "CERTIFICATE_VERIFY_FAILED" in refused.problem
