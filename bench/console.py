"""How long the console's pages take on a large state: N alerts (each with its article's text) in SQLite.

    python bench/console.py [--alerts 10000] [--chars 3000]

Fills a fresh SQLite state through the store API (articles of --chars characters, one to three findings
each, four sources, two routes), then serves the console on 127.0.0.1 (uvicorn, as the daemon does) and
times each page over real HTTP: median and slowest of 5 requests.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx

from monitor.config import ConsoleConfig
from monitor.console.app import Console, create_app
from monitor.console.server import ConsoleServer
from monitor.model import Alert, Article, Evidence, Finding
from monitor.store import open_store

WORDS = "the army said on monday that gunmen killed people near the border while talks went on".split()


def fill(state: Path, n: int, chars: int) -> None:
    store = open_store(state)
    rng = random.Random(7)
    for i in range(n):
        body = " ".join(rng.choice(WORDS) for _ in range(chars // 5))[:chars]
        text = f"Story {i}. Gunmen killed {i % 90 + 2} people in the market. {body}"
        start = text.index("killed")
        findings = [Finding("casualties", rng.choice(["low", "medium", "high"]), 0.8, f"{i % 90 + 2} killed",
                            (Evidence.at(text, start, start + 6),), {"category": "killed", "count": i % 90 + 2})]
        if i % 3 == 0:
            findings.append(Finding("escalation", "critical", 0.7, "War", (Evidence.at(text, 0, 5),),
                                    {"category": "war"}))
        article = Article.create(text, url=f"https://example.org/{i}", source=f"feed-{i % 4}", title=f"Story {i}")
        alert = Alert.create(f"route-{i % 2}", article, findings)
        store.record_article(f"k{i}", "v", article, findings, [(alert, ["file"], None)])
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--chars", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp)
        started = time.perf_counter()
        fill(state, args.alerts, args.chars)
        print(f"{args.alerts} alerts of {args.chars} characters stored in {time.perf_counter() - started:.1f} s; "
              f"database {(state / 'monitor.sqlite3').stat().st_size / 1e6:.0f} MB")
        store = open_store(state)
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, daemon=True)
        thread.start()
        server = ConsoleServer(create_app(Console(store)), ConsoleConfig(listen="127.0.0.1:0"))
        asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)
        some = store.console_alerts(limit=1)[0][0]["id"]
        pages = {"alerts": "/alerts", "alerts, page 20": "/alerts?page=20",
                 "alerts, detector=escalation": "/alerts?detector=escalation",
                 "alerts, severity>=high": "/alerts?severity=high", "alerts, source": "/alerts?source=feed-1",
                 "alerts, text search": "/alerts?q=story+4242", "one alert": f"/alerts/{some}",
                 "sources": "/sources"}
        with httpx.Client(base_url=f"http://{server.address}", timeout=60) as client:
            print(f"{'page':<30} {'median ms':>10} {'slowest ms':>10}")
            for name, path in pages.items():
                times = []
                for _ in range(5):
                    t = time.perf_counter()
                    assert client.get(path).status_code == 200
                    times.append((time.perf_counter() - t) * 1000)
                print(f"{name:<30} {statistics.median(times):>10.0f} {max(times):>10.0f}")
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        store.close()


if __name__ == "__main__":
    main()
