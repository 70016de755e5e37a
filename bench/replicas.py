"""Replicas on PostgreSQL beside the single-process SQLite daemon, on the same local newsroom.

    python bench/replicas.py --pages DIR [--feeds 12] [--entries 25] [--pg postgresql://postgres@127.0.0.1/postgres]

Runs, side by side in one process tree: the embedded runner on SQLite (in-process, ``--once``); then 1 and
2 ``monitor run`` replicas on a fresh PostgreSQL database each, timed from start until every article is stored.
Prints articles per second for each and the queue's overhead per article (PostgreSQL jobs and locks).
Extraction processes are split so that every run uses the machine's 2 cores: 2 for one process or one
replica, 1 each for two replicas.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pipeline import load_pages, run_pipeline, serve  # noqa: E402


def replicas_run(base: str, feed_paths: list[str], n_replicas: int, admin: str, expected: int) -> float:
    import psycopg

    name = f"mm_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0] + f"/{name}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sources = "".join(f'[[sources]]\nname = "f{i}"\ntype = "feed"\nurl = "{base}{p}"\ninterval = "1h"\n'
                              f'max_entries = 100000\n' for i, p in enumerate(feed_paths))
            config = Path(tmp) / "monitor.toml"
            config.write_text(f'[store]\nurl = "{url}"\n[daemon]\nstate_dir = "{tmp}/state"\n'
                              f'allow_private_networks = true\nper_host_connections = 16\nextract_processes = '
                              f'{2 // n_replicas}\n{sources}'
                              f'[[sinks]]\nname = "file"\ntype = "jsonl"\npath = "{tmp}/alerts.jsonl"\n')
            from monitor.store import open_store

            open_store(tmp, url).close()  # migrate before the clock starts, as a running cluster has
            env = dict(os.environ)
            started = time.perf_counter()
            procs = [subprocess.Popen([sys.executable, "-m", "monitor", "--log-level", "WARNING", "run", "--config",
                                       str(config)], cwd=tmp, env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL) for _ in range(n_replicas)]
            with psycopg.connect(url) as conn:
                while True:
                    done = conn.execute("SELECT COUNT(*) FROM items").fetchone()[0]
                    if done >= expected:
                        break
                    time.sleep(0.05)
            elapsed = time.perf_counter() - started
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                p.wait(timeout=60)
            return elapsed
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=Path)
    ap.add_argument("--feeds", type=int, default=12)
    ap.add_argument("--entries", type=int, default=25)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = ap.parse_args()

    from tests.newsroom import rss

    n = args.feeds * args.entries
    pages = load_pages(args.pages, n)
    routes = {f"/news/{name}": body for name, body in pages}
    server, base = serve(routes)
    feed_paths = []
    for f in range(args.feeds):
        chunk = pages[f * args.entries:(f + 1) * args.entries]
        server.set(f"/feed{f}", rss(base, [(name, name, "") for name, _ in chunk]).replace(b"?utm_source=rss", b""))
        feed_paths.append(f"/feed{f}")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_s, _ = asyncio.run(run_pipeline(base, feed_paths, 2, Path(tmp) / "state"))
    one = replicas_run(base, feed_paths, 1, args.pg, n)
    two = replicas_run(base, feed_paths, 2, args.pg, n)
    server.shutdown()
    print(f"{n} articles ({args.pages or 'synthetic'}), {args.feeds} feeds x {args.entries} entries")
    print(f"SQLite, one process, 2 extraction processes:  {n / sqlite_s:6.1f} articles/s ({sqlite_s:.2f} s)")
    print(f"PostgreSQL + procrastinate, 1 replica:         {n / one:6.1f} articles/s ({one:.2f} s, incl. start-up)")
    print(f"PostgreSQL + procrastinate, 2 replicas:        {n / two:6.1f} articles/s ({two:.2f} s, incl. start-up)")


if __name__ == "__main__":
    main()
