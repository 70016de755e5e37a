"""Configuration: schema, ${ENV} substitution, errors that say where, secrets kept out of output."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load_config, parse_config
from monitor.config_text import redact
from monitor.errors import ConfigError
from monitor.pipeline import build_pipeline
from monitor.plugins import build_plugins

ROOT = Path(__file__).resolve().parent.parent


def test_example_config_is_valid(monitor) -> None:  # type: ignore[no-untyped-def]
    result = monitor("config", "check", str(ROOT / "config" / "monitor.toml"))
    assert result.code == 0, result.err
    assert "OK" in result.out


def test_secrets_are_redacted_from_printed_config() -> None:
    doc = {"sinks": [{"name": "ops", "secret": "s3cr3t-value", "password": "pw",
                      "url": "https://hooks.slack.com/services/T000/B000/XXXXSECRET"}],
           "sources": [{"name": "world", "url": "https://example.org/rss.xml"}]}
    shown = str(redact(doc))
    assert "s3cr3t-value" not in shown and "'pw'" not in shown and "XXXXSECRET" not in shown
    assert "https://hooks.slack.com/***" in shown and "https://example.org/rss.xml" in shown


def test_env_substitution_with_default() -> None:
    cfg = parse_config('[daemon]\nstate_dir = "${STATE:-/var/lib/x}/${SUB}"\n', env={"SUB": "s"})
    assert cfg.daemon.state_dir == "/var/lib/x/s"


def test_missing_env_var_names_key_and_variable() -> None:
    with pytest.raises(ConfigError, match=r"daemon\.state_dir: environment variable NOPE is not set"):
        parse_config('[daemon]\nstate_dir = "${NOPE}"\n', env={})


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text('[daemon]\nstate_dir = "unterminated\n')
    with pytest.raises(ConfigError, match=rf"{f}: not valid TOML: .*line 2"):
        load_config(f)


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text('[daemon]\nstate_dri = "x"\n')
    with pytest.raises(ConfigError, match=rf"{f}:2: daemon.state_dri: Extra inputs are not permitted"):
        load_config(f)


def test_route_must_name_a_defined_sink() -> None:
    with pytest.raises(ConfigError, match=r"routes\[0\]\.sinks: unknown sink 'ops'"):
        parse_config('[[routes]]\nsinks = ["ops"]\n')


def test_detector_options_are_validated_by_the_detector_schema(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text("[detectors.casualties]\nmin_count = 10\n\n[detectors.escalation]\nenabled = false\n")
    cfg = load_config(f)
    pipeline = build_pipeline(build_plugins(), cfg)
    names = {d.name for d in pipeline.detectors}
    assert "escalation" not in names
    casualties = next(d for d in pipeline.detectors if d.name == "casualties")
    assert casualties.options.min_count == 10  # type: ignore[attr-defined]


def test_unknown_detector_table_is_an_error(tmp_path: Path) -> None:
    f = tmp_path / "c.toml"
    f.write_text("[detectors.casualtys]\nmin_count = 10\n")
    with pytest.raises(ConfigError, match=r"detectors\.casualtys: no such detector"):
        build_pipeline(build_plugins(), load_config(f))


def test_config_check_rejects_bad_sink_options(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "c.toml"
    f.write_text('[[sinks]]\nname = "file"\ntype = "jsonl"\npaht = "x.jsonl"\n')
    result = monitor("config", "check", str(f))
    assert result.code == 2
    assert f"{f}:4: sinks[0].paht" in result.err


DURATIONS = """
[daemon]
shutdown_grace = {grace}

[[sources]]
name = "world"
type = "feed"
url = "https://example.org/rss.xml"
interval = {interval}

[[sinks]]
name = "ops"
type = "webhook"
url = "https://hooks.example.org/in"
timeout = {timeout}

[[routes]]
sinks = ["ops"]
throttle = {{ max = 5, per = {per} }}
"""


@pytest.mark.parametrize(("grace", "interval", "timeout", "per", "error"), [
    ('"20s"', '"5m"', '"10s"', '"1h"', None),
    ("20", "300", "2.5", "3600", None),  # a number of seconds is a duration too
    ('"20 seconds"', '"5m"', '"10s"', '"1h"', "daemon.shutdown_grace: Value error, not a duration"),
    ('"20s"', '"5 min"', '"10s"', '"1h"', "sources[0].interval: Value error, not a duration"),
    ('"20s"', '"5m"', '"0s"', '"1h"', "sinks[0].timeout: Value error, must be longer than 0 s"),
    ('"20s"', '"5m"', '"10s"', '"-1h"', "routes[0].throttle.per: Value error, not a duration"),
])
def test_every_duration_option_is_one_type(tmp_path: Path, grace: str, interval: str, timeout: str, per: str,
                                            error: str | None) -> None:
    """The daemon's, a source's, a sink's and a route's durations are read and refused the same way."""
    from monitor.durations import parse_duration
    from monitor.wiring import build_sinks, build_sources

    path = tmp_path / "monitor.toml"
    path.write_text(DURATIONS.format(grace=grace, interval=interval, timeout=timeout, per=per))
    plugins = build_plugins()
    try:
        config = load_config(path)
        sources, sinks = build_sources(config, plugins), build_sinks(config, plugins)
    except ConfigError as exc:
        assert error is not None and error in str(exc), str(exc)
        assert f"{path}:" in str(exc)  # the file (and line) named
        return
    assert error is None
    assert parse_duration(config.daemon.shutdown_grace) == 20
    assert sources["world"].interval == 300
    assert sinks["ops"].timeout in (10, 2.5)  # type: ignore[attr-defined]
    assert parse_duration(config.routes[0].throttle.per) == 3600  # type: ignore[union-attr]
