"""CSRF protection for every form: a signed double-submit token.

Each browser gets a random ``mm_csrf`` cookie (HttpOnly, SameSite=Strict); every form carries
HMAC(secret, cookie) in a hidden ``csrf`` field. A POST is accepted only when the field matches the cookie it
came with, and the browser does not say it came from elsewhere: ``Sec-Fetch-Site`` (when sent) is
``same-origin``, ``Origin`` (when sent, and not ``null``) is this console, and without ``Origin`` a ``Referer``
(when sent) is this console. The cookie alone proves little: a page on the same *site* (another port of
127.0.0.1, a sibling subdomain) can set it, and with ``Referrer-Policy: no-referrer`` its post's Origin is
``null`` — as the console's own posts are. The daemon's console keys it with a secret kept in the state
(``Store.shared_secret``), so a form served by one replica or before a restart is accepted by any."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "mm_csrf"
FIELD = "csrf"


class CSRF:
    def __init__(self, secret: bytes | None = None) -> None:
        self.secret = secret or secrets.token_bytes(32)

    def token_for(self, cookie: str) -> str:
        return hmac.new(self.secret, cookie.encode("utf-8"), hashlib.sha256).hexdigest()

    def problem(self, cookie: str | None, token: str | None, origin: str | None, host: str | None,
                fetch_site: str | None = None, referer: str | None = None) -> str | None:
        """Why a POST is refused, or None when its token matches its cookie and its origin is this host."""
        if fetch_site is not None and fetch_site not in ("same-origin", "none"):
            return f"cross-origin form post refused (Sec-Fetch-Site: {fetch_site})"
        if origin is not None and origin != "null" and host and origin.split("://", 1)[-1] != host:
            return f"cross-origin form post from {origin!r} refused"
        if origin is None and referer and host and _netloc(referer) != host:
            return "cross-origin form post refused (its Referer is another site)"
        if not cookie or not token:
            return "the form has no CSRF token (reload the page and submit it again)"
        if not hmac.compare_digest(self.token_for(cookie), token):
            return "the form's CSRF token does not match (reload the page and submit it again)"
        return None


def _netloc(url: str) -> str | None:
    try:
        return urlsplit(url).netloc
    except ValueError:
        return None


class CSRFCookie:
    """ASGI middleware: give each browser its ``mm_csrf`` cookie, and put the form token for it in
    ``scope["state"]["csrf_token"]`` for the templates."""

    def __init__(self, app: ASGIApp, csrf: CSRF) -> None:
        self.app = app
        self.csrf = csrf

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = b"; ".join(value for name, value in scope["headers"] if name == b"cookie")
        cookie = cookie_parser(header.decode("latin-1")).get(COOKIE) or None
        fresh = cookie is None
        if cookie is None:
            cookie = secrets.token_urlsafe(32)
        scope.setdefault("state", {})
        scope["state"]["csrf_cookie"] = None if fresh else cookie
        scope["state"]["csrf_token"] = self.csrf.token_for(cookie)

        async def send_with_cookie(message: Message) -> None:
            if fresh and message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(
                    "set-cookie", f"{COOKIE}={cookie}; Path=/; HttpOnly; SameSite=Strict")
            await send(message)

        await self.app(scope, receive, send_with_cookie)
