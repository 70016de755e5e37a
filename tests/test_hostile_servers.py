"""Issue 13, items 1, 2 and 9: bombs, slow servers and leaking secrets, each attack run against 127.0.0.1."""

from __future__ import annotations

import asyncio
import http.server
import json
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.config import parse_config
from monitor.fetch import Fetcher, FetchError
from monitor.model import Alert, Article, Evidence, Finding, Severity
from monitor.plugins import build_plugins
from monitor.runners.local import LocalRunner
from monitor.sinks.webhook import WebhookOptions, WebhookSink
from monitor.store import open_store
from tests.hostile.servers import Hostile, gzip_bomb, send_bomb, send_endless, send_trickle
from tests.newsroom import STORIES, page, rss

RSS = "application/rss+xml"


@pytest.fixture
def hostile() -> Iterator[Hostile]:
    server = Hostile()
    yield server
    server.close()


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()


def fetch(url: str, **kwargs: object) -> bytes:
    async def go() -> bytes:
        async with Fetcher(allow_private=True, **kwargs) as f:  # type: ignore[arg-type]
            return (await f.get(url)).body

    return asyncio.run(go())


def an_alert() -> Alert:
    text = "14 people were killed."
    article = Article.create(text, url="https://news.example/a", title="t", source="feed")
    finding = Finding(detector="casualties", severity=Severity.HIGH, score=0.7, summary="14 killed",
                      evidence=(Evidence.at(text, 0, len(text)),))
    return Alert.create("r", article, [finding])


# -- item 1: stacked encodings and bombs ----------------------------------------------------------------


