"""The one HTTP client: every request that leaves the machine goes through here.

- explicit connect/read timeouts and a body size cap enforced while streaming, after decompression (so a
  gzip bomb stops at the cap);
- a private-network guard at the connection itself: the host name is resolved, every address is checked,
  and the connection goes to the checked address — no window between check and connect, and redirects are
  checked the same way because every hop opens its own connection;
- per-host politeness: a concurrency limit, a minimum delay between requests, and ``Retry-After`` obeyed;
- redirects followed by hand, so callers learn which were permanent (301/308) and which were not.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from monitor import __version__
from monitor.errors import InputError

USER_AGENT = f"media-monitor/{__version__} (+https://github.com/media-monitor/media-monitor)"
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=10.0, pool=30.0)
DEFAULT_MAX_BYTES = 10_000_000
MAX_REDIRECTS = 5


class FetchError(InputError):
    """A request that failed; ``status`` is the HTTP status when there was one."""

    def __init__(self, url: str, problem: str, *, status: int | None = None, retry_after: float | None = None,
                 permanent: bool = False) -> None:
        super().__init__(url, problem)
        self.status = status
        self.retry_after = retry_after
        self.permanent = permanent


class BlockedAddress(httpcore.ConnectError):
    """The host resolves to an address the private-network guard refuses."""


def is_public_address(address: str) -> bool:
    """False for loopback, private, link-local (cloud metadata), multicast, reserved and unspecified addresses,
    including their IPv4-mapped IPv6 forms."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
                or ip.is_unspecified or not ip.is_global)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks and connects to the checked address (see module docstring)."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend, allow_private: bool,
                 allow_addresses: frozenset[str] = frozenset()) -> None:
        self.inner = inner
        self.allow_private = allow_private
        #: Exact addresses allowed despite the guard (e.g. one internal proxy); empty by default.
        self.allow_addresses = allow_addresses

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout)
        except (OSError, TimeoutError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not self.allow_private:
            refused = [a for a in addresses if not is_public_address(a) and a not in self.allow_addresses]
            if refused:
                raise BlockedAddress(
                    f"refused: {host} resolves to non-public address {refused[0]} "
                    "(set [daemon] allow_private_networks = true to allow)"
                )
        last: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def guarded_transport(allow_private: bool, allow_addresses: frozenset[str] = frozenset(),
                      max_connections: int = 64) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose every connection goes through :class:`GuardedBackend` — for anything that
    leaves the machine (the fetcher, and sinks that POST)."""
    transport = httpx.AsyncHTTPTransport(
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
    )
    pool = transport._pool  # httpx offers no public way to set httpcore's network backend
    pool._network_backend = GuardedBackend(pool._network_backend, allow_private, allow_addresses)
    return transport


@dataclass(frozen=True)
class Response:
    """A fetched body with what the caller needs to know about it."""

    url: str
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    #: (status, location) of each redirect followed, in order.
    redirects: tuple[tuple[int, str], ...] = ()

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip("\"'")
        return None

    @property
    def permanent_url(self) -> str | None:
        """The new URL when every redirect followed was permanent (301/308), else None."""
        if self.redirects and all(status in (301, 308) for status, _ in self.redirects):
            return self.url
        return None


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass
class _Host:
    semaphore: asyncio.Semaphore
    next_allowed: float = 0.0


class Fetcher:
    """A long-lived async HTTP client with limits; use as an async context manager."""

    def __init__(self, *, timeout: httpx.Timeout = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES,
                 max_connections: int = 64, allow_private: bool = True, per_host: int = 4,
                 politeness: float = 0.0, allow_addresses: frozenset[str] = frozenset()) -> None:
        self.max_bytes = max_bytes
        self.per_host = per_host
        self.politeness = politeness
        self._hosts: dict[str, _Host] = {}
        transport = guarded_transport(allow_private, allow_addresses, max_connections)
        self._client = httpx.AsyncClient(
            timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}, transport=transport,
            trust_env=False,
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    def _host(self, url: str) -> _Host:
        host = (urlsplit(url).hostname or "").lower()
        if host not in self._hosts:
            self._hosts[host] = _Host(asyncio.Semaphore(self.per_host))
        return self._hosts[host]

    def backoff_host(self, url: str, seconds: float) -> None:
        """No request to this URL's host before ``seconds`` from now (429 / 503 with Retry-After)."""
        host = self._host(url)
        host.next_allowed = max(host.next_allowed, time.monotonic() + seconds)

    async def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        """GET ``url``, following up to 5 redirects by hand. Returns 2xx and 304 responses; raises FetchError
        (naming the URL) for network errors, HTTP errors, refused addresses and oversize bodies."""
        redirects: list[tuple[int, str]] = []
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            if urlsplit(current).scheme not in ("http", "https"):
                raise FetchError(url, f"unsupported URL scheme in {current!r}", permanent=True)
            status, resp_headers, body = await self._one(current, headers)
            if status in (301, 302, 303, 307, 308) and "location" in resp_headers:
                current = urljoin(current, resp_headers["location"])
                redirects.append((status, current))
                continue
            if status == 304 or 200 <= status < 300:
                return Response(current, status, body, resp_headers, tuple(redirects))
            retry_after = parse_retry_after(resp_headers.get("retry-after"))
            if status in (429, 503) and retry_after is not None:
                self.backoff_host(current, min(retry_after, 3600))
            raise FetchError(url, f"HTTP {status}", status=status, retry_after=retry_after,
                             permanent=400 <= status < 500 and status not in (408, 429))
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")

    async def _one(self, url: str, headers: dict[str, str] | None) -> tuple[int, dict[str, str], bytes]:
        host = self._host(url)
        async with host.semaphore:
            wait = host.next_allowed - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            host.next_allowed = time.monotonic() + self.politeness
            try:
                async with self._client.stream("GET", url, headers=headers) as resp:
                    chunks: list[bytes] = []
                    total = 0
                    if 200 <= resp.status_code < 300:
                        async for chunk in resp.aiter_bytes():
                            total += len(chunk)
                            if total > self.max_bytes:
                                raise FetchError(url, f"response body exceeds {self.max_bytes} bytes",
                                                 permanent=True)
                            chunks.append(chunk)
                    return resp.status_code, {k.lower(): v for k, v in resp.headers.items()}, b"".join(chunks)
            except BlockedAddress as exc:
                raise FetchError(url, str(exc), permanent=True) from None
            except httpx.ConnectError as exc:
                cause = exc.__cause__ or exc.__context__
                if isinstance(cause, BlockedAddress):
                    raise FetchError(url, str(cause), permanent=True) from None
                raise FetchError(url, f"cannot be fetched: connection failed: {exc}") from None
            except httpx.InvalidURL as exc:
                raise FetchError(url, f"invalid URL: {exc}", permanent=True) from None
            except httpx.TimeoutException:
                raise FetchError(url, "timed out") from None
            except httpx.DecodingError as exc:
                raise FetchError(url, f"undecodable body: {exc}", permanent=True) from None
            except httpx.HTTPError as exc:
                raise FetchError(url, f"cannot be fetched: {exc.__class__.__name__}: {exc}") from None
