"""A plugin call that freezes the whole process (a regular expression that backtracks without end keeps the
interpreter's lock, so no thread can abandon it): the daemon ends itself with every thread's stack written down,
and the article it was detecting is set aside at its second death instead of freezing every restart. The journal's
own rules on a real state directory, and the daemon as a real subprocess with such a plugin."""

from __future__ import annotations

import asyncio
import http.server
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest

from monitor.stall import DEATHS, JOURNAL, SET_ASIDE_AFTER, STACKS, DetectionJournal
from tests.conftest import kill_group, start_monitor, wait_for
from tests.newsroom import page, rss, start_server

FREEZING_PLUGIN = '''
import re
from monitor import DetectorOptions, hookimpl

class Freezes:
    name = "freezes"
    version = "1"
    options_model = DetectorOptions
    def __init__(self, options):
        self.options = options
    def detect(self, article):
        if "POISON" in article.text:
            re.match(r"(a+)+$", "a" * 64 + "b")  # backtracks for longer than the universe, holding the GIL
        return []

@hookimpl
def monitor_register_detectors(register):
    register(Freezes)
'''


def _stalled(state: Path) -> None:
    """What a process that stalled leaves besides its journal: its stacks (written by faulthandler)."""
    (state / STACKS.format(pid=99999)).write_text("Timeout (0:00:02)!\nThread 0x1 (most recent call first):\n")


def test_a_document_in_a_plugin_call_at_two_stalls_is_set_aside_naming_the_plugin(tmp_path: Path) -> None:
    journal = DetectionJournal(tmp_path)
    journal.begin("inbox:poison.txt", "inbox")
    journal.at("inbox:poison.txt", "detector freezes of plugin acme with a long name")
    journal.at("inbox:poison.txt", "detector freezes of plugin acme")  # a shorter text leaves no tail behind
    journal.begin("inbox:waiting.txt", "inbox")  # in detection, between two plugin calls: a bystander
    journal.begin("inbox:other.txt", "inbox")
    journal.end("inbox:other.txt", True)
    assert json.loads((tmp_path / JOURNAL).read_text()) == {
        "inbox:poison.txt": {"source": "inbox", "plugin": "detector freezes of plugin acme"},
        "inbox:waiting.txt": {"source": "inbox", "plugin": ""}}
    # killed here without stacks (SIGKILL, the OOM killer): nothing is counted, all is detected again
    assert DetectionJournal(tmp_path).deaths == {}
    journal = DetectionJournal(tmp_path)
    journal.begin("inbox:poison.txt", "inbox")
    journal.at("inbox:poison.txt", "detector freezes of plugin acme")
    journal.begin("inbox:waiting.txt", "inbox")
    # now it stalls (faulthandler writes the stacks and ends the process); each start after a stall counts one death
    for death in range(1, SET_ASIDE_AFTER + 1):
        _stalled(tmp_path)
        journal = DetectionJournal(tmp_path)
        assert journal.deaths["inbox:poison.txt"]["deaths"] == death
        assert "inbox:other.txt" not in journal.deaths and "inbox:waiting.txt" not in journal.deaths
        if death < SET_ASIDE_AFTER:
            assert journal.verdict("inbox:poison.txt") is None  # detected once more: the death may be another's
            journal.begin("inbox:poison.txt", "inbox")
            journal.at("inbox:poison.txt", "detector freezes of plugin acme")
    why = journal.verdict("inbox:poison.txt")
    assert why is not None and "died 2 times" in why and "detector freezes of plugin acme" in why
    assert journal.verdict("inbox:waiting.txt") is None
    # detection cut short (a stop) keeps the count; detected to the end, it starts again from nothing
    with pytest.raises(asyncio.CancelledError), journal.detecting("inbox:poison.txt", "inbox") as at:
        at("detector freezes of plugin acme")
        raise asyncio.CancelledError
    assert journal.verdict("inbox:poison.txt") is not None
    with journal.detecting("inbox:poison.txt", "inbox") as at:
        at("detector freezes of plugin acme")
    journal.close()
    assert (tmp_path / JOURNAL).read_text() == ""
    assert DetectionJournal(tmp_path).verdict("inbox:poison.txt") is None
    assert json.loads((tmp_path / DEATHS).read_text()) == {}


def test_a_hand_edited_deaths_file_does_not_stop_the_daemon(tmp_path: Path) -> None:
    (tmp_path / DEATHS).write_text('{"a": {"deaths": "two"}, "b": 3, "c": {"deaths": 2, "last": "9999"}}')
    journal = DetectionJournal(tmp_path)
    assert journal.verdict("a") is None and journal.verdict("b") is None and journal.verdict("c") is not None
    (tmp_path / DEATHS).write_text("not json")
    assert DetectionJournal(tmp_path).deaths == {}


