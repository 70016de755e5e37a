"""Running as a service: the systemd notify protocol around a real ``monitor run``, the unit file, the
Docker files, and the plugin author's kit (scaffold, hook reference, testing helper)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from monitor.scaffold import hook_reference, plugin_names
from tests.conftest import ROOT, wait_for


@pytest.mark.usefixtures("no_orphans")
def test_systemd_notify_ready_watchdog_stopping(tmp_path: Path) -> None:
    sock_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(sock_path))
    sock.settimeout(0.2)
    messages: list[str] = []

    def drain() -> list[str]:
        while True:
            try:
                messages.append(sock.recv(4096).decode())
            except TimeoutError:
                return messages

    env = {**os.environ, "NOTIFY_SOCKET": str(sock_path), "WATCHDOG_USEC": "1500000"}
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "run"], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: any("READY=1" in m for m in drain()), timeout=60)
        wait_for(lambda: sum("WATCHDOG=1" in m for m in drain()) >= 2, timeout=10)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    drain()
    sock.close()
    assert any(m.startswith("READY=1") and "STATUS=watching 1 source(s)" in m for m in messages)
    assert any("STOPPING=1" in m for m in messages)
    assert messages.index(next(m for m in messages if "READY=1" in m)) < messages.index(
        next(m for m in messages if "STOPPING=1" in m))


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_unit_verifies_and_is_sandboxed(tmp_path: Path) -> None:
    unit = (ROOT / "deploy" / "systemd" / "media-monitor.service").read_text()
    monitor_bin = shutil.which("monitor") or str(Path(sys.executable).parent / "monitor")
    local = tmp_path / "media-monitor.service"
    local.write_text(unit.replace("/opt/media-monitor/bin/monitor", monitor_bin))
    verify = subprocess.run(["systemd-analyze", "verify", str(local)], capture_output=True, text=True)
    assert verify.returncode == 0 and verify.stdout + verify.stderr == ""
    security = subprocess.run(["systemd-analyze", "security", "--offline=true", str(local)], capture_output=True,
                              text=True)
    level = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", security.stdout)
    assert level and float(level.group(1)) <= 2.0, security.stdout[-500:]
    assert "Type=notify" in unit and "DynamicUser=yes" in unit and "Restart=on-failure" in unit


def test_dockerfile_is_multistage_non_root_with_healthcheck_and_pins() -> None:
    from tests.deploy_check import check_dockerfile

    stages = check_dockerfile().stages  # COPY sources present and not ignored, numeric USER, exec forms
    assert len(stages) == 2 and stages[0].base == stages[1].base
    text = (ROOT / "deploy" / "docker" / "Dockerfile").read_text()
    assert re.search(r"^USER 10001:10001$", text, re.M) and "monitor.healthcheck" in text
    assert "--constraint constraints.txt" in text and "ARG EXTRAS" in text
    pins = (ROOT / "deploy" / "docker" / "constraints.txt").read_text().splitlines()
    assert any(line.startswith("trafilatura==") for line in pins)  # hadolint: tests/test_deploy.py


def test_hook_reference_is_generated_and_up_to_date() -> None:
    doc = (ROOT / "docs" / "hooks.md").read_text()
    assert doc == hook_reference(), "docs/hooks.md is stale: run `monitor plugin hooks > docs/hooks.md`"
    for hook in ("monitor_register_detectors", "monitor_register_sinks", "monitor_register_sources",
                 "monitor_enrich_article"):
        assert f"## `{hook}" in doc


def test_scaffolded_plugin_installs_is_listed_and_finds(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    """The ecosystem's habit, a hyphenated name: distribution monitor-cyber-watch, module monitor_cyber_watch."""
    made = monitor("plugin", "new", "cyber-watch", "--dir", str(tmp_path))
    assert made.code == 0, made.err
    package = tmp_path / "monitor-cyber-watch"
    assert (package / "monitor_cyber_watch.py").is_file()
    project = tomllib.loads((package / "pyproject.toml").read_text())
    assert project["project"]["name"] == "monitor-cyber-watch"
    assert project["project"]["entry-points"]["monitor"] == {"cyber_watch": "monitor_cyber_watch"}
    site = tmp_path / "site"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                              "--target", str(site), str(package)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    assert [d.name for d in (site).glob("monitor_cyber_watch-*.dist-info")], sorted(p.name for p in site.iterdir())
    env = {"PYTHONPATH": str(site)}
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(package / "tests")],
                           capture_output=True, text=True, env={**os.environ, **env}, cwd=tmp_path)
    assert tests.returncode == 0 and "3 passed" in tests.stdout, tests.stdout + tests.stderr
    listed = {p["name"]: p for p in json.loads(monitor("plugins", "--json", env=env).out)["plugins"]}
    assert listed["cyber_watch"]["version"] == "0.1.0" and listed["cyber_watch"]["detectors"] == ["cyber_watch"]
    article = tmp_path / "a.txt"
    article.write_text("A ransomware attack hit the ministry; two guards were injured.")
    checked = json.loads(monitor("check", "--format", "json", str(article), env=env).out)
    assert {"cyber_watch", "casualties"} <= {f["detector"] for f in checked["findings"]}
    config = tmp_path / "c.toml"
    config.write_text('[plugins]\ndisable = ["cyber_watch"]\n')
    disabled = json.loads(monitor("check", "--format", "json", "--config", str(config), str(article), env=env).out)
    assert "cyber_watch" not in {f["detector"] for f in disabled["findings"]}


@pytest.mark.parametrize("given", ["flood-watch", "flood_watch", "monitor-flood-watch"])
def test_plugin_names_either_way_give_one_distribution_and_module(given: str) -> None:
    assert plugin_names(given) == ("monitor-flood-watch", "flood_watch")


@pytest.mark.parametrize("bad", ["Flood", "flood--watch", "_flood", "flood watch", "9lives", "flood-"])
def test_bad_plugin_names_are_refused_with_the_rule(bad: str, tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    refused = monitor("plugin", "new", bad, "--dir", str(tmp_path))
    assert refused.code == 2 and f"plugin name {bad!r}" in refused.err and "flood-watch" in refused.err
    assert list(tmp_path.iterdir()) == []


def test_testing_helper_in_three_lines() -> None:
    from monitor.testing import detect, pairs

    assert pairs(detect("casualties", "Nine people were killed."), "category", "count") == {("killed", 9)}
    assert detect("casualties", "Nine people were killed.", min_count=10) == []
