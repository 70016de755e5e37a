"""A lean HTTP/1.1 client for the fetcher's GETs: one request at a time per connection, kept-alive connections
pooled per origin, every connection opened through the private-network guard.

Why not httpx here: per page, httpx's request and response objects, httpcore's pool, h11's event parser and
anyio's cancel scopes cost about 1 ms of the daemon's CPU — more than everything else it does per article.
This package does only what the fetcher needs, on an :class:`asyncio.Protocol`: the response is parsed as its
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


from monitor.http1.client import KEEPALIVE, Client, Timeouts
from monitor.http1.connection import MAX_CHUNK_LINE, MAX_HEAD_BYTES, MAX_HEADERS, BodySink, Reply, SinkFor
from monitor.http1.errors import ConnectFailed, HttpError, InvalidRequest, ProtocolError, ReadTimeout
from monitor.http1.target import Origin, Target

__all__ = [
    "KEEPALIVE",
    "MAX_CHUNK_LINE",
    "MAX_HEADERS",
    "MAX_HEAD_BYTES",
    "BodySink",
    "Client",
    "ConnectFailed",
    "HttpError",
    "InvalidRequest",
    "Origin",
    "ProtocolError",
    "ReadTimeout",
    "Reply",
    "SinkFor",
    "Target",
    "Timeouts",
]
