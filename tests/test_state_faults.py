"""Issue 13, items 7 and 11: two daemons on one state directory; a read-only, corrupt or deleted database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import wait_for
from tests.faults import events, jsonl, start_daemon, stop_daemon, stories
from tests.newsroom import page, rss, serve_stories

pytestmark = pytest.mark.usefixtures("no_orphans")

CONFIG = """
[daemon]
state_dir = "state"
shutdown_grace = "2s"

[[sources]]
name = "inbox"
type = "folder"
path = "inbox"
interval = "0.5s"
settle = "0.2s"

[[sinks]]
name = "file"
type = "jsonl"
path = "alerts.jsonl"
"""


def setup(tmp_path: Path, n: int = 0) -> Path:
    config = tmp_path / "monitor.toml"
    config.write_text(CONFIG)
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    for name, text in stories(n).items():
        (inbox / name).write_text(text)
    return config


def run_cmd(tmp_path: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MONITOR_CONFIG"}
    return subprocess.run([sys.executable, "-m", "monitor", *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=timeout, env=env)


def ready(log: Path) -> bool:
    return any(e["event"] == "daemon.ready" for e in events(log))


def test_second_daemon_on_one_state_directory_refuses_and_names_the_holder(tmp_path: Path) -> None:
    config = setup(tmp_path, 4)
    first = start_daemon(tmp_path, config, "first.log")
    try:
        wait_for(lambda: ready(tmp_path / "first.log"), timeout=60)
        second = run_cmd(tmp_path, "run", "--config", str(config))
        assert second.returncode != 0
        assert f"pid {first.pid}" in second.stderr and "state directory is in use" in second.stderr, second.stderr
        assert "Traceback" not in second.stderr
        wait_for(lambda: len(jsonl(tmp_path / "alerts.jsonl")) == 4, timeout=60)
        assert first.poll() is None  # the holder runs on, undisturbed
    finally:
        code, _ = stop_daemon(first)
    assert code == 0
    keys = [a["idempotency_key"] for a in jsonl(tmp_path / "alerts.jsonl")]
    assert len(keys) == len(set(keys)) == 4  # nothing delivered twice
    # The lock goes with its holder: the next daemon starts (and `--once` takes the lock too).
    again = run_cmd(tmp_path, "run", "--once", "--config", str(config))
    assert again.returncode == 0, again.stderr


FEED_CONFIG = """
[daemon]
state_dir = "state"
allow_private_networks = true
shutdown_grace = "2s"

[[sources]]
name = "world"
type = "feed"
url = "{url}"
interval = "1s"

[[sinks]]
name = "file"
type = "jsonl"
path = "alerts.jsonl"
"""


def test_database_deleted_under_the_daemon_is_noticed_and_nothing_is_sent_twice(http_server, tmp_path: Path) -> None:
    items = serve_stories(http_server)  # two of the three stories raise an alert
    http_server.routes["/rss"] = (200, {"Content-Type": "application/rss+xml"}, rss(http_server.base, items))
    config = tmp_path / "monitor.toml"
    config.write_text(FEED_CONFIG.format(url=http_server.url("/rss")))
    alerts, db = tmp_path / "alerts.jsonl", tmp_path / "state" / "monitor.sqlite3"
    proc = start_daemon(tmp_path, config, "run1.log")
    try:
        wait_for(lambda: len(jsonl(alerts)) == 2, timeout=60)
        for f in db.parent.glob("monitor.sqlite3*"):  # the database, its WAL and shared memory: all gone
            f.unlink()
        code = proc.wait(timeout=60)  # the daemon notices, reports and stops by itself
    finally:
        if proc.poll() is None:
            stop_daemon(proc)
    assert code == 1
    lost = next(e for e in events(tmp_path / "run1.log") if e["event"] == "state.lost")
    assert str(db) in lost["error"] and "deleted" in lost["error"]
    rescued = next(e for e in events(tmp_path / "run1.log") if e["event"] == "state.rescued")
    assert rescued["path"] == str(db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM outbox WHERE status = 'delivered'").fetchone()[0] == 2

    # Restarted, the daemon reads the same feed again and sends nothing twice; a new story still gets through.
    title, text = next(iter(stories(1).items()))
    for path in ("/news/later", "/news/later?utm_source=rss"):
        http_server.routes[path] = (200, {"Content-Type": "text/html; charset=utf-8"}, page(title, text))
    http_server.routes["/rss"] = (200, {"Content-Type": "application/rss+xml"},
                                  rss(http_server.base, [*items, ("later", title, text[:120])]))
    proc = start_daemon(tmp_path, config, "run2.log", level="DEBUG")
    try:
        wait_for(lambda: len(jsonl(alerts)) >= 3, timeout=60)
        wait_for(lambda: sum(1 for e in events(tmp_path / "run2.log") if e["event"] == "source.polled") >= 3)
    finally:
        code, _ = stop_daemon(proc)
    assert code == 0
    keys = [a["idempotency_key"] for a in jsonl(alerts)]
    assert len(keys) == len(set(keys)) == 3


@pytest.mark.parametrize("fault", ["corrupt", "read-only"])
def test_damaged_or_read_only_database_is_a_clear_error_naming_the_file(tmp_path: Path, fault: str) -> None:
    config = setup(tmp_path, 1)
    assert run_cmd(tmp_path, "run", "--once", "--config", str(config)).returncode == 0
    state = tmp_path / "state"
    db = state / "monitor.sqlite3"
    mounted = False
    if fault == "corrupt":
        db.write_bytes(b"this is not a database\n" * 400)
        expected = "not a database"
    elif os.geteuid() != 0:
        for f in state.iterdir():
            f.chmod(0o444)
        state.chmod(0o555)
        expected = "read-only"
    else:  # root writes through file modes: a read-only file system it is
        saved = {f.name: f.read_bytes() for f in state.iterdir()}
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(state)]).returncode != 0:
            pytest.skip("root without mount rights: cannot make a read-only file system")
        mounted = True
        for name, data in saved.items():
            (state / name).write_bytes(data)
        subprocess.run(["mount", "-o", "remount,ro", str(state)], check=True)
        expected = "read-only"
    try:
        for args in (["run", "--once"], ["run"], ["status"]):
            result = run_cmd(tmp_path, *args, "--config", str(config))
            if fault == "read-only" and args == ["status"]:
                continue  # reading may work or fail; it is writing that must be refused clearly
            assert result.returncode != 0, (args, result.stdout)
            assert "Traceback" not in result.stderr, result.stderr
            assert result.stderr.startswith("monitor: error: "), result.stderr
            assert (str(db) in result.stderr or str(state) in result.stderr) and expected in result.stderr.lower(), \
                result.stderr
    finally:
        if mounted:
            subprocess.run(["umount", str(state)], check=True)
        elif fault == "read-only":
            state.chmod(0o755)
