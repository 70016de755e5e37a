"""Issue 13, items 7 and 11: two daemons on one state directory; a read-only, corrupt or deleted database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import wait_for
from tests.faults import events, jsonl, start_daemon, stop_daemon, stories

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
