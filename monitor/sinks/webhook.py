"""Webhook sink: a signed, versioned JSON POST (or a Slack / Microsoft Teams message).

Headers: ``Idempotency-Key`` (stable across retries) and ``X-Monitor-Signature: t=<unix>,v1=<hex>`` where
``v1`` is HMAC-SHA256 of ``"<t>.<body>"`` with the sink's secret, so a receiver can verify the sender and
refuse replays. 2xx is success; 4xx other than 408/429 is a permanent failure; everything else is retried,
honouring ``Retry-After``.

``timeout`` bounds the whole delivery (connect, send, reply), not each read: a receiver trickling its reply
cannot hold the sink. At most :data:`REPLY_CAP` bytes of the reply are read (decoded, under
:mod:`monitor.decoding`), so an endless or bomb reply costs nothing; the status line decides the outcome.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import json
import re
import time
from typing import Any, ClassVar, Literal

import httpx
from pydantic import Field, SecretStr

from monitor import __version__
from monitor.decoding import ACCEPT_ENCODING, BodyTooLarge, BoundedBody, DecodeError
from monitor.durations import PositiveDuration, parse_duration
from monitor.fetch import parse_retry_after
from monitor.guard import guarded_transport
from monitor.hookspecs import HttpUrl, Options, Receipt, RegisterSink, hookimpl
from monitor.masking import mask_text, mask_url
from monitor.model import Alert
from monitor.render import event_lines

#: The most of a receiver's reply that is read: enough for an error page, never a bomb.
REPLY_CAP = 64 * 1024


class WebhookOptions(Options):
    url: HttpUrl
    secret: SecretStr | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    #: The whole delivery (connect, send, reply); ``[daemon] delivery_timeout`` bounds it too.
    timeout: PositiveDuration = 10.0
    #: "json" (the versioned document), "slack" or "teams" (their incoming-webhook formats).
    preset: Literal["json", "slack", "teams"] = "json"
    #: The JSON document's version: 1 (article and findings) or 2 (and the event, its figures with their
    #: sources, and what changed since the last alert). 1 by default, so existing receivers keep working.
    payload_version: Literal[1, 2] = 1
    #: Receivers on private networks are normal for webhooks (an internal SIEM); set false to refuse them.
    allow_private_networks: bool = True


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Monitor-Signature`` value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, tolerance: float = 300.0, now: float | None = None) -> bool:
    """Receiver side: True when ``header`` signs ``body`` with ``secret`` and is recent enough."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


#: Characters with a meaning in Markdown (Teams message cards render their text as Markdown).
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def slack_escape(text: str) -> str:
    """Feed-controlled text for Slack mrkdwn: ``&``, ``<`` and ``>`` are control characters there (``<!channel>``,
    ``<url|label>``) and must be sent as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markdown_escape(text: str) -> str:
    """Feed-controlled text for Teams (Markdown with some HTML): HTML special characters as entities, then
    every Markdown control character backslash-escaped, so a title cannot become a link, a heading or bold."""
    return _MARKDOWN.sub(r"\\\1", html.escape(text, quote=False))


def _web_link(url: str | None) -> str:
    """The article's URL when it is an http(s) URL (anything else is not offered as a link)."""
    return url if url and url.lower().startswith(("http://", "https://")) else ""


def _slack(alert: Alert) -> dict[str, Any]:
    art = alert.article
    link = _web_link(art.url)
    heading = slack_escape(art.title or art.url or art.path or "")
    lines = [f"*[{alert.severity.value.upper()}] {heading}*", slack_escape(link)]
    lines += [slack_escape(line) for line in event_lines(alert)]
    lines += [f"• {slack_escape(f.detector)}: {slack_escape(f.summary)}" for f in alert.findings]
    return {"text": "\n".join(x for x in lines if x)}


def _teams(alert: Alert) -> dict[str, Any]:
    art = alert.article
    card: dict[str, Any] = {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": markdown_escape(art.title or "media-monitor alert"),
        "title": f"[{alert.severity.value.upper()}] {markdown_escape(art.title or art.url or '')}",
        "text": "<br>".join([*(markdown_escape(line) for line in event_lines(alert)),
                             *(f"<b>{markdown_escape(f.detector)}</b>: {markdown_escape(f.summary)}"
                               for f in alert.findings)]),
    }
    link = _web_link(art.url)
    if link:
        card["potentialAction"] = [{"@type": "OpenUri", "name": "Open article",
                                    "targets": [{"os": "default", "uri": link}]}]
    return card


class WebhookSink:
    options_model: ClassVar[type[Options]] = WebhookOptions
    type: ClassVar[str] = "webhook"

    def __init__(self, name: str, options: WebhookOptions) -> None:
        self.name = name
        self.options = options
        self.timeout = parse_duration(options.timeout)
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            transport = guarded_transport(self.options.allow_private_networks)
            self._client = httpx.AsyncClient(timeout=self.timeout, transport=transport, trust_env=False,
                                             headers={"User-Agent": f"media-monitor/{__version__}",
                                                      "Accept-Encoding": ACCEPT_ENCODING})
        return self._client

    async def aclose(self) -> None:
        """Close the HTTP client (its pooled connections); called on reload and shutdown. A later delivery
        would open a new one."""
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    def body(self, alert: Alert) -> bytes:
        doc = {"json": lambda: alert.to_dict(self.options.payload_version), "slack": lambda: _slack(alert),
               "teams": lambda: _teams(alert)}[self.options.preset]()
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()

    async def deliver(self, alert: Alert, idempotency_key: str) -> Receipt:
        body = self.body(alert)
        headers = {**self.options.headers, "Content-Type": "application/json", "Idempotency-Key": idempotency_key}
        if self.options.secret is not None:
            headers["X-Monitor-Signature"] = sign(self.options.secret.get_secret_value(), int(time.time()), body)
        try:
            async with asyncio.timeout(self.timeout):
                status, reason, retry_after = await self._post(body, headers)
        except (TimeoutError, httpx.TimeoutException):
            return Receipt(ok=False, detail=f"no complete reply within {self.timeout:g} s")
        except httpx.HTTPError as exc:
            detail = self._masked(str(exc.__cause__ or exc) or exc.__class__.__name__)
            return Receipt(ok=False, permanent="refused:" in detail, detail=f"{exc.__class__.__name__}: {detail}")
        detail = f"HTTP {status} {reason}".strip()
        if 200 <= status < 300:
            return Receipt(ok=True, detail=detail)
        permanent = 400 <= status < 500 and status not in (408, 429)
        return Receipt(ok=False, permanent=permanent, detail=detail, retry_after=parse_retry_after(retry_after))

    async def _post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str, str | None]:
        """POST and read at most ``REPLY_CAP`` decoded bytes of the reply (the rest is never read)."""
        async with self._http().stream("POST", self.options.url, content=body, headers=headers) as resp:
            try:
                reply = BoundedBody(resp.headers.get("content-encoding"), REPLY_CAP)
                async for raw in resp.aiter_raw():
                    reply.feed(raw)
            except (BodyTooLarge, DecodeError):
                pass  # closing the stream drops the connection; the status line is all we need
            return resp.status_code, resp.reason_phrase, resp.headers.get("retry-after")

    def _masked(self, text: str) -> str:
        """Error text without the URL's token (in its path for Slack and Teams, else its query)."""
        return mask_text(text.replace(self.options.url, mask_url(self.options.url, hide_path=True)))


@hookimpl
def monitor_register_sinks(register: RegisterSink) -> None:
    register(WebhookSink)
