"""The fetcher: every GET that leaves the machine goes through here (HTTP/1.1 by :mod:`monitor.http1`).

- explicit connect/read timeouts, and a total deadline per fetch (redirects included, counted from when the
  host's slot is taken), so a server trickling one byte a second cannot hold a worker for ever;
- a body size cap enforced on the decoded stream as it is read (:mod:`monitor.decoding`: each gzip/deflate
  layer decodes a bounded step at a time, at most two stacked encodings), so a gzip bomb stops at the cap;
- the private-network guard at the connection itself (:mod:`monitor.guard`, built from the config by
  :func:`fetcher_for`);
- per-host politeness: a concurrency limit, a minimum delay between requests, and ``Retry-After`` obeyed;
- redirects followed by hand, so callers learn which were permanent (301/308) and which were not.
"""

from __future__ import annotations

import asyncio
import email.utils
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urljoin, urlsplit

from monitor import __version__
from monitor.decoding import ACCEPT_ENCODING, BodyTooLarge, BoundedBody, DecodeError
from monitor.errors import InputError

# AllowEntry stays importable from here for the config's validation of ``[daemon] allow``.
from monitor.guard import AllowEntry as AllowEntry
from monitor.guard import BlockedAddress, Guard, Unresolvable, as_guard
from monitor.http1 import Client, ConnectFailed, HttpError, InvalidRequest, ReadTimeout, Timeouts
from monitor.masking import mask_text, mask_url

USER_AGENT = f"media-monitor/{__version__} (+https://github.com/media-monitor/media-monitor)"
DEFAULT_TIMEOUT = Timeouts(connect=10.0, read=30.0)
DEFAULT_MAX_BYTES = 10_000_000
#: The longest one fetch (all its redirects) may take once it has its host's slot.
DEFAULT_DEADLINE = 120.0
MAX_REDIRECTS = 5


class FetchError(InputError):
    """A request that failed; ``status`` is the HTTP status when there was one."""

    def __init__(self, url: str, problem: str, *, status: int | None = None, retry_after: float | None = None,
                 permanent: bool = False) -> None:
        super().__init__(mask_url(url), mask_text(problem))
        self.status = status
        self.retry_after = retry_after
        self.permanent = permanent


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


@dataclass
class _Budget:
    """One fetch's total deadline (loop time), set when its first request gets the host's slot."""

    at: float | None = None


