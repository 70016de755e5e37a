"""A day at the console: whether the daemon runs, read-only commands that write nothing, held alerts with
their reasons and counts that agree, silences checked against the detectors, config check reporting every
problem with its line, commands that need no sink secrets, quiet idle logs, and one error style."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SEED, wait_for

STORIES = {
    "a.txt": "Gunmen killed 14 people in an attack on a market on Monday, officials said.",
    "b.txt": "Two soldiers were wounded when their patrol came under fire near the border.",
    "c.txt": "The army said 3,000 troops would be deployed to the region after the attack.",
}


def _line(text: str, fragment: str) -> int:
    """The 1-based line of the first line containing ``fragment``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def _events(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


def _daemon(tmp_path: Path, config: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("NOTIFY_SOCKET", None)
    return subprocess.Popen([sys.executable, "-m", "monitor", "--log-format", "json", "--log-level", "INFO", "run",
                             "--config", str(config)], cwd=tmp_path, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT, env=env)


def test_status_says_running_then_stopped_and_idle_polls_stay_quiet(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = tmp_path / "monitor.toml"
    config.write_text('[daemon]\nstate_dir = "state"\n[[sources]]\nname = "inbox"\ntype = "folder"\npath = "inbox"\n'
                      'interval = "0.2s"\nsettle = "0.1s"\n[[sinks]]\nname = "file"\ntype = "jsonl"\n'
                      'path = "alerts.jsonl"\n')
    log = tmp_path / "run.log"
    proc = _daemon(tmp_path, config, log)
    try:
        wait_for(lambda: any(e["event"] == "daemon.ready" for e in _events(log)), timeout=30)
        wait_for(lambda: (tmp_path / "state" / "status.json").exists(), timeout=10)
        running = monitor("status", "--json", "--config", str(config))
        daemon = json.loads(running.out)["daemon"]
        assert daemon["running"] is True and daemon["state"] == "running" and daemon["pid"] == proc.pid
        assert isinstance(daemon["heartbeat_age_s"], float) and isinstance(daemon["queued_documents"], int)
        text = monitor("status", "--config", str(config)).out
        assert text.startswith(f"daemon: running (pid {proc.pid}, ") and "queue: 0 documents, 0 in flight" in text
        assert "None" not in text and "{'" not in text
        time.sleep(2.0)  # ten idle polls of the inbox
        idle = [e for e in _events(log) if e["event"].startswith("source.")]
        assert idle == [], idle
        (inbox / "seed.txt").write_text(SEED.read_text())
        wait_for(lambda: any(e["event"] == "source.polled" and e.get("new") == 1 for e in _events(log)), timeout=30)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    polled = [e for e in _events(log) if e["event"] == "source.polled"]
    assert [e["level"] for e in polled] == ["info"] and polled[0]["new"] == 1
    stopped = json.loads(monitor("status", "--json", "--config", str(config)).out)["daemon"]
    assert stopped["running"] is False and stopped["state"] == "stopped" and stopped["stopped"]
    assert monitor("status", "--config", str(config)).out.startswith(f"daemon: stopped (pid {proc.pid} exited cleanly")

    killed = _daemon(tmp_path, config, tmp_path / "run2.log")
    try:
        wait_for(lambda: json.loads(monitor("status", "--json", "--config", str(config)).out)["daemon"]["running"],
                 timeout=30)
    finally:
        killed.kill()
        killed.wait(timeout=10)
    gone = json.loads(monitor("status", "--json", "--config", str(config)).out)["daemon"]
    assert gone["running"] is False and gone["state"] == "not running" and gone["pid"] == killed.pid


# 25 commands, each a fresh interpreter (about two seconds apiece on a quiet machine): more than the suite's
# per-test hang guard on a busy one, where CI once timed it out.
@pytest.mark.timeout(300)
def test_read_only_commands_create_nothing_in_an_empty_directory(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "empty"
    empty.mkdir()
    elsewhere = tmp_path / "conf"
    elsewhere.mkdir()
    config = elsewhere / "monitor.toml"
    config.write_text('[daemon]\nstate_dir = "state"\n[[sinks]]\nname = "ops"\ntype = "webhook"\n'
                      'url = "https://hooks.example.org/x"\nsecret = "${UNSET_SECRET_FOR_TEST}"\n')
    seed = elsewhere / "seed.txt"
    seed.write_text(SEED.read_text())
    commands = [("status",), ("status", "--json"), ("alerts",), ("alerts", "--json"), ("alerts", "--failed"),
                ("alerts", "--held"), ("alerts", "retry"), ("silence", "list"), ("db", "status"), ("plugins",),
                ("check", str(seed))]
    for args in commands:
        for extra in ((), ("--config", str(config))):
            cmd = ("alerts", *extra, "retry") if args == ("alerts", "retry") else (*args, *extra)
            result = monitor(*cmd, cwd=empty)
            assert result.code == 0, (cmd, result.err)
            assert "None" not in result.out or args[0] in ("check", "plugins"), (cmd, result.out)
    expired = monitor("silence", "expire", "abc123", cwd=empty)
    assert expired.code == 2 and "no active silence 'abc123'" in expired.err
    checked = monitor("config", "check", str(config), cwd=empty)
    assert checked.code == 2 and "UNSET_SECRET_FOR_TEST" in checked.err
    assert list(empty.iterdir()) == []
    assert sorted(p.name for p in elsewhere.iterdir()) == ["monitor.toml", "seed.txt"]


def test_held_alerts_are_listed_with_why_and_counts_agree(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, text in STORIES.items():
        (inbox / name).write_text(text)
    config = tmp_path / "monitor.toml"
    config.write_text(
        '[daemon]\nstate_dir = "state"\n[[sources]]\nname = "inbox"\ntype = "folder"\npath = "inbox"\n'
        'settle = "0.1s"\n[[sinks]]\nname = "file"\ntype = "jsonl"\npath = "alerts.jsonl"\n'
        '[[sinks]]\nname = "copy"\ntype = "jsonl"\npath = "copy.jsonl"\n'
        '[[routes]]\nname = "tolls"\ndetectors = ["casualties"]\nsinks = ["file", "copy"]\n'
        '[[routes]]\nname = "moves"\ndetectors = ["deployments"]\ndigest = "1d"\nsinks = ["file"]\n'
        '[[routes]]\nname = "all"\nthrottle = { max = 1, per = "1h" }\nsinks = ["file"]\n')
    added = monitor("silence", "add", "--detector", "casualties", "--attr", "category=injured", "--for", "2h",
                    "--reason", "known incident", "--config", str(config))
    assert added.code == 0, added.err
    silence_id = added.out.split()[1]
    assert monitor("run", "--once", "--config", str(config)).code == 0

    status = json.loads(monitor("status", "--json", "--config", str(config)).out)
    listed = json.loads(monitor("alerts", "--json", "--config", str(config)).out)
    assert status["alerts"] == listed["alerts"] and status["outbox"] == listed["outbox"]
    counts = listed["alerts"]
    assert counts["silenced"] >= 1 and counts["throttled"] >= 1 and counts["digest"] >= 1
    assert counts["total"] == counts["to_send"] + counts["silenced"] + counts["throttled"] + counts["digest"]
    assert counts["total"] == status["counts"]["alerts"]
    # every alert to send has one outbox row per sink of its route, and none of the held ones has any
    sent_ids = {d["alert_id"] for d in listed["deliveries"]}
    held_ids = {h["alert_id"] for h in listed["held"]}
    assert len(sent_ids) == counts["to_send"] and not sent_ids & held_ids
    assert len(listed["held"]) == counts["silenced"] + counts["throttled"] + counts["digest"]
    assert sum(listed["outbox"].values()) == len(listed["deliveries"])
    delivered = len((tmp_path / "alerts.jsonl").read_text().splitlines()) + len(
        (tmp_path / "copy.jsonl").read_text().splitlines())
    assert listed["outbox"]["delivered"] == delivered
    for held in listed["held"]:
        if held["held"] == "silenced":
            assert held["reason"].startswith(f"silenced by {silence_id} (until ") and "known incident" in held["reason"]
        elif held["held"] == "digest":
            expected = (f"sent in digest {held['bundled_in']}" if held["bundled_in"]
                        else "awaiting the digest of route moves")
            assert held["reason"] == expected
        else:
            assert held["held"] == "throttled" and held["reason"].startswith("throttled by route all;")
    text = monitor("alerts", "--config", str(config)).out
    assert f"why: silenced by {silence_id}" in text
    summary = text.splitlines()[-1]
    assert summary == (f"alerts: {counts['total']} ({counts['to_send']} to send, {counts['silenced']} silenced, "
                       f"{counts['throttled']} throttled, {counts['digest']} for a digest); outbox: "
                       + ", ".join(f"{n} {s}" for s, n in listed["outbox"].items()))
    assert f"alerts: {counts['total']} (" in monitor("status", "--config", str(config)).out
    only_held = json.loads(monitor("alerts", "--held", "--json", "--config", str(config)).out)
    assert only_held["deliveries"] == [] and only_held["held"] == listed["held"]


def test_silence_add_checks_names_against_the_registered_detectors(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    refused = {
        ("--detector", "casulties"): "--detector casulties: no such detector (did you mean 'casualties'?)",
        ("--attr", "categroy=injured"): "--attr categroy=injured: no registered detector has an attribute "
                                        "'categroy' (did you mean 'category'?)",
        ("--detector", "casualties", "--attr", "movement=deploy"): "detector casualties has no attribute 'movement'",
        ("--detector", "casualties", "--attr", "category=injurd"): "'injurd' is not a value of category "
                                                                   "(did you mean 'injured'?)",
        ("--detector", "casualties", "--attr", "category=>3"): "category is one of injured, killed, missing, "
                                                              "not a number",
        ("--attr", "category"): "--attr category: expected KEY=VALUE",
        ("--detector", "casualties", "--for", "99999999999d"): "--for 99999999999d: must be more than 0 and at "
                                                               "most 366d",
    }
    for args, message in refused.items():
        result = monitor("silence", "add", *args, *(() if "--for" in args else ("--for", "1h")), "--reason", "r")
        assert result.code == 2 and message in result.err, (args, result.err)
        assert result.err.startswith("monitor: error: ")
    assert not (tmp_path / "state").exists()
    both = monitor("silence", "add", "--detector", "casulties", "--attr", "count=<x", "--for", "2x", "--reason", "r")
    assert both.code == 2 and len(both.err.strip().splitlines()) == 3  # every problem at once
    ok = monitor("silence", "add", "--detector", "escalation", "--attr", "category=threat", "--attr", "cues=any",
                 "--for", "1h", "--reason", "drill")
    assert ok.code == 0, ok.err
    assert "category=threat" in monitor("silence", "list").out


def test_config_check_reports_every_problem_with_file_line_and_suggestion(tmp_path: Path) -> None:
    """Run with the apprise package made unimportable (a sitecustomize that blocks it), as on an install
    without the extra."""
    config = tmp_path / "c.toml"
    text = ('[daemon]\nstate_dir = "st"\n\n[detectors.casulties]\nmin_count = 3\n\n[detectors.escalation]\n'
            'enabled = "maybe"\n\n[[sinks]]\nname = "ops"\ntype = "webhok"\nurl = "https://x.example/h"\n\n'
            '[[sinks]]\nname = "hook"\ntype = "webhook"\nurl = "https://x.example/h"\nsecret = "${HOOK_SECRET_T}"\n\n'
            '[[sinks]]\nname = "phones"\ntype = "apprise"\nurls = ["ntfy://x"]\n\n'
            '[[routes]]\ndetectors = ["casualty"]\nwhere = { categroy = "injured" }\nsinks = ["hooks", "ops"]\n')
    config.write_text(text)
    block = tmp_path / "block"
    block.mkdir()
    (block / "sitecustomize.py").write_text("import sys\nsys.modules['apprise'] = None\n")
    env = {**os.environ, "PYTHONPATH": str(block)}
    env.pop("HOOK_SECRET_T", None)
    result = subprocess.run([sys.executable, "-m", "monitor", "config", "check", str(config)], capture_output=True,
                            text=True, env=env, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    c = str(config)
    apprise_line, casualty_line = _line(text, '"apprise"'), _line(text, '"casualty"')
    expected = [
        f"{c}:{_line(text, 'secret =')}: sinks[1].secret: environment variable HOOK_SECRET_T is not set",
        f"{c}:{_line(text, 'sinks = [')}: routes[0].sinks: unknown sink 'hooks' (did you mean 'hook'?)",
        f"{c}:{_line(text, 'webhok')}: sinks[0].type: unknown sink type 'webhok' (did you mean 'webhook'?)",
        f"{c}:{apprise_line}: sinks[2].type: the apprise sink needs the 'apprise' package, which is "
        "not installed: pip install 'media-monitor[apprise]'",
        f"{c}:{_line(text, 'casulties')}: detectors.casulties: no such detector (did you mean 'casualties'?)",
        f"{c}:{_line(text, 'maybe')}: detectors.escalation.enabled: Input should be a valid boolean",
        f"{c}:{casualty_line}: routes[0].detectors: no such detector 'casualty' "
        "(did you mean 'casualties'?)",
        f"{c}:{_line(text, 'categroy')}: routes[0].where categroy=injured: no registered detector has an attribute "
        "'categroy' (did you mean 'category'?)",
    ]
    lines = result.stderr.splitlines()
    for message in expected:
        assert any(line.startswith(f"monitor: error: {message}") for line in lines), (message, result.stderr)
    assert lines[-1] == f"{c}: {len(expected)} problem(s)"
    # with the extra installed and the problems fixed, the same file passes
    fixed = (text.replace("casulties", "casualties").replace('"maybe"', "true").replace("webhok", "webhook")
             .replace('"casualty"', '"casualties"').replace("categroy", "category").replace('"hooks"', '"hook"'))
    config.write_text(fixed)
    env2 = {**os.environ, "HOOK_SECRET_T": "s3cret-value-x"}
    ok = subprocess.run([sys.executable, "-m", "monitor", "config", "check", str(config)], capture_output=True,
                        text=True, env=env2, cwd=tmp_path)
    assert ok.returncode == 0 and ok.stdout.startswith(f"{c}: OK") and "s3cret-value-x" not in ok.stdout, ok.stderr


def test_commands_that_deliver_nothing_need_no_sink_secrets(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "monitor.toml"
    text = ('[daemon]\nstate_dir = "state"\n[[sinks]]\nname = "ops"\ntype = "webhook"\nurl = "https://h.example/x"\n'
            'secret = "${NOT_SET_SECRET}"\n[[sinks]]\nname = "desk"\ntype = "email"\nhost = "127.0.0.1"\n'
            'username = "m"\nstarttls = true\n'
            'password = "${NOT_SET_PASSWORD}"\nfrom = "a@example.org"\nto = ["b@example.org"]\n')
    config.write_text(text)
    seed = tmp_path / "seed.txt"
    seed.write_text(SEED.read_text())
    for args in (("status",), ("alerts",), ("silence", "list"), ("check", str(seed)), ("db", "status"),
                 ("silence", "add", "--detector", "casualties", "--for", "1h", "--reason", "r")):
        result = monitor(*args, "--config", str(config))
        assert result.code == 0, (args, result.err)
    silence_id = monitor("silence", "list", "--config", str(config)).out.split()[0]
    assert monitor("silence", "expire", silence_id, "--config", str(config)).code == 0
    checked = monitor("config", "check", str(config))
    assert checked.code == 2
    assert checked.err.splitlines() == [
        f"monitor: error: {config}:{_line(text, 'NOT_SET_SECRET')}: sinks[0].secret: environment variable "
        "NOT_SET_SECRET is not set",
        f"monitor: error: {config}:{_line(text, 'NOT_SET_PASSWORD')}: sinks[1].password: environment variable "
        "NOT_SET_PASSWORD is not set",
        f"{config}: 2 problem(s)",
    ]
    for delivering in (("run", "--once"), ("test-sink", "ops")):
        refused = monitor(*delivering, "--config", str(config))
        assert refused.code == 2 and f"{config}:{_line(text, 'NOT_SET_SECRET')}: sinks[0].secret: environment " \
            "variable NOT_SET_SECRET is not set" in refused.err, refused.err


def test_json_log_tracebacks_carry_no_frame_locals(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "broken.py").write_text(
        "from monitor import DetectorOptions, hookimpl\n\n\nclass Broken:\n    name = 'broken'\n    version = '1'\n"
        "    options_model = DetectorOptions\n\n    def __init__(self, options):\n        self.options = options\n\n"
        "    def detect(self, article):\n        local_marker = 'frame-local-' + 'value-42'\n"
        "        raise RuntimeError('broken detector: ' + str(len(local_marker)))\n\n\n"
        "@hookimpl\ndef monitor_register_detectors(register):\n    register(Broken)\n")
    seed = tmp_path / "seed.txt"
    seed.write_text(SEED.read_text())
    result = monitor("--log-format", "json", "check", "--plugins-dir", str(plugins), str(seed))
    failed = [e for e in _events_text(result.err) if e["event"] == "detector.failed"]
    assert len(failed) == 1 and failed[0]["detector"] == "broken"
    frames = failed[0]["exception"][0]["frames"]
    assert frames and all("locals" not in frame for frame in frames)
    assert "frame-local-value-42" not in result.err and "RuntimeError" in result.err


def _events_text(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_one_error_style_for_usage_and_input_errors(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    bad_config = tmp_path / "bad.toml"
    bad_config.write_text("[daemon]\nstate_dir = 3\n")
    cases = [("status", "--bogus"), ("check",), ("alerts", "--failed", "--nope"), ("silence", "add"),
             ("status", "--config", str(tmp_path / "missing.toml")), ("status", "--config", str(bad_config)),
             ("nosuchcommand",), ("check", str(tmp_path / "missing.txt"))]
    for args in cases:
        result = monitor(*args)
        assert result.code == 2, (args, result.err)
        lines = result.err.strip().splitlines()
        assert lines and all(line.startswith("monitor: error: ") for line in lines), (args, result.err)
        assert "Usage:" not in result.err and "Traceback" not in result.err
    hinted = monitor("status", "--jsn")
    assert "(Possible options: --json)" in hinted.err or "Did you mean '--json'?" in hinted.err
    assert "status --help'" in hinted.err
