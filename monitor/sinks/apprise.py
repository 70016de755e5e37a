"""Apprise sink: Slack, Telegram, Matrix, ntfy, Discord and ~100 more through Apprise URLs.

Install with the extra: ``pip install 'media-monitor[apprise]'``.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import sys
from typing import Any, ClassVar

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
        if importlib.util.find_spec("apprise") is None:
            return Receipt(ok=False, permanent=True,
                           detail="the apprise sink needs: pip install 'media-monitor[apprise]'")
        art = alert.article
        title = self.options.title.replace("$severity", alert.severity.value.upper()).replace(
            "$title", art.title or art.url or "media-monitor alert")
        body = "\n".join([art.url or "", *(f"- {f.detector}: {f.summary}" for f in alert.findings)])
        request = {"urls": [u.get_secret_value() for u in self.options.urls], "title": title, "body": body}
        return await notify_in_child(request)


async def notify_in_child(request: dict[str, Any]) -> Receipt:
    """Run one notification in ``monitor.sinks.apprise_child``; cancelling the await (the outbox's deadline,
    shutdown) kills the child, so a stuck Apprise call never outlives its delivery attempt."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "monitor.sinks.apprise_child", stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        # The URLs carry tokens: they go through the pipe, never the command line.
        proc.stdin.write(json.dumps(request).encode() + b"\n")
        await proc.stdin.drain()
        line = await proc.stdout.readline()
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        await asyncio.shield(proc.wait())
    try:
        reply = json.loads(line)
        return Receipt(ok=bool(reply["ok"]), permanent=bool(reply["permanent"]), detail=str(reply["detail"]))
    except (ValueError, KeyError, TypeError):
        return Receipt(ok=False, detail=f"the Apprise child process ended without an answer (exit {proc.returncode})")


@hookimpl
def monitor_register_sinks(register: RegisterSink) -> None:
    register(AppriseSink)
