"""Whole-pipeline throughput beside trafilatura alone, on the same pages, with the same number of processes.

    python bench/pipeline.py --pages DIR [--feeds 10] [--entries 20] [--processes 2]
    python bench/pipeline.py --flood 10000          # memory while 10,000 articles pass through

A local newsroom on 127.0.0.1 serves N feeds of M entries; each entry links to a page from DIR (.html or
.html.gz; the public ScrapingHub article-extraction benchmark is a good DIR) or to a synthetic page. The
daemon's runner processes every feed once (fetch, extract in a process pool, detect, store in SQLite, alert
to a JSON Lines file). Then trafilatura alone extracts the same pages with the same number of processes.
With --ground-truth FILE (the benchmark's ground-truth.json) it also scores the extracted text against the
reference with 4-gram shingle F1, for trafilatura's defaults and for media-monitor's settings.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import http.server
import json
import re
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load_pages(directory: Path | None, n: int) -> list[tuple[str, bytes]]:
    if directory is not None:
        files = sorted(p for p in directory.iterdir() if p.name.endswith((".html", ".htm", ".html.gz")))
        out = []
        for p in files:
            data = p.read_bytes()
            out.append((p.name.split(".")[0], gzip.decompress(data) if p.name.endswith(".gz") else data))
        return [(f"{name}-{i // len(out)}" if i >= len(out) else name, out[i % len(out)][1])
                for i, (name, _) in enumerate(out * (n // len(out) + 1)) if i < n]
    from tests.newsroom import STORIES, page

    stories = list(STORIES.values())
    return [(f"p{i}", page(f"{stories[i % 3][0]} ({i})", stories[i % 3][1] + f" Report number {i}."))
            for i in range(n)]


class _Server:
    """The newsroom runs in a process of its own, so serving pages costs the pipeline's process nothing."""

    def __init__(self, routes: dict[str, bytes]) -> None:
        ctx = get_context("fork")
        parent, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve_forever, args=(routes, child), daemon=True)
        self.proc.start()
        self.base = parent.recv()
        self.conn = parent

    def set(self, path: str, body: bytes) -> None:
        self.conn.send((path, body))
        self.conn.recv()

    def shutdown(self) -> None:
        self.proc.terminate()


def _serve_forever(routes: dict[str, bytes], conn) -> None:  # type: ignore[no-untyped-def]
    _server, base = _serve_in_thread(routes)
    conn.send(base)
    while True:
        path, body = conn.recv()
        routes[path] = body
        conn.send(True)


def serve(routes: dict[str, bytes]) -> tuple[_Server, str]:
    server = _Server(routes)
    return server, server.base


def _serve_in_thread(routes: dict[str, bytes]) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            body = routes.get(self.path)
            ctype = "application/rss+xml" if self.path.startswith("/feed") else "text/html; charset=utf-8"
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    from tests.newsroom import start_server

    return start_server(Handler)


def peak_rss_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def run_pipeline(base: str, feed_paths: list[str], processes: int, state: Path) -> tuple[float, object]:
    import os

    from monitor.config import parse_config
    from monitor.log import configure_logging
    from monitor.plugins import build_plugins

    # The daemon's own logging (JSON lines at INFO), written where it costs what it costs in production.
    configure_logging("INFO", json=True, stream=open(os.devnull, "w"))  # noqa: SIM115
    from monitor.runners.local import LocalRunner
    from monitor.store import open_store

    sources = "".join(f'[[sources]]\nname = "f{i}"\ntype = "feed"\nurl = "{base}{p}"\nmax_entries = 100000\n'
                      for i, p in enumerate(feed_paths))
    config = parse_config(f'[daemon]\nstate_dir = "{state}"\nallow_private_networks = true\nper_host_connections = 16\n'
                          f'{sources}[[sinks]]\nname = "file"\ntype = "jsonl"\npath = "{state}/alerts.jsonl"\n')
    runner = LocalRunner(config, build_plugins(), open_store(state), processes=processes)
    # Start the workers and pay one-time imports before the clock starts, as a running daemon has.
    await runner.processor.extraction.warm()
    from monitor.model import Article

    runner.wiring.pipeline.run(Article.create("Warm-up: two people were killed."))
    # The events engine loads its gazetteer once per process, on the first article with findings (0.4-0.9 s
    # of CPU here): paid before the clock starts too, as for the detectors, so that the figure is per article.
    from monitor.events.places import places_in

    places_in("Warm-up: two people were killed in Kyiv.")
    # feedparser is imported on the first poll (20-45 ms of CPU, once per process): paid here too.
    from monitor.sources.feed import _feedparser

    _feedparser()
    started, cpu = time.perf_counter(), time.process_time()
    await runner.run_once()
    elapsed = time.perf_counter() - started
    runner.stats.stage["main-process CPU"] = time.process_time() - cpu
    await runner.close()
    runner.store.close()
    return elapsed, runner.stats


def _extract_default(html: bytes) -> str:
    import trafilatura

    return trafilatura.extract(html.decode("utf-8", "replace")) or ""


def _extract_ours(html: bytes) -> str:
    import trafilatura

    from monitor.extract import TRAFILATURA_OPTIONS

    doc = trafilatura.bare_extraction(html.decode("utf-8", "replace"), **TRAFILATURA_OPTIONS)
    return (doc.text if doc is not None else "") or ""


def _warm() -> None:
    import trafilatura

    trafilatura.extract("<html><body><p>" + "warm up text " * 50 + "</p></body></html>")


