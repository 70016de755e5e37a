"""The one HTTP client: every request that leaves the machine goes through here.

Explicit timeouts, a body size cap enforced while streaming (so a gzip bomb stops at the cap after
decompression), a User-Agent that names the project, and one long-lived ``httpx.AsyncClient``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from monitor import __version__
from monitor.errors import InputError

USER_AGENT = f"media-monitor/{__version__} (+https://github.com/media-monitor/media-monitor)"
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=10.0, pool=10.0)
DEFAULT_MAX_BYTES = 10_000_000


@dataclass(frozen=True)
class Response:
    """A fetched body with what the caller needs to know about it."""

    url: str
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

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


class Fetcher:
    """A long-lived async HTTP client with limits; use as an async context manager."""

    def __init__(self, *, timeout: httpx.Timeout = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES,
                 max_connections: int = 32) -> None:
        self.max_bytes = max_bytes
        self._client = httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=True,
            max_redirects=5,
            headers={"User-Agent": USER_AGENT},
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        """GET ``url``; raise InputError naming the URL for network errors, HTTP errors and oversize bodies."""
        try:
            async with self._client.stream("GET", url, headers=headers) as resp:
                chunks: list[bytes] = []
                total = 0
                async for chunk in resp.aiter_bytes():
                    total += len(chunk)
                    if total > self.max_bytes:
                        raise InputError(url, f"response body exceeds {self.max_bytes} bytes")
                    chunks.append(chunk)
                if resp.status_code >= 400:
                    raise InputError(url, f"HTTP {resp.status_code} {resp.reason_phrase}")
                return Response(
                    url=str(resp.url),
                    status=resp.status_code,
                    body=b"".join(chunks),
                    headers={k.lower(): v for k, v in resp.headers.items()},
                )
        except httpx.InvalidURL as exc:
            raise InputError(url, f"invalid URL: {exc}") from None
        except httpx.TimeoutException:
            raise InputError(url, "timed out") from None
        except httpx.TooManyRedirects:
            raise InputError(url, "too many redirects") from None
        except httpx.HTTPError as exc:
            raise InputError(url, f"cannot be fetched: {exc.__class__.__name__}: {exc}") from None
