"""Where a request goes and what it asks for, read from its URL: the origin a connection is kept for, the
request target, ``Host`` and ``Authorization``; and the request's bytes."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from monitor.http1.errors import InvalidRequest

Origin = tuple[str, str, int]


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