def trafilatura_alone(pages: list[tuple[str, bytes]], processes: int, fn=_extract_default) -> tuple[float, list[str]]:  # type: ignore[no-untyped-def]
    with ProcessPoolExecutor(processes, mp_context=get_context("forkserver")) as pool:
        for warm in [pool.submit(_warm) for _ in range(processes)]:
            warm.result()
        started = time.perf_counter()
        texts = list(pool.map(fn, [body for _, body in pages], chunksize=4))
        return time.perf_counter() - started, texts


_TOKEN = re.compile(r"\w+", re.UNICODE)


def shingle_f1(reference: str, predicted: str, n: int = 4) -> tuple[float, float]:
    """Precision and recall of word 4-gram shingles (the measure the ScrapingHub benchmark reports)."""
    def shingles(text: str) -> Counter[tuple[str, ...]]:
        tokens = _TOKEN.findall(text.lower())
        return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)))

    ref, pred = shingles(reference), shingles(predicted)
    tp = sum((ref & pred).values())
    precision = tp / max(1, sum(pred.values()))
    recall = tp / max(1, sum(ref.values()))
    return precision, recall


def quality(pages: list[tuple[str, bytes]], truth_file: Path, processes: int) -> dict[str, float]:
    truth = json.loads(truth_file.read_text())
    out = {}
    for label, fn in (("defaults", _extract_default), ("media-monitor", _extract_ours)):
        _, texts = trafilatura_alone(pages, processes, fn)
        ps, rs = [], []
        for (name, _), text in zip(pages, texts, strict=True):
            ref = truth.get(name, {}).get("articleBody")
            if ref:
                p, r = shingle_f1(ref, text)
                ps.append(p)
                rs.append(r)
        p, r = statistics.mean(ps), statistics.mean(rs)
        out[label] = 2 * p * r / (p + r)
    return out


def flood(n: int, processes: int) -> None:
    """Memory while n articles pass through (RSS sampled every 1,000 articles)."""
    pages = load_pages(None, n)
    from tests.newsroom import rss

    routes: dict[str, bytes] = {f"/news/{name}": body for name, body in pages}
    per_feed = 500
    feeds = []
    for f in range(0, n, per_feed):
        chunk = pages[f:f + per_feed]
        path = f"/feed{f // per_feed}"
        feeds.append(path)
        routes[path] = b""  # filled below with the base URL
    server, base = serve(routes)
    for i, path in enumerate(feeds):
        chunk = pages[i * per_feed:(i + 1) * per_feed]
        server.set(path, rss(base, [(name, name, "") for name, _ in chunk]).replace(b"?utm_source=rss", b""))
    samples = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(0, len(feeds), 2):
            asyncio.run(run_pipeline(base, feeds[i:i + 2], processes, Path(tmp) / "state"))
            samples.append(((i + 2) * per_feed, current_rss_mb()))
    server.shutdown()
    print(f"flood: {n} articles; main-process RSS (MB) after each 1,000: "
          + ", ".join(f"{k}:{v:.0f}" for k, v in samples))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=Path)
    ap.add_argument("--ground-truth", type=Path)
    ap.add_argument("--feeds", type=int, default=10)
    ap.add_argument("--entries", type=int, default=20, help="entries per feed")
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--flood", type=int, default=0, help="run N articles through and report memory")
    args = ap.parse_args()
    if args.flood:
        flood(args.flood, args.processes)
        return

    from tests.newsroom import rss

    pages = load_pages(args.pages, args.feeds * args.entries)
    routes: dict[str, bytes] = {f"/news/{name}": body for name, body in pages}
    server, base = serve(routes)
    feed_paths = []
    for f in range(args.feeds):
        chunk = pages[f * args.entries:(f + 1) * args.entries]
        path = f"/feed{f}"
        server.set(path, rss(base, [(name, name, "") for name, _ in chunk]).replace(b"?utm_source=rss", b""))
        feed_paths.append(path)

    alone_s, _ = trafilatura_alone(pages, args.processes)
    with tempfile.TemporaryDirectory() as tmp:
        pipe_s, stats = asyncio.run(run_pipeline(base, feed_paths, args.processes, Path(tmp) / "state"))
    server.shutdown()
    n = len(pages)
    own, children = peak_rss_mb()
    print(f"pages: {n} ({args.pages or 'synthetic'}), {args.feeds} feeds x {args.entries} entries, "
          f"{args.processes} processes")
    print(f"trafilatura alone (defaults):     {n / alone_s:7.1f} pages/s  ({alone_s:.2f} s)")
    print(f"whole pipeline (media-monitor):   {n / pipe_s:7.1f} articles/s ({pipe_s:.2f} s)")
    print(f"pipeline / trafilatura alone:     {alone_s / pipe_s:7.2f}x")
    print(f"articles stored: {stats.processed}, duplicates: {stats.duplicates}, failed: {stats.failed}")  # type: ignore[attr-defined]
    print("time per stage (summed over workers, s): "
          + ", ".join(f"{k} {v:.2f}" for k, v in stats.stage.items()))  # type: ignore[attr-defined]
    print(f"peak RSS: main process {own:.0f} MB, largest child {children:.0f} MB")
    if args.ground_truth:
        q = quality(pages, args.ground_truth, args.processes)
        print("extraction quality, 4-gram shingle F1 vs ground truth: "
              + ", ".join(f"{k} {v:.3f}" for k, v in q.items()))


if __name__ == "__main__":
    main()
