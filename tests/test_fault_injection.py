"""Crash safety, measured: ``monitor run`` against a local newsroom and webhook receiver, killed with SIGKILL at
random moments (seeded) across fetch, extraction, detection, delivery and state writes, and restarted each time.
At the end every expected alert has been delivered, no alert row is duplicated, no article is lost or turned
into a second alert, and the SQLite state passes ``PRAGMA integrity_check``."""

from __future__ import annotations

import http.server
import json
import os
import random
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest

from monitor.sinks.webhook import verify
from tests.conftest import kill_group, start_monitor, wait_for
from tests.newsroom import page, rss, start_server

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300), pytest.mark.usefixtures("no_orphans")]

KILLS = 24
SECRET = "fault-secret"
TOWNS = ["Kunduz", "Herat", "Mosul", "Aleppo", "Gao", "Mopti", "Kidal", "Sirte", "Benghazi", "Marib", "Taiz", "Aden"]


def story(i: int) -> tuple[str, str]:
    town = TOWNS[i % len(TOWNS)]
    return (f"Attack in {town} ({i})",
            f"Gunmen killed {i + 3} people in an attack on a market in {town} on day {i}, officials said. "
            f"Residents of district {i} said the market had reopened only a week earlier after repairs.")


def test_sigkill_at_random_moments_loses_and_repeats_nothing(tmp_path: Path) -> None:
    rng = random.Random(8)
    n_feed, n_files = 24, 8
    routes: dict[str, bytes] = {}
    received: dict[str, int] = {}
    lock = threading.Lock()

    class Newsroom(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(0.03)  # slow enough that kills land mid-fetch
            body = routes.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/rss+xml" if self.path == "/rss" else "text/html")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(rng.uniform(0.01, 0.06))  # and mid-delivery
            ok = verify(SECRET, self.headers.get("X-Monitor-Signature", ""), body)
            if ok:
                with lock:
                    key = self.headers["Idempotency-Key"]
                    received[key] = received.get(key, 0) + 1
            self.send_response(200 if ok else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server, base = start_server(Newsroom)
    items = []
    for i in range(n_feed):
        title, body = story(i)
        routes[f"/news/s{i}"] = page(title, body)
        items.append((f"s{i}", title, ""))
    routes["/rss"] = rss(base, items).replace(b"?utm_source=rss", b"")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for j in range(n_files):
        (inbox / f"wire{j}.txt").write_text(story(100 + j)[1])
    config = tmp_path / "monitor.toml"
    config.write_text(f"""
[daemon]
state_dir = "state"
allow_private_networks = true
delivery_backoff = "0.2s"
shutdown_grace = "2s"
[[sources]]
name = "world"
type = "feed"
url = "{base}/rss"
interval = "1s"
[[sources]]
name = "inbox"
type = "folder"
path = "inbox"
interval = "1s"
settle = "0.1s"
[[sinks]]
name = "ops"
type = "webhook"
url = "{base}/hook"
secret = "{SECRET}"
""")
    env = {**os.environ}
    env.pop("NOTIFY_SOCKET", None)

    def start() -> subprocess.Popen[bytes]:
        return start_monitor(["--log-format", "json", "run", "--config", str(config)], cwd=tmp_path, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    kills = 0
    delays = []
    try:
        for _ in range(KILLS):
            proc = start()
            delay = rng.uniform(0.4, 2.2)
            delays.append(delay)
            time.sleep(delay)
            kill_group(proc)  # the daemon, its forkserver and its extraction workers, as a crash or OOM would
            kills += 1
        proc = start()
        expected = n_feed + n_files
        wait_for(lambda: len(received) >= expected, timeout=120, interval=0.5)
        time.sleep(1.5)  # a last chance for any duplicate delivery to show up
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        server.shutdown()

    db = sqlite3.connect(tmp_path / "state" / "monitor.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    alerts = db.execute("SELECT id, article_id FROM alerts").fetchall()
    per_article: dict[str, int] = {}
    for _, article_id in alerts:
        per_article[article_id] = per_article.get(article_id, 0) + 1
    articles = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    undelivered = db.execute("SELECT COUNT(*) FROM outbox WHERE status != 'delivered'").fetchone()[0]
    db.close()
    repeats = sum(n - 1 for n in received.values())
    report = {"kills": kills, "articles": articles, "alerts": len(alerts), "delivered_keys": len(received),
              "redeliveries_absorbed_by_key": repeats, "lost": expected - len(received), "undelivered": undelivered}
    print("fault injection:", json.dumps(report))
    assert kills >= 20
    assert articles == expected  # nothing lost, nothing stored twice
    assert len(alerts) == expected and max(per_article.values()) == 1  # one alert per article and route
    assert len(received) == expected and undelivered == 0  # every alert arrived
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == sorted(f"wire{j}.txt" for j in range(n_files))
