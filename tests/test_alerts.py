"""Alerts that arrive: a real webhook receiver that verifies signatures, a real SMTP server (aiosmtpd), an
outage across a restart, routes, throttles, digests, silences and the alert commands."""

from __future__ import annotations

import asyncio
import email
import email.policy
import http.server
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from monitor.config import parse_config
from monitor.plugins import build_plugins
from monitor.runners.local import LocalRunner
from monitor.sinks.webhook import verify
from monitor.store import open_store
from tests.conftest import wait_for
from tests.newsroom import start_server

SECRET = "whsec-test-4f9a8b"


@dataclass
class Receiver:
    url: str
    mode: dict[str, object]
    received: list[dict] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    bad_signatures: int = 0


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1 that verifies X-Monitor-Signature and records idempotency keys."""
    mode: dict[str, object] = {"status": 200}
    rec = Receiver("", mode)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = int(mode["status"])  # type: ignore[call-overload]
            headers = dict(mode.get("headers", {}))  # type: ignore[call-overload]
            if not verify(SECRET, self.headers.get("X-Monitor-Signature", ""), body):
                rec.bad_signatures += 1
                status = 401
            elif status == 200:
                key = self.headers["Idempotency-Key"]
                if key not in rec.keys:  # a receiver drops repeats by key; record each once
                    rec.received.append(json.loads(body))
                rec.keys.append(key)
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server, base = start_server(Handler)
    rec.url = f"{base}/hook"
    yield rec
    server.shutdown()


class _Collect:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[_Collect, int]]:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def _json_collector(bodies: list[dict]) -> type[http.server.BaseHTTPRequestHandler]:
    """A receiver that keeps each POSTed JSON body and answers 200."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def write_inbox(tmp_path: Path, files: dict[str, str]) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    for name, text in files.items():
        (inbox / name).write_text(text)
    return inbox


def runner_for(tmp_path: Path, body: str) -> LocalRunner:
    config = parse_config(
        f'[daemon]\nstate_dir = "{tmp_path / "state"}"\ndelivery_backoff = "0.1s"\ndelivery_attempts = 6\n'
        f'[[sources]]\nname = "inbox"\ntype = "folder"\npath = "{tmp_path / "inbox"}"\nsettle = "0.1s"\n{body}'
    )
    return LocalRunner(config, build_plugins(), open_store(config.daemon.state_dir), processes=1)


def webhook_sink(url: str, name: str = "ops", extra: str = "") -> str:
    return f'[[sinks]]\nname = "{name}"\ntype = "webhook"\nurl = "{url}"\nsecret = "{SECRET}"\ntimeout = 2\n{extra}\n'


def once(runner: LocalRunner) -> None:
    asyncio.run(runner.run_once())


def deliver(runner: LocalRunner) -> None:
    async def go() -> None:
        await runner.outbox.deliver_due()

    asyncio.run(go())


STORIES = {
    "a.txt": "Gunmen killed 14 people in an attack on a market on Monday, officials said.",
    "b.txt": "Two soldiers were wounded when their patrol came under fire near the border.",
    "c.txt": "The army said 3,000 troops would be deployed to the region after the attack.",
}


def test_webhook_document_is_signed_versioned_and_verified(receiver: Receiver, tmp_path: Path) -> None:
    write_inbox(tmp_path, {"a.txt": STORIES["a.txt"]})
    runner = runner_for(tmp_path, webhook_sink(receiver.url))
    once(runner)
    assert receiver.bad_signatures == 0 and len(receiver.received) == 1
    doc = receiver.received[0]
    assert doc["version"] == 1 and set(doc) >= {"alert_id", "route", "created_at", "article", "findings"}
    assert set(doc["article"]) == {"id", "url", "title", "source", "published"}
    assert receiver.keys == [f"{doc['alert_id']}-ops"]
    finding = doc["findings"][0]
    assert finding["detector"] == "casualties" and finding["attributes"]["count"] == 14


