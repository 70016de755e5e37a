"""Who may open the console: HTTP basic auth or a Bearer token, when credentials are configured.

``[console] token`` is accepted as a Bearer token or as the basic-auth password with any user name (so a
browser's own login prompt works); ``username`` and ``password`` are plain basic auth. Without credentials
the console only listens on loopback (:func:`monitor.config.console_listen_problem`)."""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from monitor.config import is_loopback

REALM = "media-monitor console"


def loopback_host(host: str) -> bool:
    """True when a ``Host`` header names this machine's loopback ("localhost", "127.0.0.1", "[::1]", any port)."""
    host = host.strip().lower()
    name = host[1:].partition("]")[0] if host.startswith("[") else host.partition(":")[0]
    return is_loopback(name) or name.endswith(".localhost")


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


@dataclass(frozen=True)
class Credentials:
    token: str | None = None
    username: str | None = None
    password: str | None = None

    @property
    def required(self) -> bool:
        return bool(self.token or (self.username and self.password))

    def allows(self, authorization: str) -> bool:
        """True when the ``Authorization`` header value carries these credentials."""
        scheme, _, value = authorization.partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer":
            return bool(self.token) and _same(value, self.token or "")
        if scheme.lower() != "basic":
            return False
        try:
            user, sep, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        if not sep:
            return False
        if self.token and _same(password, self.token):
            return True
        return bool(self.username and self.password) and _same(user, self.username or "") and \
            _same(password, self.password or "")


class RequireAuth:
    """ASGI middleware: 401 with a basic-auth challenge unless the request carries the credentials.

    Without credentials (loopback only) a request must also name a loopback host: a web page whose own name
    is made to resolve to 127.0.0.1 (DNS rebinding) would otherwise read the console as its own origin."""

    def __init__(self, app: ASGIApp, credentials: Credentials) -> None:
        self.app = app
        self.credentials = credentials

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if not self.credentials.required:
            host = headers.get(b"host", b"localhost").decode("latin-1")
            if loopback_host(host):
                await self.app(scope, receive, send)
                return
            await _refuse(send, 400, f"Host {host!r} is not this machine's loopback: without [console] token or "
                                     "username/password the console answers only to localhost / 127.0.0.1 / [::1]\n")
            return
        if self.credentials.allows(headers.get(b"authorization", b"").decode("latin-1")):
            await self.app(scope, receive, send)
            return
        await _refuse(send, 401, "authentication required\n",
                      (b"www-authenticate", f'Basic realm="{REALM}", charset="UTF-8"'.encode()))


async def _refuse(send: Send, status: int, text: str, *headers: tuple[bytes, bytes]) -> None:
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})
