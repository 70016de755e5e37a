"""The synthetic wire (tests/synthwire.py) replayed through the real daemon: one RSS feed per source and the
article pages served on 127.0.0.1, a signature-checking webhook receiver, and one ``monitor run --once``
subprocess per batch of items. Two routes see the same findings: ``per-article`` (the default grouping, payload
version 1) and ``per-event`` (``group = "event"``, payload version 2). Used by tests/test_events.py and
bench/replay.py."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any

from monitor.sinks.webhook import verify
from tests.newsroom import page, start_server
from tests.synthwire import CREDIBILITY, Item, batches, wire

SECRET = "replay-secret"


class Newsroom:
    """Feeds ``/feed/<source>`` of the items published so far, their pages ``/news/<slug>``, and webhook
    receivers ``/hook/<name>`` recording every signed delivery."""

    def __init__(self) -> None:
        self.items: list[Item] = []
        self.received: list[tuple[str, dict[str, Any], str]] = []
        self.refused = 0
        lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _reply(self, status: int, body: bytes, kind: str = "text/plain") -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                if path.startswith("/feed/"):
                    self._reply(200, outer.feed(path.rsplit("/", 1)[1]), "application/rss+xml")
                    return
                item = next((i for i in outer.items if path == f"/news/{i.slug}"), None)
                if item is None:
                    self._reply(404, b"not found")
                    return
                self._reply(200, page(item.title, item.text), "text/html; charset=utf-8")

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ok = verify(SECRET, self.headers.get("X-Monitor-Signature", ""), body)
                with lock:
                    if ok:
                        outer.received.append((self.path, json.loads(body), self.headers["Idempotency-Key"]))
                    else:
                        outer.refused += 1
                self._reply(200 if ok else 401, b"")

            def log_message(self, *args: object) -> None:
                pass

        self.server, self.base = start_server(Handler)

    def feed(self, source: str) -> bytes:
        entries = "".join(
            f"<item><title>{escape(i.title)}</title><link>{self.base}/news/{i.slug}</link>"
            f"<guid isPermaLink='false'>{i.slug}</guid><pubDate>{format_datetime(i.published, usegmt=True)}"
            f"</pubDate></item>" for i in self.items if i.source == source)
        return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{source}</title>"
                f"<link>{self.base}/</link><description>{source}</description>{entries}</channel></rss>").encode()

    def config(self, directory: Path, sources: list[str], store_url: str | None = None) -> Path:
        store = f'[store]\nurl = "{store_url}"\n' if store_url else ""
        feeds = "".join(f'[[sources]]\nname = "{s}"\ntype = "feed"\nurl = "{self.base}/feed/{s}"\n'
                        f"credibility = {CREDIBILITY.get(s, 1.0)}\n" for s in sources)
        path = directory / "monitor.toml"
        path.write_text(
            f'{store}[daemon]\nstate_dir = "state"\nallow_private_networks = true\nextract_processes = 1\n'
            f'{feeds}'
            f'[[sinks]]\nname = "articles"\ntype = "webhook"\nurl = "{self.base}/hook/articles"\n'
            f'secret = "{SECRET}"\n'
            f'[[sinks]]\nname = "events"\ntype = "webhook"\nurl = "{self.base}/hook/events"\nsecret = "{SECRET}"\n'
            'payload_version = 2\n'
            '[[routes]]\nname = "per-article"\nsinks = ["articles"]\n'
            '[[routes]]\nname = "per-event"\ngroup = "event"\nsinks = ["events"]\n'
            'update_step = 0.1\nconfirm_sources = 2\n')
        return path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Replay:
    """What the receiver got, per route, and what it cost."""

    items: list[Item]
    runs: int
    seconds: float
    per_article: list[dict[str, Any]] = field(default_factory=list)
    per_event: list[dict[str, Any]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    refused: int = 0

    def event_of_item(self) -> dict[str, str]:
        """Article URL → the real event of the item behind it."""
        return {f"/news/{i.slug}": i.event for i in self.items}

    def alerts_per_event(self) -> dict[str, list[dict[str, Any]]]:
        """The event route's alerts grouped by the real event of the article that raised each."""
        truth = self.event_of_item()
        out: dict[str, list[dict[str, Any]]] = {}
        for doc in self.per_event:
            path = "/news/" + str(doc["article"]["url"]).rsplit("/news/", 1)[1]
            out.setdefault(truth[path], []).append(doc)
        return out

    def per_article_counts(self) -> Counter[str]:
        truth = self.event_of_item()
        return Counter(truth["/news/" + str(d["article"]["url"]).rsplit("/news/", 1)[1]] for d in self.per_article)


def replay(directory: Path, *, syndicators: int = 2, store_url: str | None = None, timeout: float = 180) -> Replay:
    """Publish the wire batch by batch, running ``monitor run --once`` after each; return what was delivered."""
    items = wire(syndicators)
    room = Newsroom()
    sources = sorted({i.source for i in items})
    config = room.config(directory, sources, store_url)
    env = {**os.environ, "MONITOR_LOG_LEVEL": "WARNING"}
    env.pop("MONITOR_CONFIG", None)
    started = time.perf_counter()
    runs = 0
    try:
        for batch in batches(items):
            room.items.extend(batch)
            proc = subprocess.run([sys.executable, "-m", "monitor", "run", "--once", "--config", str(config)],
                                  cwd=directory, env=env, capture_output=True, timeout=timeout)
            runs += 1
            if proc.returncode != 0:
                raise RuntimeError(f"monitor run --once exited {proc.returncode}: "
                                   f"{proc.stderr.decode(errors='replace')[-2000:]}")
    finally:
        room.close()
    result = Replay(items, runs, time.perf_counter() - started, refused=room.refused)
    for path, doc, key in room.received:
        (result.per_event if path == "/hook/events" else result.per_article).append(doc)
        result.keys.append(key)
    return result
