"""Webhook sink: a signed, versioned JSON POST (or a Slack / Microsoft Teams message).

Headers: ``Idempotency-Key`` (stable across retries) and ``X-Monitor-Signature: t=<unix>,v1=<hex>`` where
``v1`` is HMAC-SHA256 of ``"<t>.<body>"`` with the sink's secret, so a receiver can verify the sender and
refuse replays. 2xx is success; 4xx other than 408/429 is a permanent failure; everything else is retried,
honouring ``Retry-After``.
"""

from __future__ import annotations

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
from monitor.fetch import guarded_transport, parse_retry_after
from monitor.hookspecs import HttpUrl, Options, Receipt, RegisterSink, hookimpl
from monitor.model import Alert


class WebhookOptions(Options):
    url: HttpUrl
    secret: SecretStr | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    timeout: float = Field(default=10.0, gt=0, le=300)
    #: "json" (the versioned document), "slack" or "teams" (their incoming-webhook formats).
    preset: Literal["json", "slack", "teams"] = "json"
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
    lines += [f"• {slack_escape(f.detector)}: {slack_escape(f.summary)}" for f in alert.findings]
    return {"text": "\n".join(x for x in lines if x)}


def _teams(alert: Alert) -> dict[str, Any]:
    art = alert.article
    card: dict[str, Any] = {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": markdown_escape(art.title or "media-monitor alert"),
        "title": f"[{alert.severity.value.upper()}] {markdown_escape(art.title or art.url or '')}",
        "text": "<br>".join(f"<b>{markdown_escape(f.detector)}</b>: {markdown_escape(f.summary)}"
                            for f in alert.findings),
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
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            transport = guarded_transport(self.options.allow_private_networks)
            self._client = httpx.AsyncClient(timeout=self.options.timeout, transport=transport, trust_env=False,
                                             headers={"User-Agent": f"media-monitor/{__version__}"})
        return self._client

    def body(self, alert: Alert) -> bytes:
        doc = {"json": alert.to_dict, "slack": lambda: _slack(alert), "teams": lambda: _teams(alert)}[
            self.options.preset
        ]()
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()

    async def deliver(self, alert: Alert, idempotency_key: str) -> Receipt:
        body = self.body(alert)
        headers = {**self.options.headers, "Content-Type": "application/json", "Idempotency-Key": idempotency_key}
        if self.options.secret is not None:
            headers["X-Monitor-Signature"] = sign(self.options.secret.get_secret_value(), int(time.time()), body)
        try:
            resp = await self._http().post(self.options.url, content=body, headers=headers)
        except httpx.TimeoutException:
            return Receipt(ok=False, detail="timed out")
        except httpx.HTTPError as exc:
            detail = str(exc.__cause__ or exc) or exc.__class__.__name__
            return Receipt(ok=False, permanent="refused:" in detail, detail=f"{exc.__class__.__name__}: {detail}")
        status = resp.status_code
        detail = f"HTTP {status} {resp.reason_phrase}".strip()
        if 200 <= status < 300:
            return Receipt(ok=True, detail=detail)
        permanent = 400 <= status < 500 and status not in (408, 429)
        return Receipt(ok=False, permanent=permanent, detail=detail,
                       retry_after=parse_retry_after(resp.headers.get("retry-after")))


@hookimpl
def monitor_register_sinks(register: RegisterSink) -> None:
    register(WebhookSink)
