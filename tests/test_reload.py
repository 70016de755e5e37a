"""Issue 13, item 8: SIGHUP applies every setting, or refuses and names what needs a restart.

A real daemon polls a feed on 127.0.0.1 with the guard off; a reload that turns the guard on must stop it
fetching loopback (the HTTP client used to be built once); a reload that moves the state directory is refused.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.conftest import wait_for
from tests.faults import events, start_daemon, stop_daemon
from tests.newsroom import rss

pytestmark = pytest.mark.usefixtures("no_orphans")


def config_text(feed: str, guard_off: bool, state_dir: str = "state") -> str:
    return f"""
[daemon]
state_dir = "{state_dir}"
allow_private_networks = {"true" if guard_off else "false"}
shutdown_grace = "2s"

[[sources]]
name = "local"
type = "feed"
url = "{feed}"
interval = "1s"
"""


def test_reload_turning_the_guard_on_stops_fetching_loopback(http_server, tmp_path: Path) -> None:
    http_server.routes["/rss"] = (200, {"Content-Type": "application/rss+xml"}, rss(http_server.base, []))
    feed = http_server.url("/rss")
    config = tmp_path / "monitor.toml"
    config.write_text(config_text(feed, guard_off=True))
    log = tmp_path / "run.log"
    proc = start_daemon(tmp_path, config, "run.log", level="DEBUG")

    def logged(event: str) -> list[dict]:
        return [e for e in events(log) if e["event"] == event]

    def refusals() -> list[dict]:
        return [e for e in logged("source.failed") if "refused" in e.get("error", "")]

    try:
        wait_for(lambda: http_server.hits("/rss") >= 2, timeout=60)  # loopback allowed: the feed is read

        # A restart-only change is refused as a whole, naming the setting; the daemon keeps polling.
        config.write_text(config_text(feed, guard_off=False, state_dir="elsewhere"))
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: logged("config.reload_failed"))
        hits = http_server.hits("/rss")
        wait_for(lambda: http_server.hits("/rss") > hits)  # still the old config: guard off, loopback read
        assert not (tmp_path / "elsewhere").exists()

        # The guard turned on by a reload applies to the very next request.
        config.write_text(config_text(feed, guard_off=False))
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: logged("config.reloaded"))
        wait_for(lambda: len(refusals()) >= 1, timeout=30)
        hits = http_server.hits("/rss")
        wait_for(lambda: len(refusals()) >= 2, timeout=30)
        assert http_server.hits("/rss") == hits  # refused before connecting: nothing reached the server
    finally:
        code, _ = stop_daemon(proc)
    assert code == 0
    failed = logged("config.reload_failed")[0]
    assert "[daemon] state_dir" in failed["error"] and "restart" in failed["error"]
    assert failed["kept"] == "previous configuration"
