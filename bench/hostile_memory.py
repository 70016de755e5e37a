"""Peak memory (max RSS of a fresh subprocess) under each bomb, and time to give up on a trickled page, all
against a hostile server on 127.0.0.1. ``python -m bench.hostile_memory`` prints a Markdown table for the
README's reliability section."""

from __future__ import annotations

import asyncio
import resource
import subprocess
import sys
import threading
import time

CASES = {
    "page, 'gzip, gzip', 1 GB decoded": ("page", 1024),
    "page, 'gzip, gzip', 3 GB decoded": ("page", 3072),
    "feed, 'gzip, gzip', 1 GB decoded": ("feed", 1024),
    "webhook reply, 'gzip, gzip', 1 GB decoded": ("hook-bomb", 1024),
    "webhook reply, endless body": ("hook-endless", 0),
}


def child(kind: str, megabytes: int) -> None:
    """One attack in this process; prints the outcome and this process's peak RSS in MB."""
    from monitor.fetch import Fetcher, FetchError
    from monitor.sinks.webhook import WebhookOptions, WebhookSink
    from tests.hostile.servers import Hostile, gzip_bomb, send_bomb, send_endless
    from tests.test_hostile_servers import an_alert

    server, release = Hostile(), threading.Event()
    bomb = gzip_bomb(megabytes) if megabytes else b""
    server.routes["/x"] = (send_endless(release) if kind == "hook-endless" else
                           send_bomb(bomb, "gzip, gzip", "application/rss+xml" if kind == "feed" else "text/html"))
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    async def go() -> str:
        if kind.startswith("hook"):
            receipt = await WebhookSink("ops", WebhookOptions(url=server.url("/x"), timeout=30)).deliver(
                an_alert(), "k")
            return receipt.detail
        async with Fetcher(allow_private=True) as f:  # the daemon's defaults: 10 MB cap
            try:
                await f.get(server.url("/x"))
            except FetchError as exc:
                return exc.problem
        return "fetched"

    outcome = asyncio.run(go())
    release.set()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{outcome}\t{peak:.0f}\t{base:.0f}")


def trickle() -> str:
    from monitor.fetch import Fetcher, FetchError
    from tests.hostile.servers import Hostile, send_trickle

    server, release = Hostile(), threading.Event()
    server.routes["/slow"] = send_trickle(release, every=1.0, limit=60)  # 1 byte/s

    async def go() -> str:
        async with Fetcher(allow_private=True, deadline=10.0) as f:
            started = time.monotonic()
            try:
                await f.get(server.url("/slow"))
            except FetchError as exc:
                return f"{exc.problem} — after {time.monotonic() - started:.1f} s"
        return "fetched"

    try:
        return asyncio.run(go())
    finally:
        release.set()


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
        return
    print("| attack (127.0.0.1) | outcome | peak RSS of the process |\n|---|---|---|")
    for name, (kind, mb) in CASES.items():
        out = subprocess.run([sys.executable, "-m", "bench.hostile_memory", "--child", kind, str(mb)],
                             capture_output=True, text=True, check=True, timeout=300).stdout.strip()
        outcome, peak, base = out.rsplit("\t", 2)
        print(f"| {name} | {outcome} | {peak} MB (baseline after imports {base} MB) |")
    print(f"| page trickled at 1 byte/s, fetch_deadline 10 s | {trickle()} | — |")


if __name__ == "__main__":
    main()
