"""The plugin contract: hooks documented, built-ins loaded like third-party plugins, isolation."""

from __future__ import annotations

import inspect
import json
import textwrap
from pathlib import Path

import pytest

from monitor import Article, hookspecs
from monitor.pipeline import build_pipeline
from monitor.plugins import build_plugins

PLUGIN_DIR = Path(__file__).parent / "plugins"


def test_every_hook_is_documented() -> None:
    hooks = [f for name, f in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("monitor_")]
    assert len(hooks) >= 4
    for hook in hooks:
        assert hook.__doc__ and len(hook.__doc__.strip()) > 80, f"{hook.__name__} needs a docstring"


def test_builtins_are_default_plugins_registered_through_the_hooks() -> None:
    plugins = build_plugins()
    assert {"casualties", "deployments", "escalation"} <= set(plugins.detectors)
    assert {"console", "jsonl"} <= set(plugins.sinks)
    assert "folder" in plugins.sources
    origins = {info.name: info.origin for info in plugins.info()}
    assert origins["casualties"] == "built-in monitor_plugins.casualties"
    by_name = {info.name: info for info in plugins.info()}
    assert by_name["builtin_sinks"].hooks == ("monitor_register_sinks",)


def test_env_var_limits_third_party_plugins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_LOAD_PLUGINS", "acme")
    plugins = build_plugins()
    assert {"casualties", "deployments", "escalation"} <= set(plugins.detectors)
    assert {"folder", "feed"} <= set(plugins.sources)
    assert {"console", "jsonl", "webhook"} <= set(plugins.sinks)


def test_disable_by_name() -> None:
    plugins = build_plugins(disable=["escalation"])
    assert "escalation" not in plugins.detectors
    assert "casualties" in plugins.detectors


def test_plugin_dir_is_loaded_and_its_findings_appear() -> None:
    plugins = build_plugins([PLUGIN_DIR], disable=["broken_detector"])
    pipeline = build_pipeline(plugins)
    _, findings = pipeline.run(Article.create("BREAKING: four people were killed in a blast."))
    detectors = {f.detector for f in findings}
    assert {"shouting", "casualties"} <= detectors


def test_a_raising_plugin_is_logged_counted_and_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pipeline = build_pipeline(build_plugins([PLUGIN_DIR]))
    article = Article.create("BREAKING: four people were killed in a blast.")
    _, findings = pipeline.run(article)
    assert {"shouting", "casualties"} <= {f.detector for f in findings}
    assert pipeline.stats.plugin_errors["broken_detector"] == 2  # its detector and its enricher
    _, again = pipeline.run(article)
    assert len(again) == len(findings)


def test_a_plugin_that_fails_to_import_is_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "bad_import.py").write_text("import does_not_exist_anywhere\n")
    plugins = build_plugins([tmp_path])
    assert "bad_import" in plugins.problems
    assert "casualties" in plugins.detectors


def test_duplicate_detector_name_is_refused(tmp_path: Path) -> None:
    (tmp_path / "dupe.py").write_text(textwrap.dedent("""
        from monitor import DetectorOptions, hookimpl
        class Again:
            name = "casualties"; version = "9"; options_model = DetectorOptions
            def __init__(self, options): pass
            def detect(self, article): return []
        @hookimpl
        def monitor_register_detectors(register):
            register(Again)
    """))
    plugins = build_plugins([tmp_path])
    assert "already registered" in plugins.problems["dupe"]
    assert plugins.owners[("detector", "casualties")] == "casualties"


def test_enrich_hook_changes_what_detectors_see(tmp_path: Path) -> None:
    (tmp_path / "lang.py").write_text(textwrap.dedent("""
        from monitor import hookimpl
        @hookimpl
        def monitor_enrich_article(article):
            return article.with_changes(language="en", metadata={**article.metadata, "enriched": True})
    """))
    pipeline = build_pipeline(build_plugins([tmp_path]))
    article, _ = pipeline.run(Article.create("Nothing happened."))
    assert article.language == "en"
    assert article.metadata["enriched"] is True


def test_monitor_plugins_lists_name_version_hooks_origin(monitor) -> None:  # type: ignore[no-untyped-def]
    result = monitor("plugins", "--json", "--plugins-dir", str(PLUGIN_DIR))
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    by_name = {p["name"]: p for p in doc["plugins"]}
    assert by_name["casualties"]["hooks"] == ["monitor_register_detectors"]
    assert by_name["casualties"]["version"]
    assert by_name["shouting"]["origin"].endswith("shouting.py")
    assert by_name["shouting"]["detectors"] == ["shouting"]


def test_third_party_package_is_found_through_entry_points(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    """A package installed elsewhere on sys.path, with a dist-info declaring the entry point."""
    site = tmp_path / "site"
    pkg = site / "acme_detector"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(textwrap.dedent("""
        from monitor import DetectorOptions, Evidence, Finding, hookimpl
        class Acme:
            name = "acme"; version = "2.1"; options_model = DetectorOptions
            def __init__(self, options): pass
            def detect(self, article):
                i = article.text.find("ACME")
                if i >= 0:
                    yield Finding(detector="acme", severity="low", score=0.5, summary="ACME mentioned",
                                  evidence=[Evidence.at(article.text, i, i + 4)])
        @hookimpl
        def monitor_register_detectors(register):
            register(Acme)
    """))
    dist = site / "acme_detector-2.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-detector\nVersion: 2.1\n")
    (dist / "entry_points.txt").write_text("[monitor]\nacme = acme_detector\n")
    article = tmp_path / "a.txt"
    article.write_text("ACME shares fell after three workers were injured.")
    env = {"PYTHONPATH": str(site)}
    listed = monitor("plugins", "--json", env=env)
    by_name = {p["name"]: p for p in json.loads(listed.out)["plugins"]}
    assert by_name["acme"]["version"] == "2.1"
    assert "acme-detector" in by_name["acme"]["origin"]
    checked = monitor("check", "--format", "json", str(article), env=env)
    assert checked.code == 0, checked.err
    detectors = {f["detector"] for f in json.loads(checked.out)["findings"]}
    assert {"acme", "casualties"} <= detectors
