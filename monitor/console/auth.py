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

REALM = "media-monitor console"


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
    """ASGI middleware: 401 with a basic-auth challenge unless the request carries the credentials."""

    def __init__(self, app: ASGIApp, credentials: Credentials) -> None:
        self.app = app
        self.credentials = credentials

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.credentials.required:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if self.credentials.allows(headers.get(b"authorization", b"").decode("latin-1")):
            await self.app(scope, receive, send)
            return
        body = b"authentication required\n"
        await send({"type": "http.response.start", "status": 401, "headers": [
            (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
            (b"www-authenticate", f'Basic realm="{REALM}", charset="UTF-8"'.encode())]})
        await send({"type": "http.response.body", "body": body})
