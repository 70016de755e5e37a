"""Issue 13, items 4, 5 and 6: workers that survive a full disk and a killed extraction process, plugin calls
off the event loop and bounded in time, bad findings dropped alone, and caps on what one input may bring.
Real SQLite files, real process pools, a real HTTP server and the daemon as a subprocess."""

from __future__ import annotations

import asyncio
import json
import math
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from typing import Any

import structlog

from monitor import Evidence, Finding, hookimpl
from monitor.config import parse_config
from monitor.hookspecs import DetectorOptions
from monitor.model import Article
from monitor.pipeline import invalid_finding
from monitor.plugins import build_plugins
from monitor.runners.local import LocalRunner
from monitor.store import open_store
from tests.conftest import wait_for
from tests.newsroom import STORIES, page, rss
from tests.test_daemon import XML, alerts, close, make_runner, run_once

FOLDER = '[[sources]]\nname = "inbox"\ntype = "folder"\npath = "{inbox}"\nsettle = "0.1s"\n'


class FullDisk:
    """The real SQLite store, with writes failing as on a full disk while ``full`` is set."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.full = threading.Event()
        self.refused = 0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._store, name)
        if name in ("record_article", "record_failure", "record_item_alias"):
            def write(*args: Any, **kwargs: Any) -> Any:
                if self.full.is_set():
                    self.refused += 1
                    raise sqlite3.OperationalError("database or disk is full")
                return attr(*args, **kwargs)
            return write
        return attr


def test_a_full_disk_keeps_the_document_reports_unhealthy_and_recovers(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("Four people were killed when the roof collapsed, officials said.")
    (inbox / "empty.txt").write_text("")  # a document failure: recording it needs the store too
    runner = make_runner(tmp_path, FOLDER.format(inbox=inbox))
    disk = FullDisk(runner.store)
    runner.store = disk  # type: ignore[assignment]
    runner.outbox.store = disk  # type: ignore[assignment]
    disk.full.set()
    seen: list[dict[str, Any]] = []

    async def go() -> None:
        task = asyncio.create_task(runner.run_once())
        while disk.refused < 4:  # both documents refused, retried at least once
            await asyncio.sleep(0.05)
        assert "store" in runner.problems and "disk is full" in runner.problems["store"]
        assert not (inbox / "processed").exists() and not (inbox / "failed").exists()  # kept, not lost
        assert not task.done()  # the workers are alive, waiting for the disk
        disk.full.clear()  # space returns
        await task

    with structlog.testing.capture_logs() as logs:
        asyncio.run(go())
    seen = logs
    assert runner.problems == {}
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["a.txt"]
    assert sorted(p.name for p in (inbox / "failed").iterdir()) == ["empty.txt", "empty.txt.reason"]
    assert [a["findings"][0]["attributes"]["count"] for a in alerts(tmp_path)] == [4]  # once, not lost
    events = [e["event"] for e in seen]
    assert "store.write_failed" in events and "health.unhealthy" in events and "health.recovered" in events
    close(runner)


def test_a_killed_extraction_process_is_replaced_and_no_page_fails(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "first.html").write_bytes(page(*STORIES["troops"]))
    runner = make_runner(tmp_path, FOLDER.format(inbox=inbox))
    run_once(runner)
    old = runner.processor.extraction.pids()
    assert old
    for pid in old:
        os.kill(pid, signal.SIGKILL)  # the OOM killer
    (inbox / "second.html").write_bytes(page(*STORIES["blast"]))
    with structlog.testing.capture_logs() as logs:
        run_once(runner)
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["first.html", "second.html"]
    assert not (inbox / "failed").exists()  # nothing went to failed/ with BrokenProcessPool
    assert set(runner.processor.extraction.pids()).isdisjoint(old) and runner.problems == {}
    events = [(e["event"], e.get("part")) for e in logs]
    assert ("extraction.pool_broken", None) in events
    assert ("health.unhealthy", "extraction") in events and ("health.recovered", "extraction") in events
    assert runner.store.stats().articles == 2
    close(runner)


# -- plugins misbehaving ---------------------------------------------------------------------------------

RELEASE = threading.Event()


class Hangs:
    name = "hangs"
    version = "1"
    options_model = DetectorOptions

    def __init__(self, options: DetectorOptions) -> None:
        self.options = options

    def detect(self, article: Article) -> list[Finding]:
        RELEASE.wait(60)  # "forever", as far as the test is concerned; released at its end
        return [Finding(detector=self.name, severity="high", score=1.0, summary="late")]


class Sloppy:
    """One good finding and every kind of bad one."""

    name = "sloppy"
    version = "1"
    options_model = DetectorOptions

    def __init__(self, options: DetectorOptions) -> None:
        self.options = options

    def detect(self, article: Article) -> list[Any]:
        text = article.text
        good = Finding(detector=self.name, severity="medium", score=0.5, summary="ok",
                       evidence=(Evidence.at(text, 0, 4),), attributes={"words": ["a", "b"], "n": 1.5})
        return [
            good,
            Finding(detector=self.name, severity="low", score=0.5, summary="set", attributes={"tags": {"x"}}),
            Finding(detector=self.name, severity="low", score=0.5, summary="obj", attributes={"o": object()}),
            Finding(detector=self.name, severity="low", score=0.5, summary="nan", attributes={"v": math.nan}),
            Finding(detector=self.name, severity="low", score=0.5, summary="far",
                    evidence=(Evidence(text="", start=len(text) + 5, end=len(text) + 9),)),
            {"detector": self.name},
        ]


class Misbehaving:
    @hookimpl
    def monitor_register_detectors(self, register: Any) -> None:
        register(Hangs)
        register(Sloppy)


def test_a_hanging_detector_is_abandoned_and_bad_findings_are_dropped_alone(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("Four people were killed when the roof collapsed, officials said.")
    config = parse_config(
        f'[daemon]\nstate_dir = "{tmp_path / "state"}"\ndetector_timeout = "0.5s"\n'
        + FOLDER.format(inbox=inbox)
        + f'[[sinks]]\nname = "file"\ntype = "jsonl"\npath = "{tmp_path / "alerts.jsonl"}"\n')
    runner = LocalRunner(config, build_plugins(extra=[("misbehaving", Misbehaving())]),
                         open_store(config.daemon.state_dir), processes=1)
    try:
        with structlog.testing.capture_logs() as logs:
            run_once(runner)
    finally:
        RELEASE.set()
    detectors = sorted({f["detector"] for a in alerts(tmp_path) for f in a["findings"]})
    assert detectors == ["casualties", "sloppy"]  # the article kept, with every good finding
    sloppy = [f for a in alerts(tmp_path) for f in a["findings"] if f["detector"] == "sloppy"]
    assert [f["summary"] for f in sloppy] == ["ok"]
    timed_out = [e for e in logs if e["event"] == "plugin.timed_out"]
    assert [e["plugin"] for e in timed_out] == ["misbehaving"] and "hangs" in timed_out[0]["call"]
    problems = sorted(e["problem"] for e in logs if e["event"] == "detector.invalid_finding")
    assert len(problems) == 5 and all(e["plugin"] == "misbehaving" for e in logs
                                      if e["event"] == "detector.invalid_finding")
    assert any("set" in p for p in problems) and any("object" in p for p in problems)
    assert any("finite" in p for p in problems) and any("outside the text" in p for p in problems)
    assert (inbox / "processed" / "a.txt").exists()
    close(runner)


def test_invalid_finding_names_what_is_wrong() -> None:
    article = Article.create("Four people were killed.")
    ok = Finding(detector="d", severity="low", score=0.5, summary="s", attributes={"a": {"b": [1, None, "x"]}})
    assert invalid_finding(ok, article) is None
    bad = Finding(detector="d", severity="low", score=0.5, summary="s", attributes={"a": {"b": [1, {2}]}})
    assert invalid_finding(bad, article) == "attributes.a.b[1] is a set, which is not JSON-safe"
    inf = Finding(detector="d", severity="low", score=0.5, summary="s", attributes={"x": math.inf})
    assert invalid_finding(inf, article) == "attributes.x is inf, not a finite number"
    keys = Finding(detector="d", severity="low", score=0.5, summary="s", attributes={"m": {1: "x"}})
    assert "keys must be strings" in (invalid_finding(keys, article) or "")


# -- caps on what one input may bring --------------------------------------------------------------------

def test_oversized_entries_and_texts_are_set_aside_with_their_reason(http_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "huge.txt").write_text("Four people were killed. " * 2000)  # 50,000 characters
    (inbox / "fine.txt").write_text("Three soldiers were wounded near the border.")
    big = "<p>" + "Nine soldiers were killed. " * 400 + "</p>"
    http_server.routes["/rss"] = (200, XML, rss(http_server.base, []).replace(
        b"</channel>", f"<item><title>Big</title><guid>big</guid><description><![CDATA[{big}]]></description>"
                       "</item><item><title>Small</title><guid>small</guid><description>Two soldiers were "
                       "wounded in the north.</description></item></channel>".encode()))
    feed = (f'[[sources]]\nname = "world"\ntype = "feed"\nurl = "{http_server.url("/rss")}"\ninterval = "1m"\n'
            'max_entry_chars = 5000\n')
    runner = make_runner(tmp_path, FOLDER.format(inbox=inbox) + feed, extra="max_text_chars = 20000")
    run_once(runner)
    reasons = {key: reason for key, _source, reason, _when in runner.store.failures()}
    big_reason = next(r for k, r in reasons.items() if k.startswith("guid:") and k.endswith("big"))
    assert "over the max_entry_chars limit of 5000" in big_reason
    assert "over the max_text_chars limit of 20000" in (inbox / "failed" / "huge.txt.reason").read_text()
    assert (inbox / "failed" / "huge.txt").stat().st_size == 50000  # kept whole, not truncated
    counts = sorted(f["attributes"]["count"] for a in alerts(tmp_path) for f in a["findings"])
    assert counts == [2, 3]
    close(runner)


# -- the daemon: health and SIGTERM while a detector hangs -----------------------------------------------

HANGING_PLUGIN = '''
import time
from monitor import DetectorOptions, hookimpl

class Hangs:
    name = "hangs"
    version = "1"
    options_model = DetectorOptions
    def __init__(self, options):
        self.options = options
    def detect(self, article):
        time.sleep(3600)
        return []

@hookimpl
def monitor_register_detectors(register):
    register(Hangs)
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_daemon_stays_healthy_and_stops_on_sigterm_while_a_detector_hangs(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "hanging.py").write_text(HANGING_PLUGIN)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    port = _free_port()
    (tmp_path / "monitor.toml").write_text(
        f'[daemon]\nstate_dir = "state"\nhealth_listen = "127.0.0.1:{port}"\ndetector_timeout = "1s"\n'
        f'extract_processes = 1\n[plugins]\ndirs = ["{plugins}"]\n' + FOLDER.format(inbox=inbox)
        + '[[sinks]]\nname = "file"\ntype = "jsonl"\npath = "alerts.jsonl"\n')
    (inbox / "a.txt").write_text("Four people were killed when the roof collapsed, officials said.")
    err = (tmp_path / "stderr").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "--log-format", "json", "run",
                             "--config", "monitor.toml"], cwd=tmp_path, stderr=err, stdout=subprocess.DEVNULL)
    try:
        wait_for(lambda: b"plugin.timed_out" in (tmp_path / "stderr").read_bytes(), timeout=60)
        wait_for(lambda: (tmp_path / "alerts.jsonl").exists(), timeout=30)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as resp:
            assert resp.status == 200 and json.loads(resp.read())["status"] == "ok"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0  # the hanging thread does not keep the daemon alive
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        err.close()
    lines = [json.loads(line) for line in (tmp_path / "stderr").read_text().splitlines() if line.startswith("{")]
    timed_out = [e for e in lines if e["event"] == "plugin.timed_out"]
    assert timed_out and "hanging" in timed_out[0]["plugin"]
    assert [a["findings"][0]["detector"] for a in alerts(tmp_path)] == ["casualties"]
