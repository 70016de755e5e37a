"""Issue 14, item 4: the plugin contract is complete — a source without the optional attributes gets their
defaults and works in the real daemon, and ``aclose()`` is called on reload (SIGHUP) and on exit."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from monitor.plugins import build_plugins, close_all
from monitor.sinks.webhook import WebhookOptions, WebhookSink
from monitor.wiring import build_sources
from tests.conftest import wait_for
from tests.faults import events, start_daemon, stop_daemon

pytestmark = pytest.mark.usefixtures("no_orphans")

CLOSING = '''
from pathlib import Path
from monitor import Options, Receipt, hookimpl
from monitor.model import Document

STORY = b"Gunmen killed 14 villagers in a raid on the town of Kalo, officials said on Monday."


def _mark(path, line):
    with open(path, "a") as fh:
        fh.write(line + "\\n")


class MarkerOptions(Options):
    path: str


class MarkerSink:
    options_model = MarkerOptions
    type = "marker"
    def __init__(self, name, options):
        self.name, self.path = name, options.path
    async def deliver(self, alert, idempotency_key):
        _mark("delivered.txt", alert.id)
        return Receipt(ok=True)
    async def aclose(self):
        _mark(self.path, f"sink {self.name} {id(self)}")


class QuietOptions(Options):
    path: str


class QuietSource:
    """No ``interval``, no ``silence_after``: the contract's defaults apply."""
    options_model = QuietOptions
    type = "quiet"
    def __init__(self, name, options):
        self.name, self.path = name, options.path
    async def poll(self, ctx):
        if not ctx.seen("quiet:1", "1"):
            yield Document(source=self.name, key="quiet:1", body=STORY, kind="text", version="1")
    def done(self, document, ok, reason=None):
        pass
    async def aclose(self):
        _mark(self.path, f"source {self.name} {id(self)}")


@hookimpl
def monitor_register_sinks(register):
    register(MarkerSink)


@hookimpl
def monitor_register_sources(register):
    register(QuietSource)
'''

CONFIG = """
[daemon]
state_dir = "state"
shutdown_grace = "2s"
delivery_timeout = "1s"

[plugins]
dirs = ["plugins"]

[[sources]]
name = "quiet"
type = "quiet"
path = "closed.txt"

[[sinks]]
name = "marker"
type = "marker"
path = "closed.txt"
"""


def test_a_source_without_optional_attributes_gets_the_contract_defaults(tmp_path: Path) -> None:
    (tmp_path / "closing.py").write_text(CLOSING)
    plugins = build_plugins([tmp_path])
    config_path = tmp_path / "monitor.toml"
    config_path.write_text(CONFIG)
    from monitor.config import load_config

    (source,) = build_sources(load_config(config_path), plugins).values()
    assert source.interval == 300.0 and source.silence_after is None


def test_aclose_is_called_on_sighup_and_on_exit_and_such_a_source_works(tmp_path: Path) -> None:
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "closing.py").write_text(CLOSING)
    config = tmp_path / "monitor.toml"
    config.write_text(CONFIG)
    closed = tmp_path / "closed.txt"

    def lines() -> list[str]:
        return closed.read_text().splitlines() if closed.exists() else []

    proc = start_daemon(tmp_path, config, "run.log")
    try:
        # The source without interval or silence_after is polled, and its story goes all the way to the sink.
        wait_for(lambda: (tmp_path / "delivered.txt").exists(), timeout=30)
        assert lines() == []  # nothing closed while in use
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: any(e["event"] == "config.reloaded" for e in events(tmp_path / "run.log")))
        # The replaced sink and source are closed once a delivery begun with them would be over (1 s here).
        wait_for(lambda: len(lines()) == 2, timeout=15)
        after_reload = sorted(lines())
        assert [line.split()[:2] for line in after_reload] == [["sink", "marker"], ["source", "quiet"]]
    finally:
        code, _ = stop_daemon(proc)
    assert code == 0, (tmp_path / "run.log").read_text()[-2000:]
    final = lines()
    assert len(final) == 4 and sorted(final[:2]) == after_reload  # each object closed once
    # On exit the objects of the reloaded config were closed: new objects, not the old ones again.
    assert {line.split()[0] for line in final[2:]} == {"sink", "source"}
    assert not set(final[2:]) & set(after_reload)
    failed = [e for e in events(tmp_path / "run.log") if e["event"] in ("plugin.aclose_failed", "source.failed")]
    assert failed == []


def test_close_all_isolates_a_failing_aclose(tmp_path: Path) -> None:
    closed: list[str] = []

    class Closing:
        def __init__(self, name: str, fail: bool = False) -> None:
            self.name, self.fail = name, fail

        async def aclose(self) -> None:
            if self.fail:
                raise RuntimeError("boom")
            closed.append(self.name)

    asyncio.run(close_all([Closing("a"), Closing("b", fail=True), object(), Closing("c")]))
    assert closed == ["a", "c"]


def test_the_webhook_sink_closes_its_http_client(http_server) -> None:  # type: ignore[no-untyped-def]
    sink = WebhookSink("hook", WebhookOptions(url=http_server.url("/hook")))

    async def use_then_close() -> bool:
        client = sink._http()
        await client.get(http_server.url("/anything"))  # a pooled connection to release
        await sink.aclose()
        return client.is_closed

    assert asyncio.run(use_then_close()) is True
    assert sink._client is None
