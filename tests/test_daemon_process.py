"""``monitor run`` as a real subprocess: feed and folder processed, SIGTERM, restart, nothing twice;
SIGHUP reload; health and metrics endpoints."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import SEED, wait_for
from tests.newsroom import rss, serve_stories

# A SIGTERMed daemon takes its forkserver and extraction workers with it: nothing outlives a test.
pytestmark = pytest.mark.usefixtures("no_orphans")

XML = {"Content-Type": "application/rss+xml"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(tmp_path: Path, config: Path, log_name: str, level: str = "INFO") -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("NOTIFY_SOCKET", None)
    log = (tmp_path / log_name).open("wb")
    return subprocess.Popen([sys.executable, "-m", "monitor", "--log-format", "json", "--log-level", level, "run",
                             "--config", str(config)], cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, env=env)


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def events(path: Path) -> list[dict]:
    out = []
    for line in path.read_text().splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def test_daemon_end_to_end_sigterm_restart_nothing_twice(http_server, tmp_path: Path) -> None:
    items = serve_stories(http_server)
    http_server.routes["/rss"] = (200, XML, rss(http_server.base, items))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    port = free_port()
    config = tmp_path / "monitor.toml"
    config.write_text(f"""
[daemon]
state_dir = "state"
allow_private_networks = true
health_listen = "127.0.0.1:{port}"
shutdown_grace = "5s"

[[sources]]
name = "world"
type = "feed"
url = "{http_server.url('/rss')}"
interval = "1s"

[[sources]]
name = "inbox"
type = "folder"
path = "inbox"
interval = "1s"
settle = "0.2s"

[[sinks]]
name = "file"
type = "jsonl"
path = "alerts.jsonl"
""")
    (inbox / "seed.txt").write_text(SEED.read_text())
    alerts = tmp_path / "alerts.jsonl"
    proc = start(tmp_path, config, "run1.log")
    try:
        wait_for(lambda: len(lines(alerts)) >= 3, timeout=60)  # two feed stories and the seed
        wait_for(lambda: (inbox / "processed" / "seed.txt").exists())
        health = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read())
        assert health["status"] == "ok"
        def metrics() -> str:
            return urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()

        # the bridge story raises no alert, so it may still be in flight when the three alerts are in
        wait_for(lambda: 'monitor_documents_total{outcome="processed",source="world"} 3.0' in metrics())
        assert "monitor_queue_depth" in metrics()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    first = lines(alerts)
    assert len(first) == 3
    logged = [e["event"] for e in events(tmp_path / "run1.log")]
    assert "daemon.ready" in logged and "daemon.stopped" in logged

    # Restart: the same feed and a copy of the same seed file under another name bring nothing new.
    (inbox / "seed-again.txt").write_text(SEED.read_text())
    proc = start(tmp_path, config, "run2.log", level="DEBUG")  # polls that find nothing log at DEBUG
    try:
        wait_for(lambda: (inbox / "processed" / "seed-again.txt").exists(), timeout=60)
        wait_for(lambda: sum(1 for e in events(tmp_path / "run2.log") if e["event"] == "source.polled"
                             and e.get("source") == "world") >= 2, timeout=30)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    assert lines(alerts) == first
    status = subprocess.run([sys.executable, "-m", "monitor", "status", "--json", "--config", str(config)],
                            cwd=tmp_path, capture_output=True, check=True)
    report = json.loads(status.stdout)
    assert report["counts"]["alerts"] == 3 and report["counts"]["articles"] == 4
    assert {s["name"]: s["health"] for s in report["sources"]} == {"world": "ok", "inbox": "ok"}
    assert report["outbox"] == {"pending": 0, "delivered": 3, "failed": 0}
    assert report["daemon"]["running"] is False and report["daemon"]["state"] == "stopped"


def test_sighup_reloads_sources_and_keeps_old_config_when_new_is_invalid(http_server, tmp_path: Path) -> None:
    items = serve_stories(http_server, ["blast"])
    http_server.routes["/rss"] = (200, XML, rss(http_server.base, items))
    config = tmp_path / "monitor.toml"
    base = """
[daemon]
state_dir = "state"
allow_private_networks = true

[[sinks]]
name = "file"
type = "jsonl"
path = "alerts.jsonl"
"""
    config.write_text(base)
    proc = start(tmp_path, config, "run.log")
    log = tmp_path / "run.log"
    try:
        wait_for(lambda: any(e["event"] == "daemon.ready" for e in events(log)), timeout=60)
        config.write_text(base + "[daemon.nonsense]\n")
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: any(e["event"] == "config.reload_failed" for e in events(log)))
        config.write_text(base + f'\n[[sources]]\nname = "world"\ntype = "feed"\nurl = "{http_server.url("/rss")}"\n')
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: len(lines(tmp_path / "alerts.jsonl")) == 1, timeout=60)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    failed = next(e for e in events(log) if e["event"] == "config.reload_failed")
    assert "daemon.nonsense" in failed["error"] and failed["kept"] == "previous configuration"