def test_a_1_gb_gzip_gzip_bomb_stops_at_the_cap_while_it_is_decoded(hostile: Hostile) -> None:
    bomb = gzip_bomb(1024)  # 1.8 KB on the wire, 1 GB decoded
    hostile.routes["/bomb"] = send_bomb(bomb, "gzip, gzip")
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match=r"/bomb: response body exceeds 1000000 bytes \(after decoding\)"):
            fetch(hostile.url("/bomb"), max_bytes=1_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Not a speed figure but the property itself: decoding whole chunks allocated the full gigabyte.
    assert peak < 50_000_000, peak


def test_three_stacked_encodings_are_refused_before_decoding(hostile: Hostile) -> None:
    hostile.routes["/three"] = send_bomb(gzip_bomb(1, layers=3), "gzip, gzip, gzip")
    with pytest.raises(FetchError, match=r"3 stacked Content-Encodings \(gzip, gzip, gzip\); at most 2"):
        fetch(hostile.url("/three"))


def test_two_honest_layers_still_decode(hostile: Hostile) -> None:
    import gzip
    import zlib

    body = page("Title", STORIES["blast"][1])
    hostile.routes["/ok"] = send_bomb(gzip.compress(zlib.compress(body)), "deflate, gzip")
    assert fetch(hostile.url("/ok")) == body


def test_feed_and_page_bombs_fail_their_source_and_page_in_the_daemon(hostile: Hostile, tmp_path: Path) -> None:
    """A bombed feed is a failed poll; a bombed page falls back to the feed's own text. Both name the cap."""
    hostile.routes["/bombed.xml"] = send_bomb(gzip_bomb(256), "gzip, gzip", RSS)
    items = [("blast", "Blast kills 14 in Kunduz", STORIES["blast"][1])]
    feed = rss(hostile.base, items)
    hostile.routes["/feed.xml"] = send_bomb(__import__("gzip").compress(feed), "gzip", RSS)
    hostile.routes["/news/blast"] = send_bomb(gzip_bomb(256), "x-gzip, gzip")
    runner = runner_for(tmp_path, feeds={"bombed": hostile.url("/bombed.xml"), "good": hostile.url("/feed.xml")})
    try:
        asyncio.run(runner.run_once())
        bombed = runner.store.source_state("bombed")
        assert bombed.error_count == 1 and "exceeds 2000000 bytes (after decoding)" in (bombed.last_error or "")
        assert runner.stats.processed == 1  # the page's feed summary, since the page itself was refused
    finally:
        close(runner)


def test_a_webhook_answering_forever_or_with_a_bomb_is_read_only_up_to_a_small_cap(
        hostile: Hostile, release: threading.Event) -> None:
    hostile.routes["/endless"] = send_endless(release)
    hostile.routes["/bomb"] = send_bomb(gzip_bomb(1024), "gzip, gzip", "application/json")

    async def go(path: str) -> tuple[bool, str]:
        sink = WebhookSink("ops", WebhookOptions(url=hostile.url(path), timeout=20))
        receipt = await sink.deliver(an_alert(), "key-1")
        return receipt.ok, receipt.detail

    tracemalloc.start()
    try:
        assert asyncio.run(go("/endless")) == (True, "HTTP 200 OK")
        assert asyncio.run(go("/bomb")) == (True, "HTTP 200 OK")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000, peak


# -- item 2: slow servers --------------------------------------------------------------------------------


def test_a_trickled_page_ends_at_the_total_deadline_with_a_clear_error(hostile: Hostile,
                                                                       release: threading.Event) -> None:
    hostile.routes["/slow"] = send_trickle(release)  # each read succeeds well within the read timeout
    with pytest.raises(FetchError, match=r"/slow: gave up after 1 s, the total deadline of one fetch"):
        fetch(hostile.url("/slow"), deadline=1.0)


def test_a_trickled_feed_counts_as_failing_and_alerts(hostile: Hostile, release: threading.Event,
                                                     tmp_path: Path) -> None:
    hostile.routes["/feed.xml"] = send_trickle(release, RSS)
    runner = runner_for(tmp_path, feeds={"slow": hostile.url("/feed.xml")}, deadline="1s")
    try:
        for _ in range(3):
            asyncio.run(runner.run_once())
        state = runner.store.source_state("slow")
        assert state.health == "failing" and state.error_count == 3
        assert "gave up after 1 s" in (state.last_error or "")
        health = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
        assert [a["findings"][0]["attributes"]["status"] for a in health] == ["failing"]
    finally:
        close(runner)


def test_trickled_links_from_one_host_do_not_hold_every_worker(hostile: Hostile, release: threading.Event,
                                                               tmp_path: Path) -> None:
    """Six trickled pages on one host (127.0.0.1), two workers, one slot per host. A second feed on another
    host name (localhost), served once the trickles have begun, has its page processed while all six still
    trickle; before, one worker fetched and the other waited for the busy host, and nothing else moved."""
    items = [(f"s{i}", f"Story {i}", "Nothing happened today in the quiet town.") for i in range(6)]
    hostile.routes["/feed.xml"] = send_bomb(rss(hostile.base, items), "identity", RSS)
    for slug, _, _ in items:
        hostile.routes[f"/news/{slug}"] = send_trickle(release)
    other = hostile.base.replace("127.0.0.1", "localhost")
    late_feed = send_bomb(rss(other, [("blast", "Blast", "Blast.")]), "identity", RSS)

    def late(h: http.server.BaseHTTPRequestHandler) -> None:
        for _ in range(200):  # bounded: at most 10 s
            if hostile.open >= 2:  # this request and at least one trickle
                break
            time.sleep(0.05)
        late_feed(h)

    hostile.routes["/late.xml"] = late
    hostile.routes["/news/blast"] = send_bomb(page(*STORIES["blast"]), "identity")
    runner = runner_for(tmp_path, feeds={"slow": hostile.url("/feed.xml"), "other": f"{other}/late.xml"},
                        workers=2, per_host=1)

    async def go() -> None:
        run = asyncio.create_task(runner.run_once())
        while runner.store.stats().articles < 1:
            assert not run.done(), "run ended before the other host's page was processed"
            await asyncio.sleep(0.05)
        assert hostile.open >= 1 and runner.oldest_fetch_s is not None  # the trickles are still going
        release.set()
        await run

    try:
        asyncio.run(asyncio.wait_for(go(), 20))  # a hang guard only: with the bug, nothing moves until release
    finally:
        close(runner)


# -- item 9: secrets -------------------------------------------------------------------------------------


def test_config_check_masks_headers_query_tokens_and_feed_passwords(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "monitor.toml"
    config.write_text(
        '[[sources]]\nname = "world"\ntype = "feed"\nurl = "https://reader:feed-pa55@feeds.example/rss?token=q-t0ken"\n'
        '[[sinks]]\nname = "ops"\ntype = "webhook"\nurl = "https://hooks.example/in?api_key=k3y-value"\n'
        'headers = { Authorization = "Bearer b3arer-value" }\n')
    checked = monitor("config", "check", str(config))
    assert checked.code == 0, checked.err
    for secret in ("feed-pa55", "q-t0ken", "k3y-value", "b3arer-value"):
        assert secret not in checked.out + checked.err
    assert '"Authorization": "***"' in checked.out and "reader:***@feeds.example/rss?token=***" in checked.out


def test_a_bad_webhook_url_error_does_not_echo_its_token(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "monitor.toml"
    config.write_text('[[sinks]]\nname = "ops"\ntype = "webhook"\n'
                      'url = "htps://hooks.slack.example/services/T0/B0/SL4CK-T0KEN?token=q-t0ken"\n')
    checked = monitor("config", "check", str(config))
    assert checked.code == 2 and "sinks[0].url: Value error, must be an http(s) URL" in checked.err
    assert "SL4CK-T0KEN" not in checked.err and "q-t0ken" not in checked.err
    assert "htps://hooks.slack.example/***" in checked.err


def test_a_feed_password_stays_out_of_logs_status_and_the_health_alert(hostile: Hostile, tmp_path: Path,
                                                                       monitor) -> None:  # type: ignore[no-untyped-def]
    port = hostile.base.rsplit(":", 1)[1]
    url = f"http://reader:feed-pa55@127.0.0.1:{port}/missing.xml?access_token=q-t0ken"  # 404 on every poll
    config = tmp_path / "monitor.toml"
    config.write_text(f'[daemon]\nstate_dir = "{tmp_path / "state"}"\nallow_private_networks = true\n'
                      f'[[sources]]\nname = "world"\ntype = "feed"\nurl = "{url}"\n'
                      f'[[sinks]]\nname = "file"\ntype = "jsonl"\npath = "{tmp_path / "alerts.jsonl"}"\n')
    runs = [monitor("--log-level", "DEBUG", "run", "--once", "--config", str(config)) for _ in range(3)]
    status = monitor("status", "--config", str(config))
    status_json = monitor("status", "--json", "--config", str(config))
    sent = (tmp_path / "alerts.jsonl").read_text()
    assert "is failing (3 polls in a row)" in sent and "reader:***@127.0.0.1" in sent
    everything = sent + "".join(r.out + r.err for r in (*runs, status, status_json))
    assert "source.failed" in everything
    assert "feed-pa55" not in everything and "q-t0ken" not in everything


def test_email_refuses_to_send_a_password_in_clear_unless_told(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    sink = ('[[sinks]]\nname = "desk"\ntype = "email"\nhost = "127.0.0.1"\nport = 2525\nusername = "m"\n'
            'password = "smtp-pa55"\nfrom = "a@example.org"\nto = ["b@example.org"]\n')
    config = tmp_path / "monitor.toml"
    config.write_text(sink)
    refused = monitor("config", "check", str(config))
    assert refused.code == 2
    assert f"{config}:1: sinks[0]: Value error, password set but neither starttls nor tls" in refused.err
    assert "allow_plaintext_auth = true" in refused.err and "smtp-pa55" not in refused.err
    config.write_text(sink + "allow_plaintext_auth = true\n")
    assert monitor("config", "check", str(config)).code == 0


# -- helpers ---------------------------------------------------------------------------------------------


def runner_for(tmp_path: Path, *, feeds: dict[str, str], deadline: str = "30s", workers: int | None = None,
               per_host: int = 4, inbox: Path | None = None) -> LocalRunner:
    sources = "".join(f'[[sources]]\nname = "{n}"\ntype = "feed"\nurl = "{u}"\n' for n, u in feeds.items())
    if inbox is not None:
        sources += f'[[sources]]\nname = "inbox"\ntype = "folder"\npath = "{inbox}"\nsettle = "0s"\n'
    config = parse_config(
        f'[daemon]\nstate_dir = "{tmp_path / "state"}"\nallow_private_networks = true\nmax_body_bytes = 2000000\n'
        f'fetch_deadline = "{deadline}"\nper_host_connections = {per_host}\n{sources}'
        f'[[sinks]]\nname = "file"\ntype = "jsonl"\npath = "{tmp_path / "alerts.jsonl"}"\n')
    return LocalRunner(config, build_plugins(), open_store(config.daemon.state_dir), processes=1, workers=workers)


def close(runner: LocalRunner) -> None:
    asyncio.run(runner.close())
    runner.store.close()