def test_outage_across_a_restart_every_alert_arrives_no_key_twice(receiver: Receiver, tmp_path: Path) -> None:
    write_inbox(tmp_path, STORIES)
    dead = "http://127.0.0.1:9/hook"  # nothing listens: connection refused
    runner = runner_for(tmp_path, webhook_sink(dead))
    once(runner)
    pending = runner.store.deliveries("pending")
    assert len(pending) == 3 and all(d.attempts == 1 and "ConnectError" in (d.last_error or "") for d in pending)
    asyncio.run(runner.close())
    runner.store.close()

    # Restarted, now pointing at the receiver, which answers 503 with Retry-After for a while.
    receiver.mode.update(status=503, headers={"Retry-After": "1"})
    runner = runner_for(tmp_path, webhook_sink(receiver.url))
    time.sleep(0.5)
    deliver(runner)
    retried = runner.store.deliveries("pending")
    assert len(retried) == 3 and all(d.last_error == "HTTP 503 Service Unavailable" for d in retried)
    asyncio.run(runner.close())
    runner.store.close()

    receiver.mode.update(status=200, headers={})
    runner = runner_for(tmp_path, webhook_sink(receiver.url))

    def all_delivered() -> bool:
        deliver(runner)
        return len(runner.store.deliveries("delivered")) == 3

    wait_for(all_delivered, timeout=20, interval=0.3)
    assert len(receiver.received) == 3
    assert len(receiver.keys) == len(set(receiver.keys)) == 3
    keys_by_alert = {d.alert_id: d.idempotency_key for d in runner.store.deliveries()}
    assert sorted(keys_by_alert.values()) == sorted(receiver.keys)


