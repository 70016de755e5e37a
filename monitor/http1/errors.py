"""What can go wrong with a request, as one hierarchy the fetcher catches (:class:`HttpError` and its
children), and the two internal conditions the client acts on (a stale kept-alive connection, a close)."""

from __future__ import annotations


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


class _Closed(HttpError):
    """The server closed the connection before the response was complete."""

