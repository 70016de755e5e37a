"""A corpus of 1,000+ malformed and hostile inputs through the feed path and ``monitor check``: nothing
crashes or hangs, memory stays bounded, every refused input is recorded with its reason."""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monitor.config import parse_config
from monitor.plugins import build_plugins
from monitor.runners.local import LocalRunner
from monitor.store import open_store
from tests.hostile.generate import generate
from tests.newsroom import start_server

pytestmark = pytest.mark.hostile


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    root = tmp_path_factory.mktemp("hostile")
    return root, generate(root)


def test_corpus_has_every_family_and_1000_inputs(corpus) -> None:  # type: ignore[no-untyped-def]
    _, counts = corpus
    assert sum(counts.values()) >= 1000
    for family in ("truncated", "mutated", "encoding", "laughs", "xxe", "gzipbomb", "oversized", "longline",
                   "htmlfeed", "manyentries", "baddate", "binary", "empty", "slow", "unicode"):
        assert counts.get(family), family


def serve_dir(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = folder / self.path.lstrip("/")
            data = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            if path.name.endswith(".gz"):
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)  # the client may stop reading at its size cap

        def log_message(self, *args: object) -> None:
            pass

    return start_server(Handler)


def test_feed_path_survives_and_records_every_refusal(corpus, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root, _ = corpus
    feeds = sorted((root / "feeds").iterdir())
    server, base = serve_dir(root / "feeds")
    sources = "".join(f'[[sources]]\nname = "s{i}"\ntype = "feed"\nurl = "{base}/{p.name}"\nfetch_pages = false\n'
                      for i, p in enumerate(feeds))
    config = parse_config(f'[daemon]\nstate_dir = "{tmp_path / "state"}"\nallow_private_networks = true\n'
                          f'max_body_bytes = 5000000\nfetch_timeout = "10s"\nper_host_connections = 8\n{sources}'
                          f'[[sinks]]\nname = "f"\ntype = "jsonl"\npath = "{tmp_path / "alerts.jsonl"}"\n')
    runner = LocalRunner(config, build_plugins(), open_store(config.daemon.state_dir), processes=1)
    started = time.monotonic()
    asyncio.run(runner.run_once())
    elapsed = time.monotonic() - started
    server.shutdown()
    states = {s.name: s for s in runner.store.source_states()}
    assert len(states) == len(feeds)  # every feed was polled and its outcome recorded
    refused = {n: s.last_error for n, s in states.items() if s.last_error}
    assert all(reason and len(reason) > 10 for reason in refused.values())
    by_name = {f"s{i}": p.name for i, p in enumerate(feeds)}
    refused_families = {by_name[n].split("-")[0] for n in refused}
    assert {"gzipbomb", "oversized", "binary", "empty", "htmlfeed"} <= refused_families
    texts = [json.loads(r[0])["text"] for r in runner.store.db.execute("SELECT doc FROM articles")]
    assert texts and not any("root:x:0:0" in t or "PATH=" in t for t in texts)  # no external entity was read
    assert runner.store.integrity_check() == "ok"
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = {"feeds": len(feeds), "refused": len(refused), "articles": len(texts), "seconds": round(elapsed, 1),
              "peak_rss_mb": round(peak_mb)}
    print("feed path:", json.dumps(report))
    assert elapsed < 240 and peak_mb < 1500
    asyncio.run(runner.close())
    runner.store.close()


def test_monitor_check_survives_every_page(corpus) -> None:  # type: ignore[no-untyped-def]
    root, _ = corpus
    pages = sorted((root / "pages").iterdir())
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "monitor", "check", "--format", "json", str(root / "pages")],
                          capture_output=True, timeout=600)
    elapsed = time.monotonic() - started
    assert proc.returncode in (0, 2), proc.stderr[-2000:]
    assert b"Traceback" not in proc.stderr
    articles = [json.loads(line) for line in proc.stdout.splitlines()]
    errors = [line for line in proc.stderr.decode("utf-8", "replace").splitlines()
              if line.startswith("monitor: error: ")]
    assert len(articles) + len(errors) == len(pages)  # every input either read or refused with its name
    named = {Path(a["article"]["path"]).name for a in articles}
    for line in errors:
        assert any(p.name in line for p in pages), line
    assert not named & {e.split(": ")[2].rsplit("/", 1)[-1] for e in errors}
    assert not any("root:x:0:0" in a["article"]["text"] for a in articles)
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print("monitor check:", json.dumps({"pages": len(pages), "read": len(articles), "refused": len(errors),
                                         "seconds": round(elapsed, 1), "peak_rss_mb": round(child_peak)}))
    assert child_peak < 1500
