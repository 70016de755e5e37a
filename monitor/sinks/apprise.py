"""Apprise sink: Slack, Telegram, Matrix, ntfy, Discord and ~100 more through Apprise URLs.

Install with the extra: ``pip install 'media-monitor[apprise]'``.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from pydantic import Field, SecretStr

from monitor.hookspecs import Options, Receipt, RegisterSink, hookimpl
from monitor.model import Alert


class AppriseOptions(Options):
    #: Apprise URLs, e.g. ["ntfy://ntfy.sh/my-topic", "tgram://bottoken/ChatID"]; they usually carry tokens.
    urls: list[SecretStr] = Field(min_length=1)
    title: str = "[$severity] $title"


class AppriseSink:
    options_model: ClassVar[type[Options]] = AppriseOptions
    type: ClassVar[str] = "apprise"
    #: Modules this sink imports, and the media-monitor extra that installs them (checked by config check).
    requires: ClassVar[tuple[str, ...]] = ("apprise",)
    extra: ClassVar[str] = "apprise"

    def __init__(self, name: str, options: AppriseOptions) -> None:
        self.name = name
        self.options = options

    async def deliver(self, alert: Alert, idempotency_key: str) -> Receipt:
        try:
            import apprise
        except ImportError:
            return Receipt(ok=False, permanent=True,
                           detail="the apprise sink needs: pip install 'media-monitor[apprise]'")
        app = apprise.Apprise()
        for url in self.options.urls:
            if not app.add(url.get_secret_value()):
                return Receipt(ok=False, permanent=True, detail="an Apprise URL was not understood")
        art = alert.article
        title = self.options.title.replace("$severity", alert.severity.value.upper()).replace(
            "$title", art.title or art.url or "media-monitor alert")
        body = "\n".join([art.url or "", *(f"- {f.detector}: {f.summary}" for f in alert.findings)])
        ok = await asyncio.to_thread(app.notify, body=body, title=title)
        return Receipt(ok=bool(ok), detail="sent" if ok else "apprise reported a failure")


@hookimpl
def monitor_register_sinks(register: RegisterSink) -> None:
    register(AppriseSink)