def test_a_detector_that_freezes_the_process_is_named_and_its_article_set_aside(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "freezing.py").write_text(FREEZING_PLUGIN)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (tmp_path / "monitor.toml").write_text(
        # 5 s, not 2: seen failing once at 2 s on a loaded machine, likely a healthy start held past the timeout
        f'[daemon]\nstate_dir = "state"\nstall_timeout = "5s"\nextract_processes = 1\n'
        f'[plugins]\ndirs = ["{plugins}"]\n'
        f'[[sources]]\nname = "inbox"\ntype = "folder"\npath = "{inbox}"\nsettle = "0s"\n'
        '[[sinks]]\nname = "file"\ntype = "jsonl"\npath = "alerts.jsonl"\n')
    (inbox / "poison.txt").write_text("POISON. Four people were killed when the roof collapsed, officials said.")

    def run() -> tuple[int, str]:
        proc = subprocess.run([sys.executable, "-m", "monitor", "--log-format", "json", "run", "--once",
                               "--config", "monitor.toml"], cwd=tmp_path, capture_output=True, text=True,
                              timeout=120)
        return proc.returncode, proc.stderr

    code, _ = run()
    assert code == 1  # ended by the guard, not hung (subprocess.run's timeout would raise)
    [stack_file] = (tmp_path / "state").glob("stall-*.txt")
    stacks = stack_file.read_text()
    assert "Timeout" in stacks and "freezing.py" in stacks and "in detect" in stacks

    code, err = run()  # the first death: detected again (it may have been a bystander), and dies again
    assert code == 1
    events = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    before = [e for e in events if e["event"] == "daemon.stalled_before"]
    assert before and "freezing.py" in before[0]["stacks"]
    died = [e for e in events if e["event"] == "daemon.died_detecting"]
    assert [(d["deaths"], d["plugin"]) for d in died] == [(1, "detector freezes of plugin freezing")]

    # a new article beside it is detected as usual; the poisoned one is set aside with its reason, not lost
    (inbox / "fresh.txt").write_text("Four people were killed when the roof collapsed, officials said.")
    code, err = run()
    assert code == 0, err
    reasons = list(tmp_path.rglob("poison.txt.reason"))
    assert len(reasons) == 1
    assert "died 2 times" in reasons[0].read_text() and "detector freezes of plugin freezing" in reasons[0].read_text()
    alerts = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert [a["findings"][0]["detector"] for a in alerts] == ["casualties"]
    assert alerts[0]["article"]["url"].endswith("fresh.txt")


@pytest.mark.faults
@pytest.mark.timeout(240)
@pytest.mark.usefixtures("no_orphans")
def test_a_replica_job_that_freezes_replicas_is_set_aside_at_the_third_death(pg_url: str, tmp_path: Path) -> None:
    routes = {"/news/poison": page("Poison", "POISON. Gunmen stormed the town hall on Monday, officials said."),
              "/news/fresh": page("Raid", "Gunmen killed 12 villagers in a raid on the town, officials said.")}

    class Newsroom(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = routes.get(self.path, b"")
            if self.path == "/feed":
                body = rss(base, [("poison", "Poison", ""), *([("fresh", "Raid", "")] if fresh.is_set() else [])])
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Type", "application/rss+xml" if self.path == "/feed" else "text/html")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    fresh = threading.Event()
    server, base = start_server(Newsroom)
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "freezing.py").write_text(FREEZING_PLUGIN)
    config = tmp_path / "monitor.toml"
    config.write_text(f'[store]\nurl = "{pg_url}"\n[daemon]\nstate_dir = "state"\nallow_private_networks = true\n'
                      'stall_timeout = "2s"\nstalled_after = "2s"\nshutdown_grace = "2s"\nextract_processes = 1\n'
                      f'[plugins]\ndirs = ["{plugins}"]\n'
                      f'[[sources]]\nname = "feed"\ntype = "feed"\nurl = "{base}/feed"\ninterval = "1s"\n'
                      '[[sinks]]\nname = "file"\ntype = "jsonl"\npath = "alerts.jsonl"\n')
    env = {k: v for k, v in os.environ.items() if k != "NOTIFY_SOCKET"}
    logs: list[Path] = []

    def start() -> subprocess.Popen[bytes]:
        logs.append(tmp_path / f"replica-{len(logs)}.log")
        return start_monitor(["--log-format", "json", "run", "--config", str(config)], cwd=tmp_path, env=env,
                             stdout=logs[-1].open("wb"), stderr=subprocess.STDOUT)

    def failures() -> list[tuple[str, str]]:
        with psycopg.connect(pg_url) as conn:
            if conn.execute("SELECT to_regclass('failures')").fetchone()[0] is None:  # before the first migration
                return []
            return [(k, r) for k, r in conn.execute("SELECT key, reason FROM failures").fetchall()]

    replica, deaths = start(), 0
    try:
        # a replica that dies is restarted, as its service manager would; it takes the job over and dies too
        while not failures():
            assert deaths <= 4, f"the job was never set aside: see {tmp_path}"
            if replica.poll() is not None:
                assert replica.returncode == 1
                deaths += 1
                replica = start()
            time.sleep(0.2)
        fresh.set()  # the replica that set it aside goes on with the next article
        wait_for(lambda: (tmp_path / "alerts.jsonl").exists(), timeout=60)
    finally:
        kill_group(replica)
        server.shutdown()
    assert deaths == 3
    [(key, reason)] = failures()
    assert "poison" in key and "stopped answering on attempt 3" in reason
    assert '"replica.stalled_job_set_aside"' in logs[-1].read_text()
    alerts = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert [a["article"]["url"] for a in alerts] == [f"{base}/news/fresh"]
