"""The embedded default sinks: console and JSON Lines file."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import ClassVar, Literal

from monitor.hookspecs import Options, Receipt, RegisterSink, hookimpl
from monitor.model import Alert
from monitor.render import event_lines


class ConsoleOptions(Options):
    stream: str = "stdout"


class ConsoleSink:
    """Prints one readable block per alert to stdout or stderr."""

    options_model: ClassVar[type[Options]] = ConsoleOptions
    type: ClassVar[str] = "console"

    def __init__(self, name: str, options: ConsoleOptions) -> None:
        self.name = name
        self.options = options

    async def deliver(self, alert: Alert, idempotency_key: str) -> Receipt:
        out = sys.stderr if self.options.stream == "stderr" else sys.stdout
        art = alert.article
        lines = [f"ALERT [{alert.severity.value}] {art.title or art.url or art.path or art.id}"]
        lines += [f"  {line}" for line in event_lines(alert)]
        lines += [f"  - [{f.severity.value}] {f.detector}: {f.summary}" for f in alert.findings]
        print("\n".join(lines), file=out, flush=True)
        return Receipt(ok=True, detail="printed")


class JsonlOptions(Options):
    path: str = "alerts.jsonl"
    #: 1 (article and findings) or 2 (and the event): the webhook's ``payload_version``.
    payload_version: Literal[1, 2] = 1


class JsonlSink:
    """Appends one JSON document per alert (the webhook payload) to a file."""

    options_model: ClassVar[type[Options]] = JsonlOptions
    type: ClassVar[str] = "jsonl"

    def __init__(self, name: str, options: JsonlOptions) -> None:
        self.name = name
        self.path = Path(options.path)
        self.version = options.payload_version

    async def deliver(self, alert: Alert, idempotency_key: str) -> Receipt:
        doc = alert.to_dict(self.version) | {"idempotency_key": idempotency_key}
        line = json.dumps(doc, ensure_ascii=False) + "\n"
        try:
            await asyncio.to_thread(self._append, line)
        except OSError as exc:
            return Receipt(ok=False, detail=f"{self.path}: {exc.strerror or exc}")
        return Receipt(ok=True, detail=f"appended to {self.path}")

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()


@hookimpl
def monitor_register_sinks(register: RegisterSink) -> None:
    register(ConsoleSink)
    register(JsonlSink)