class Fetcher:
    """A long-lived async HTTP client with limits; use as an async context manager."""

    def __init__(self, *, timeout: Timeouts = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES,
                 max_connections: int = 64, allow_private: bool | Guard = False, per_host: int = 4,
                 politeness: float = 0.0, allow_addresses: Iterable[str] = (),
                 deadline: float = DEFAULT_DEADLINE, ssl_context: ssl.SSLContext | None = None) -> None:
        self.max_bytes = max_bytes
        self.deadline = deadline
        #: Start (monotonic) of each request in flight, for health: a fetch far past its deadline is stuck work.
        self._started: dict[int, float] = {}
        self.per_host = per_host
        self.politeness = politeness
        self._hosts: dict[str, _Host] = {}
        self.guard = as_guard(allow_private, allow_addresses)
        self._client = Client(self.guard, timeouts=timeout, max_connections=max_connections,
                              ssl_context=ssl_context,
                              headers={"Accept": "*/*", "Accept-Encoding": ACCEPT_ENCODING,
                                       "Connection": "keep-alive", "User-Agent": USER_AGENT})

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

    def host_full(self, url: str) -> bool:
        """True when every slot for this URL's host is taken (a new request would wait)."""
        host = self._hosts.get((urlsplit(url).hostname or "").lower())
        return host is not None and host.semaphore.locked()

    @property
    def connections_opened(self) -> int:
        """Connections opened so far (kept-alive ones are reused)."""
        return self._client.opened

    def oldest_in_flight(self) -> float | None:
        """Seconds since the oldest request in flight started, None when none is."""
        return time.monotonic() - min(self._started.values()) if self._started else None

    def backoff_host(self, url: str, seconds: float) -> None:
        """No request to this URL's host before ``seconds`` from now (429 / 503 with Retry-After)."""
        host = self._host(url)
        host.next_allowed = max(host.next_allowed, time.monotonic() + seconds)

    async def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        """GET ``url``, following up to 5 redirects by hand. Returns 2xx and 304 responses; raises FetchError
        (naming the URL) for network errors, HTTP errors, refused addresses and oversize bodies."""
        redirects: list[tuple[int, str]] = []
        current = url
        budget = _Budget()
        for _ in range(MAX_REDIRECTS + 1):
            if urlsplit(current).scheme not in ("http", "https"):
                raise FetchError(url, f"unsupported URL scheme in {current!r}", permanent=True)
            status, resp_headers, body = await self._one(current, headers, budget)
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

    async def _one(self, url: str, headers: dict[str, str] | None,
                   budget: _Budget) -> tuple[int, dict[str, str], bytes]:
        host = self._host(url)
        async with host.semaphore:
            wait = host.next_allowed - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            host.next_allowed = time.monotonic() + self.politeness
            loop = asyncio.get_running_loop()
            if budget.at is None:
                budget.at = loop.time() + self.deadline
            token = id(budget)
            self._started.setdefault(token, time.monotonic())
            try:
                async with asyncio.timeout_at(budget.at):
                    return await self._read(url, headers)
            except TimeoutError:
                raise FetchError(url, f"gave up after {self.deadline:g} s, the total deadline of one fetch "
                                      "(the server was too slow)") from None
            finally:
                self._started.pop(token, None)

    async def _read(self, url: str, headers: dict[str, str] | None) -> tuple[int, dict[str, str], bytes]:
        """One request; a 2xx body is decoded under the size cap as it arrives."""
        def sink_for(status: int, resp_headers: dict[str, str]) -> BoundedBody | None:
            if 200 <= status < 300:
                return BoundedBody(resp_headers.get("content-encoding"), self.max_bytes)
            return None

        try:
            reply = await self._client.get(url, headers, sink_for)
        except BodyTooLarge as exc:
            raise FetchError(url, str(exc), permanent=True) from None
        except DecodeError as exc:
            raise FetchError(url, f"undecodable body: {exc}", permanent=True) from None
        except BlockedAddress as exc:
            raise FetchError(url, str(exc), permanent=True) from None
        except (ConnectFailed, Unresolvable) as exc:
            raise FetchError(url, f"cannot be fetched: connection failed: {exc}") from None
        except InvalidRequest as exc:
            raise FetchError(url, str(exc), permanent=True) from None
        except ReadTimeout:
            raise FetchError(url, "timed out") from None
        except HttpError as exc:
            raise FetchError(url, f"cannot be fetched: {exc.__class__.__name__}: {exc}") from None
        return reply.status, reply.headers, reply.body


class FetchSettings(Protocol):
    """The ``[daemon]`` settings a fetcher is built from (``monitor.config.DaemonConfig`` has them); declared here
    so that the HTTP client depends on no configuration module."""

    allow: list[str]
    allow_private_networks: bool
    per_host_connections: int
    politeness_delay: str | float
    fetch_timeout: str | float
    fetch_deadline: str | float
    max_body_bytes: int


def fetcher_for(daemon: FetchSettings) -> Fetcher:
    """The fetcher the ``[daemon]`` table describes: its guard, timeouts, size cap and politeness. The daemon
    and ``monitor check URL`` both use this, so a URL is refused or allowed the same way by both."""
    from monitor.durations import parse_duration

    timeout = parse_duration(daemon.fetch_timeout)
    return Fetcher(allow_private=Guard.from_settings(daemon.allow_private_networks, daemon.allow),
                   timeout=Timeouts(connect=min(10.0, timeout), read=timeout), max_bytes=daemon.max_body_bytes,
                   per_host=daemon.per_host_connections, politeness=parse_duration(daemon.politeness_delay),
                   deadline=parse_duration(daemon.fetch_deadline))
