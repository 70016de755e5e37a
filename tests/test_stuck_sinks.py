"""Issue 13, item 3: one sink must not block all delivery.

A real daemon with four sinks — a JSONL file, a webhook that trickles an endless reply, an SMTP server that
accepts and never speaks, an Apprise (json://) service that never answers. The file sink gets every alert
while the other three hang; SIGTERM ends the daemon although an Apprise call is stuck in its thread; the
undelivered alerts stay queued and, restarted against honest receivers, arrive exactly once each.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import wait_for
from tests.faults import Mailbox, Recorder, Stuck, events, jsonl, start_daemon, stop_daemon, stories

pytestmark = pytest.mark.usefixtures("no_orphans")

N = 5


def config_text(webhook: str, smtp_port: int, apprise: str) -> str:
    return f"""
[daemon]
state_dir = "state"
delivery_timeout = "3s"
delivery_backoff = "0.2s"
delivery_attempts = 100
shutdown_grace = "2s"

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

[[sinks]]
name = "hook"
type = "webhook"
url = "{webhook}"
timeout = 300

[[sinks]]
name = "desk"
type = "email"
host = "127.0.0.1"
port = {smtp_port}
from = "monitor@example.org"
to = ["desk@example.org"]
timeout = 300

[[sinks]]
name = "phones"
type = "apprise"
urls = ["{apprise}"]
"""


def outbox(tmp_path: Path) -> dict[tuple[str, str], int]:
    with sqlite3.connect(tmp_path / "state" / "monitor.sqlite3") as db:
        return {(sink, status): n for sink, status, n in
                db.execute("SELECT sink, status, COUNT(*) FROM outbox GROUP BY sink, status")}


def test_stuck_sinks_hold_back_only_themselves_and_nothing_is_lost(tmp_path: Path) -> None:
    trickle, silent_smtp, silent_apprise = Stuck(trickle=True), Stuck(), Stuck()
    config = tmp_path / "monitor.toml"
    config.write_text(config_text(f"http://127.0.0.1:{trickle.port}/hook", silent_smtp.port,
                                  f"json://127.0.0.1:{silent_apprise.port}/?rto=300&cto=5"))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, text in stories(N).items():
        (inbox / name).write_text(text)
    alerts = tmp_path / "alerts.jsonl"
    proc = start_daemon(tmp_path, config, "run1.log")
    try:
        # Every alert reaches the file while the three other sinks hang (each attempt cut at 3 s and retried).
        wait_for(lambda: len(jsonl(alerts)) == N, timeout=60)
        # ... and the hanging ones were really tried and cut short, the Apprise call left stuck in its thread.
        wait_for(lambda: {e["sink"] for e in events(tmp_path / "run1.log")
                          if e["event"] == "alert.retry" and "delivery_timeout" in e["error"]}
                 >= {"hook", "desk", "phones"}, timeout=30)
        # (on a loaded machine the first attempt may be cut before Apprise, slow to import, connects: a retry does)
        wait_for(lambda: silent_apprise.connections, timeout=30)
    finally:
        code, _ = stop_daemon(proc)
        trickle.close()
        silent_smtp.close()
        silent_apprise.close()
    assert code == 0
    logged = [e["event"] for e in events(tmp_path / "run1.log")]
    assert "daemon.stopped" in logged
    # Nothing lost: the hanging sinks' alerts are still queued, none marked failed.
    assert outbox(tmp_path) == {("file", "delivered"): N, ("hook", "pending"): N, ("desk", "pending"): N,
                                ("phones", "pending"): N}

    # The receivers come back: every queued alert arrives, once, and the file gets nothing twice.
    hook, phones, desk = Recorder.start(), Recorder.start(), Mailbox()
    config.write_text(config_text(hook.url, desk.port, phones.url.replace("http://", "json://")))
    proc = start_daemon(tmp_path, config, "run2.log")
    try:
        wait_for(lambda: outbox(tmp_path).get(("phones", "delivered")) == N
                 and outbox(tmp_path).get(("hook", "delivered")) == N
                 and outbox(tmp_path).get(("desk", "delivered")) == N, timeout=60)
    finally:
        code, _ = stop_daemon(proc)
        hook.close()
        phones.close()
        desk.close()
    assert code == 0
    keys = [a["idempotency_key"] for a in jsonl(alerts)]
    assert len(keys) == len(set(keys)) == N
    assert len(hook.keys) == len(set(hook.keys)) == N and all(k.endswith("-hook") for k in hook.keys)
    assert len(desk.keys) == len(set(desk.keys)) == N
    assert len(phones.bodies) == N