def test_permanent_failure_is_listed_and_retried_by_command(receiver: Receiver, tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    write_inbox(tmp_path, {"a.txt": STORIES["a.txt"]})
    receiver.mode["status"] = 400
    config = tmp_path / "monitor.toml"
    config.write_text(f'[daemon]\nstate_dir = "{tmp_path / "state"}"\n'
                      f'[[sources]]\nname = "inbox"\ntype = "folder"\npath = "{tmp_path / "inbox"}"\nsettle = "0.1s"\n'
                      + webhook_sink(receiver.url))
    assert monitor("run", "--once", "--config", str(config)).code == 0
    failed = monitor("alerts", "--failed", "--config", str(config))
    assert "failed" in failed.out and "HTTP 400 Bad Request" in failed.out
    receiver.mode["status"] = 200
    assert "1 failed deliveries queued again" in monitor("alerts", "--config", str(config), "retry").out
    assert monitor("run", "--once", "--config", str(config)).code == 0
    assert len(receiver.received) == 1
    assert "no deliveries with status failed" in monitor("alerts", "--failed", "--config", str(config)).out


def test_email_is_multipart_escaped_and_highlighted(smtp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    handler, port = smtp
    write_inbox(tmp_path, {"x.html": (
        "<html><head><title>Attack <script>alert(1)</script> & more</title></head><body><article>"
        "<p>Gunmen killed 14 people in an attack on a market on Monday, officials said, and the "
        "town's mayor called the attack &lt;b&gt;barbaric&lt;/b&gt; in a statement to reporters.</p>"
        "<p>Residents said the market had reopened only a week earlier after repairs to its roof and walls.</p>"
        "</article></body></html>")})
    sink = (f'[[sinks]]\nname = "desk"\ntype = "email"\nhost = "127.0.0.1"\nport = {port}\n'
            f'from = "monitor@example.org"\nto = ["desk@example.org"]\ncc = ["chief@example.org"]\n'
            f'subject = "[$severity] $title"\n')
    runner = runner_for(tmp_path, sink)
    once(runner)
    assert len(handler.messages) == 1
    msg = handler.messages[0]
    assert handler.envelopes[0] == ("monitor@example.org", ["desk@example.org", "chief@example.org"])
    assert msg["Subject"].startswith("[HIGH] Attack <script>")
    assert msg["X-Monitor-Idempotency-Key"]
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "»killed 14 people«" in text
    assert "<mark>killed 14 people</mark>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;barbaric&lt;/b&gt;" in html


def test_routes_match_detectors_severity_sources_and_attributes(receiver: Receiver, tmp_path: Path) -> None:
    write_inbox(tmp_path, STORIES)
    routes = ('[[routes]]\nname = "big-tolls"\ndetectors = ["casualties"]\nwhere = { count = ">= 10" }\n'
              'sinks = ["ops"]\n')
    runner = runner_for(tmp_path, webhook_sink(receiver.url) + routes)
    once(runner)
    assert len(receiver.received) == 1
    assert receiver.received[0]["route"] == "big-tolls"
    assert [f["attributes"]["count"] for f in receiver.received[0]["findings"]] == [14]


def test_bad_route_condition_names_the_key(tmp_path: Path) -> None:
    from monitor.errors import ConfigError

    with pytest.raises(ConfigError, match=r"routes\[0\]\.where.*count"):
        parse_config('[[sinks]]\nname = "a"\ntype = "console"\n'
                     '[[routes]]\nwhere = { count = ">= many" }\nsinks = ["a"]\n')


def test_throttle_sends_n_then_one_summary(receiver: Receiver, tmp_path: Path) -> None:
    write_inbox(tmp_path, STORIES)
    routes = '[[routes]]\nname = "all"\nsinks = ["ops"]\nthrottle = { max = 1, per = "1h" }\n'
    runner = runner_for(tmp_path, webhook_sink(receiver.url) + routes)
    once(runner)
    assert len(receiver.received) == 2
    summary = receiver.received[1]
    assert summary["findings"][0]["detector"] == "throttle"
    assert summary["findings"][0]["attributes"]["alerts"] == 2


def test_digest_collects_everything_into_one_message(receiver: Receiver, tmp_path: Path) -> None:
    write_inbox(tmp_path, STORIES)
    routes = '[[routes]]\nname = "daily"\nsinks = ["ops"]\ndigest = "1d"\n'
    runner = runner_for(tmp_path, webhook_sink(receiver.url) + routes)
    once(runner)
    assert len(receiver.received) == 1
    digest = receiver.received[0]
    assert digest["findings"][0]["detector"] == "digest"
    assert digest["findings"][0]["attributes"]["alerts"] == 3
    assert {f["detector"] for f in digest["findings"][1:]} == {"casualties", "deployments"}


def test_silences_record_but_do_not_send(receiver: Receiver, tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    write_inbox(tmp_path, STORIES)
    config = tmp_path / "monitor.toml"
    config.write_text(f'[daemon]\nstate_dir = "{tmp_path / "state"}"\n'
                      f'[[sources]]\nname = "inbox"\ntype = "folder"\npath = "{tmp_path / "inbox"}"\nsettle = "0.1s"\n'
                      + webhook_sink(receiver.url))
    added = monitor("silence", "add", "--detector", "casualties", "--attr", "category=injured", "--for", "2h",
                    "--reason", "known incident", "--config", str(config))
    assert added.code == 0, added.err
    silence_id = added.out.split()[1]
    listed = monitor("silence", "list", "--config", str(config)).out
    assert silence_id in listed and "category=injured" in listed and "known incident" in listed
    assert monitor("run", "--once", "--config", str(config)).code == 0
    titles = sorted(d["findings"][0]["attributes"].get("category", "deploy") for d in receiver.received)
    assert titles == ["deploy", "killed"]  # the injured story was silenced
    store = open_store(tmp_path / "state")
    assert len(store.alert_ids(held="silenced")) == 1
    store.close()
    assert monitor("silence", "expire", silence_id, "--config", str(config)).code == 0
    assert "no active silences" in monitor("silence", "list", "--config", str(config)).out


def test_test_sink_reports_the_real_outcome(receiver: Receiver, tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "monitor.toml"
    config.write_text(webhook_sink(receiver.url) + webhook_sink(receiver.url.replace("/hook", "/nope"), "broken"))
    ok = monitor("test-sink", "ops", "--config", str(config))
    assert ok.code == 0 and "ops: delivered: HTTP 200" in ok.out
    receiver.mode["status"] = 404
    bad = monitor("test-sink", "broken", "--config", str(config))
    assert bad.code == 1 and "broken: FAILED: HTTP 404" in bad.out


def test_test_sink_sends_a_fresh_idempotency_key_each_run(receiver: Receiver, tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    """A receiver that drops repeats by key (as the README advises) still sees every test."""
    config = tmp_path / "monitor.toml"
    config.write_text(webhook_sink(receiver.url))
    for _ in range(2):
        ran = monitor("test-sink", "ops", "--config", str(config))
        assert ran.code == 0, ran.err
    assert len(receiver.keys) == 2 and len(set(receiver.keys)) == 2
    assert len(receiver.received) == 2


HOSTILE_TITLE = "<!channel> *Win* & [click](http://evil.example/) <b>now</b> _x_ `code` # head"


@pytest.mark.parametrize("preset", ["slack", "teams"])
def test_presets_escape_feed_controlled_text(preset: str, tmp_path: Path) -> None:
    """Slack mrkdwn gets &, < and > as entities; Teams gets Markdown control characters escaped. The body is
    read back by a real receiver on 127.0.0.1."""
    from monitor.hookspecs import Receipt
    from monitor.model import Alert, Article, Evidence, Finding, Severity
    from monitor.sinks.webhook import WebhookOptions, WebhookSink

    bodies: list[dict] = []

    server, base = start_server(_json_collector(bodies))
    text = "A blast <script> & more: 14 people were killed."
    start = text.index("14 people were killed")
    article = Article.create(text, url="https://news.example/a?x=1&y=<2>", title=HOSTILE_TITLE, source="feed")
    finding = Finding(detector="casualties", severity=Severity.HIGH, score=0.7, summary="<@U123> *14* killed & more",
                      evidence=(Evidence.at(text, start, start + len("14 people were killed")),))
    sink = WebhookSink("chat", WebhookOptions.model_validate({"url": f"{base}/hook", "preset": preset}))
    try:
        receipt: Receipt = asyncio.run(sink.deliver(Alert.create("r", article, [finding]), "key-1"))
    finally:
        server.shutdown()
    assert receipt.ok, receipt.detail
    doc = bodies[0]
    if preset == "slack":
        shown = doc["text"]
        assert "<" not in shown and ">" not in shown
        assert "&lt;!channel&gt;" in shown and "&lt;@U123&gt;" in shown
        assert "&amp; [click]" in shown and "x=1&amp;y=&lt;2&gt;" in shown
    else:
        shown = doc["title"] + doc["text"] + doc["summary"]
        assert "\\*Win\\*" in doc["title"] and "\\[click\\]\\(http://evil\\.example/\\)" in doc["title"]
        assert "&lt;b&gt;now&lt;/b&gt;" in doc["title"] and "<b>" not in doc["title"]
        assert "&lt;@U123&gt; \\*14\\* killed &amp; more" in doc["text"]
        assert doc["text"].startswith("<b>casualties</b>")  # our own markup stays
        assert doc["potentialAction"][0]["targets"][0]["uri"] == "https://news.example/a?x=1&y=<2>"
        assert "<script>" not in shown


def test_secrets_stay_out_of_config_check_and_logs(receiver: Receiver, tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    write_inbox(tmp_path, {"a.txt": STORIES["a.txt"]})
    config = tmp_path / "monitor.toml"
    config.write_text(f'[daemon]\nstate_dir = "{tmp_path / "state"}"\n'
                      f'[[sources]]\nname = "inbox"\ntype = "folder"\npath = "{tmp_path / "inbox"}"\nsettle = "0.1s"\n'
                      '[[sinks]]\nname = "ops"\ntype = "webhook"\nurl = "http://127.0.0.1:9/hook"\n'
                      'secret = "${HOOK_SECRET}"\n'
                      '[[sinks]]\nname = "desk"\ntype = "email"\nhost = "127.0.0.1"\nport = 9\nusername = "m"\n'
                      'starttls = true\n'
                      'password = "${SMTP_PASSWORD}"\nfrom = "a@example.org"\nto = ["b@example.org"]\n')
    env = {"HOOK_SECRET": "hook-s3cret-value", "SMTP_PASSWORD": "smtp-pa55-value"}
    checked = monitor("config", "check", str(config), env=env)
    ran = monitor("--log-level", "DEBUG", "run", "--once", "--config", str(config), env=env)
    listed = monitor("alerts", "--config", str(config), env=env)
    status = monitor("status", "--config", str(config), env=env)
    assert checked.code == 0 and ran.code == 0
    everything = "".join(r.out + r.err for r in (checked, ran, listed, status))
    assert "alert.retry" in ran.err  # the deliveries did fail, and were logged
    for secret in env.values():
        assert secret not in everything


def test_apprise_sink_delivers_through_an_apprise_url(tmp_path: Path) -> None:
    """Apprise's json:// service posts to a real receiver on 127.0.0.1."""
    bodies: list[dict] = []

    server, base = start_server(_json_collector(bodies))
    write_inbox(tmp_path, {"a.txt": STORIES["a.txt"]})
    sink = f'[[sinks]]\nname = "push"\ntype = "apprise"\nurls = ["json://{base.split("://")[1]}/n"]\n'
    runner = runner_for(tmp_path, sink)
    once(runner)
    server.shutdown()
    assert len(bodies) == 1
    assert bodies[0]["title"].startswith("[HIGH]") and "casualties: 14 killed" in bodies[0]["message"]
    assert runner.store.deliveries("delivered")[0].sink == "push"
