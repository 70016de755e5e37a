"""Issue 14, item 3: the built-in detectors, sources and sinks are always there; ``MONITOR_LOAD_PLUGINS``
filters third-party plugins only; ``MONITOR_TRACE_PLUGINS`` logs each plugin call — through the real command."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.conftest import SEED

pytestmark = pytest.mark.usefixtures("no_orphans")

DETECTOR = """
from monitor import DetectorOptions, Evidence, Finding, hookimpl

class {cls}:
    name = "{name}"; version = "1.0"; options_model = DetectorOptions
    def __init__(self, options): pass
    def detect(self, article):
        i = article.text.find("{word}")
        if i >= 0:
            yield Finding(detector="{name}", severity="medium", score=0.9, summary="{word} mentioned",
                          evidence=[Evidence.at(article.text, i, i + len("{word}"))])

@hookimpl
def monitor_register_detectors(register):
    register({cls})
"""


def _install(site: Path, package: str, dist: str, entry: str, code: str) -> None:
    """A package on ``site`` with a dist-info declaring a ``monitor`` entry point, as pip would leave it."""
    (site / package).mkdir(parents=True)
    (site / package / "__init__.py").write_text(textwrap.dedent(code))
    info = site / f"{dist}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[monitor]\n{entry} = {package}\n")


def test_load_plugins_filters_third_party_only_and_the_builtins_still_run(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    site = tmp_path / "site"
    _install(site, "acme_detector", "acme-detector", "acme", DETECTOR.format(cls="Acme", name="acme", word="ACME"))
    _install(site, "zeta_detector", "zeta-detector", "zeta", DETECTOR.format(cls="Zeta", name="zeta", word="ACME"))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "story.txt").write_text("ACME depot hit: gunmen killed 14 villagers in a raid on the town, "
                                     "officials said on Monday.\n")
    # No config: the embedded defaults — the built-in folder source on ./inbox, console and JSON Lines sinks.
    ran = monitor("--log-format", "json", "run", "--once",
                  env={"PYTHONPATH": str(site), "MONITOR_LOAD_PLUGINS": "acme"}, timeout=60)
    assert ran.code == 0, ran.err
    assert "unknown source type" not in ran.err
    assert (inbox / "processed" / "story.txt").exists()  # the built-in folder source read and moved it
    alerts = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]  # built-in sink
    detectors = {f["detector"] for a in alerts for f in a["findings"]}
    assert {"acme", "casualties"} <= detectors  # the selected third-party plugin and a built-in detector
    assert "zeta" not in detectors  # the third-party plugin left out by MONITOR_LOAD_PLUGINS
    assert "ALERT [" in ran.out  # the built-in console sink printed it


def test_trace_switch_logs_each_hook_and_detector_call_with_plugin_and_duration(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    # Commands other than run log from WARNING up unless told otherwise; trace lines are INFO.
    checked = monitor("--log-format", "json", "--log-level", "INFO", "check", str(SEED),
                      env={"MONITOR_TRACE_PLUGINS": "1"})
    assert checked.code == 0, checked.err
    calls = [e for e in map(json.loads, filter(None, checked.err.splitlines())) if e["event"] == "plugin.call"]
    hooks = {(c["plugin"], c["hook"]) for c in calls}
    assert {("builtin_sinks", "monitor_register_sinks"), ("builtin_sources", "monitor_register_sources"),
            ("casualties", "monitor_register_detectors"), ("casualties", "detect")} <= hooks
    assert all(isinstance(c["ms"], float | int) and c["ms"] >= 0 for c in calls)
    assert any(c.get("detector") == "deployments" for c in calls if c["hook"] == "detect")

    untraced = monitor("--log-format", "json", "--log-level", "INFO", "check", str(SEED))
    assert untraced.code == 0 and "plugin.call" not in untraced.err
