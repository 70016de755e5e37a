"""The daemon's HTTP path alone: CPU of the fetching process per page, and the connections it opened.

    python bench/fetch.py [--pages DIR] [--n 540] [--concurrency 16] [--profile FILE]

A local server (in its own process, as in ``bench/pipeline.py``) serves N pages; one :class:`monitor.fetch.Fetcher`
(the daemon's settings: ``per_host_connections`` requests at a time to the one host, the guard on with
127.0.0.1 allowed) GETs them all with that many requests in flight. Reports ``time.process_time()`` of this
process per page — the share of the daemon's own CPU that is HTTP — and how many connections were opened
(kept-alive ones are reused: at most one per request in flight).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pipeline import load_pages, serve  # noqa: E402
from monitor.fetch import Fetcher  # noqa: E402
from monitor.guard import Guard  # noqa: E402


async def fetch_all(base: str, paths: list[str], concurrency: int) -> tuple[float, int]:
    async with Fetcher(allow_private=Guard.from_settings(False, ["127.0.0.1"]), per_host=concurrency) as f:
        await f.get(base + paths[0])  # one connection up, as in a running daemon
        queue = list(paths)

        async def worker() -> None:
            while queue:
                await f.get(base + queue.pop())

        cpu = time.process_time()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.process_time() - cpu, f.connections_opened


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=Path)
    ap.add_argument("--n", type=int, default=540)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--profile", type=Path, help="write a cProfile of the fetching to FILE")
    args = ap.parse_args()
    pages = load_pages(args.pages, args.n)
    server, base = serve({f"/news/{name}": body for name, body in pages})
    try:
        paths = [f"/news/{name}" for name, _ in pages]
        if args.profile:
            prof = cProfile.Profile(time.process_time)
            prof.enable()
        cpu, opened = asyncio.run(fetch_all(base, paths, args.concurrency))
        if args.profile:
            prof.disable()
            prof.dump_stats(args.profile)
    finally:
        server.shutdown()
    print(f"{len(paths)} pages, {args.concurrency} in flight: {cpu:.3f} s CPU = {cpu / len(paths) * 1000:.2f} ms/page; "
          f"connections opened: {opened}")


if __name__ == "__main__":
    main()
