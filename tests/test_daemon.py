"""The daemon's pipeline against a real local newsroom, a real drop folder and a real SQLite file."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import time
from pathlib import Path

import pytest

from monitor.config import parse_config
from monitor.plugins import build_plugins
from monitor.runners.local import LocalRunner
from monitor.store import open_store
from tests.newsroom import STORIES, atom, page, rss, rss1, serve_stories

XML = {"Content-Type": "application/rss+xml; charset=utf-8"}


def make_runner(tmp_path: Path, sources: str, *, private: bool = True, extra: str = "") -> LocalRunner:
    config = parse_config(
        f'[daemon]\nstate_dir = "{tmp_path / "state"}"\nallow_private_networks = {str(private).lower()}\n'
        f'fetch_timeout = "2s"\n{extra}\n{sources}\n'
        f'[[sinks]]\nname = "file"\ntype = "jsonl"\npath = "{tmp_path / "alerts.jsonl"}"\n'
    )
    return LocalRunner(config, build_plugins(), open_store(config.daemon.state_dir), processes=1)


def feed_source(url: str, name: str = "world", extra: str = "") -> str:
    return f'[[sources]]\nname = "{name}"\ntype = "feed"\nurl = "{url}"\ninterval = "1m"\n{extra}\n'


def run_once(runner: LocalRunner) -> None:
    async def go() -> None:
        await runner.run_once()

    asyncio.run(go())


def close(runner: LocalRunner) -> None:
    asyncio.run(runner.close())
    runner.store.close()


def alerts(tmp_path: Path) -> list[dict]:
    path = tmp_path / "alerts.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_rss_entries_become_full_text_articles_and_alerts(http_server, tmp_path: Path) -> None:
    items = serve_stories(http_server)
    http_server.routes["/rss"] = (200, XML, rss(http_server.base, items))
    runner = make_runner(tmp_path, feed_source(http_server.url("/rss")))
    run_once(runner)
    stats = runner.store.stats()
    assert stats.articles == 3
    got = alerts(tmp_path)
    assert len(got) == 2  # the bridge story has no finding
    by_title = {a["article"]["title"]: a for a in got}
    blast = by_title["Blast kills 14 in Kunduz"]
    assert blast["article"]["url"] == http_server.url("/news/blast")  # tracking parameter stripped
    pairs = {(f["attributes"]["category"], f["attributes"]["count"]) for f in blast["findings"]
             if f["detector"] == "casualties"}
    assert pairs == {("killed", 14), ("injured", 31)}
    assert blast["idempotency_key"].startswith(blast["alert_id"])
    # the page (not the feed's summary) was read: its last sentence is beyond the summary
    doc = json.loads(runner.store.db.execute("SELECT doc FROM articles WHERE title LIKE 'Blast%'").fetchone()[0])
    assert "relatives gathered outside" in doc["text"] and doc["metadata"]["extractor"] == "trafilatura"
    close(runner)


@pytest.mark.parametrize("kind", ["atom", "rss1"])
def test_atom_and_rss1_feeds(http_server, tmp_path: Path, kind: str) -> None:
    items = serve_stories(http_server, ["blast"])
    body = atom(http_server.base, items) if kind == "atom" else rss1(http_server.base, items)
    http_server.routes["/feed"] = (200, {"Content-Type": "application/xml"}, body)
    runner = make_runner(tmp_path, feed_source(http_server.url("/feed")))
    run_once(runner)
    assert runner.store.stats().articles == 1
    assert len(alerts(tmp_path)) == 1
    close(runner)


def test_conditional_get_and_nothing_processed_twice_across_restarts(http_server, tmp_path: Path) -> None:
    items = serve_stories(http_server)

    def feed(handler):  # type: ignore[no-untyped-def]
        if handler.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {**XML, "ETag": '"v1"'}, rss(http_server.base, items)

    http_server.routes["/rss"] = feed
    runner = make_runner(tmp_path, feed_source(http_server.url("/rss")))
    run_once(runner)
    close(runner)
    page_hits = http_server.hits("/news/blast")
    runner = make_runner(tmp_path, feed_source(http_server.url("/rss")))  # a restart: new objects, same state
    run_once(runner)
    feed_requests = [h for p, h in http_server.requests if p == "/rss"]
    assert feed_requests[-1].get("if-none-match") == '"v1"'
    assert http_server.hits("/news/blast") == page_hits
    assert runner.store.stats().articles == 3 and len(alerts(tmp_path)) == 2
    close(runner)


def test_same_story_under_two_urls_counts_once(http_server, tmp_path: Path) -> None:
    title, body = STORIES["blast"]
    for slug in ("blast", "blast-copy"):
        http_server.routes[f"/news/{slug}"] = (200, {"Content-Type": "text/html"}, page(title, body))
    items = [("blast", title, "s"), ("blast-copy", title, "s")]
    http_server.routes["/rss"] = (200, XML, rss(http_server.base, items).replace(b"?utm_source=rss", b""))
    runner = make_runner(tmp_path, feed_source(http_server.url("/rss")))
    run_once(runner)
    assert runner.store.stats().articles == 1
    assert runner.stats.duplicates == 1
    assert len(alerts(tmp_path)) == 1
    close(runner)


def test_updated_toll_alerts_only_the_new_figure(http_server, tmp_path: Path) -> None:
    versions = {"text": "Militants killed five villagers in a raid on Monday, officials said."}
    http_server.routes["/news/raid"] = lambda h: (200, {"Content-Type": "text/html"},
                                                 page("Raid", versions["text"] + " Residents fled the area."))

    def feed(handler):  # type: ignore[no-untyped-def]
        return 200, XML, rss(http_server.base, [("raid", "Raid", versions["text"])]).replace(b"?utm_source=rss", b"")

    http_server.routes["/rss"] = feed
    runner = make_runner(tmp_path, feed_source(http_server.url("/rss")))
    run_once(runner)
    versions["text"] = ("Militants killed five villagers in a raid on Monday. By Wednesday the death toll had "
                        "risen to 12, officials said.")
    run_once(runner)
    got = alerts(tmp_path)
    assert len(got) == 2
    second = {(f["attributes"]["category"], f["attributes"]["count"]) for f in got[1]["findings"]}
    assert second == {("killed", 12)}
    close(runner)


def test_malformed_feed_yields_what_can_be_read(http_server, tmp_path: Path) -> None:
    items = serve_stories(http_server, ["blast", "troops"])
    broken = rss(http_server.base, items).replace(b"</channel></rss>", b"<item><title>trunc")
    http_server.routes["/rss"] = (200, XML, broken)
    runner = make_runner(tmp_path, feed_source(http_server.url("/rss")))
    run_once(runner)
    assert runner.store.stats().articles == 2
    state = runner.store.source_state("world")
    assert state.last_error is None and state.health == "ok"
    close(runner)


def test_html_served_as_feed_is_a_failed_poll_with_a_reason(http_server, tmp_path: Path) -> None:
    http_server.routes["/rss"] = (200, {"Content-Type": "text/html"}, b"<html><body><p>Not a feed</p></body></html>")
    runner = make_runner(tmp_path, feed_source(http_server.url("/rss")))
    run_once(runner)
    state = runner.store.source_state("world")
    assert state.error_count == 1 and "not a readable feed" in (state.last_error or "")
    assert state.next_due is not None  # backing off
    close(runner)


def test_failing_source_backs_off_and_reports_health_then_recovery(http_server, tmp_path: Path) -> None:
    status = {"code": 503}
    items = serve_stories(http_server, ["quiet"])
    http_server.routes["/rss"] = lambda h: ((status["code"], XML, b"down") if status["code"] != 200
                                            else (200, XML, rss(http_server.base, items)))
    runner = make_runner(tmp_path, feed_source(http_server.url("/rss")))
    delays = []
    for _ in range(3):
        run_once(runner)
        state = runner.store.source_state("world")
        delays.append(state.next_due)
    assert state.error_count == 3 and state.health == "failing" and "HTTP 503" in (state.last_error or "")
    assert delays == sorted(delays)  # the next poll moves further out
    health = [a for a in alerts(tmp_path) if a["findings"][0]["detector"] == "source_health"]
    assert len(health) == 1 and health[0]["findings"][0]["attributes"]["status"] == "failing"
    status["code"] = 200
    run_once(runner)
    health = [a for a in alerts(tmp_path) if a["findings"][0]["detector"] == "source_health"]
    assert [h["findings"][0]["attributes"]["status"] for h in health] == ["failing", "recovered"]
    close(runner)


def test_redirects_permanent_updates_url_temporary_does_not(http_server, tmp_path: Path) -> None:
    items = serve_stories(http_server, ["blast"])
    http_server.routes["/new-rss"] = (200, XML, rss(http_server.base, items))
    http_server.routes["/old-rss"] = (301, {"Location": "/new-rss"}, b"")
    http_server.routes["/tmp-rss"] = (302, {"Location": "/new-rss"}, b"")
    runner = make_runner(tmp_path, feed_source(http_server.url("/old-rss"), "moved")
                         + feed_source(http_server.url("/tmp-rss"), "temp"))
    run_once(runner)
    assert runner.store.source_state("moved").url == http_server.url("/new-rss")
    assert runner.store.source_state("temp").url is None
    close(runner)


def test_410_marks_the_feed_gone(http_server, tmp_path: Path) -> None:
    http_server.routes["/rss"] = (410, {}, b"gone")
    runner = make_runner(tmp_path, feed_source(http_server.url("/rss")))
    run_once(runner)
    state = runner.store.source_state("world")
    assert state.gone and state.health == "failing"
    run_once(runner)
    assert http_server.hits("/rss") == 1  # a gone feed is not polled again
    close(runner)


def test_page_failures_fall_back_to_the_feed_text_with_the_reason(http_server, tmp_path: Path) -> None:
    http_server.routes["/news/missing"] = (500, {}, b"oops")
    http_server.routes["/news/huge"] = (200, {"Content-Type": "text/html"}, b"<p>" + b"x" * 3_000_000 + b"</p>")
    summary = "Two soldiers were wounded when their patrol was ambushed near the border on Monday."
    items = [("missing", "Ambush", summary), ("huge", "Huge", "Three people were killed in a blast.")]
    http_server.routes["/rss"] = (200, XML, rss(http_server.base, items).replace(b"?utm_source=rss", b""))
    runner = make_runner(tmp_path, feed_source(http_server.url("/rss")), extra="max_body_bytes = 1000000")
    run_once(runner)
    docs = [json.loads(r[0]) for r in runner.store.db.execute("SELECT doc FROM articles")]
    reasons = sorted(d["metadata"]["fallback_reason"] for d in docs)
    assert reasons[0].startswith("page not fetched: HTTP 500")
    assert "exceeds 1000000 bytes" in reasons[1]
    assert len(alerts(tmp_path)) == 2
    close(runner)


def test_gzip_bomb_page_stops_at_the_size_cap(http_server, tmp_path: Path) -> None:
    bomb = gzip.compress(b"<p>" + b"A" * 50_000_000 + b"</p>")
    http_server.routes["/news/bomb"] = (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, bomb)
    http_server.routes["/rss"] = (200, XML, rss(http_server.base, [("bomb", "Bomb", "")]).replace(
        b"?utm_source=rss", b""))
    runner = make_runner(tmp_path, feed_source(http_server.url("/rss")), extra="max_body_bytes = 1000000")
    run_once(runner)
    failures = runner.store.failures()
    assert len(failures) == 1 and "exceeds 1000000 bytes" in failures[0][2]
    close(runner)


def test_private_network_guard_refuses_loopback_by_default(http_server, tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    http_server.routes["/rss"] = (200, XML, rss(http_server.base, serve_stories(http_server)))
    runner = make_runner(tmp_path, feed_source(http_server.url("/rss")), private=False)
    run_once(runner)
    state = runner.store.source_state("world")
    assert "refused: 127.0.0.1 resolves to non-public address 127.0.0.1" in (state.last_error or "")
    port = http_server.base.rsplit(":", 1)[1]
    assert f'add "127.0.0.1:{port}" to [daemon] allow' in (state.last_error or "")  # the narrow way out
    assert http_server.hits("/rss") == 0
    close(runner)


def test_retry_after_is_obeyed_per_host(http_server, tmp_path: Path) -> None:
    http_server.routes["/rss"] = (429, {"Retry-After": "120"}, b"slow down")
    runner = make_runner(tmp_path, feed_source(http_server.url("/rss")))
    run_once(runner)
    state = runner.store.source_state("world")
    assert "HTTP 429" in (state.last_error or "")
    from datetime import datetime

    assert datetime.fromisoformat(state.next_due or "").timestamp() - time.time() > 100
    close(runner)


def test_slow_feed_times_out_and_polling_goes_on(http_server, tmp_path: Path) -> None:
    def slow(handler):  # type: ignore[no-untyped-def]
        time.sleep(3)
        return 200, XML, b""

    http_server.routes["/slow"] = slow
    items = serve_stories(http_server, ["blast"])
    http_server.routes["/rss"] = (200, XML, rss(http_server.base, items))
    runner = make_runner(tmp_path, feed_source(http_server.url("/slow"), "slow")
                         + feed_source(http_server.url("/rss"), "fine"))
    run_once(runner)
    assert "timed out" in (runner.store.source_state("slow").last_error or "")
    assert runner.store.stats().articles == 1
    close(runner)


def test_drop_folder_processes_complete_files_and_keeps_failures_aside(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("Four people were killed when the roof collapsed, officials said.")
    (inbox / "b.html").write_bytes(page(*STORIES["troops"]))
    (inbox / "empty.txt").write_text("")
    (inbox / "sheet.xlsx").write_bytes(b"PK\x03\x04")
    outside = tmp_path / "secret.txt"
    outside.write_text("Ten soldiers were killed.")
    (inbox / "link.txt").symlink_to(outside)
    os.mkfifo(inbox / "pipe.txt")
    (inbox / "mail.eml").write_text(
        "From: desk@example.org\nSubject: Wire update\nContent-Type: text/plain\n\n"
        "Three soldiers were wounded in an ambush on Friday.\n"
    )
    runner = make_runner(tmp_path, f'[[sources]]\nname = "inbox"\ntype = "folder"\npath = "{inbox}"\nsettle = "0.2s"\n')
    run_once(runner)
    processed = sorted(p.name for p in (inbox / "processed").iterdir())
    failed = sorted(p.name for p in (inbox / "failed").iterdir())
    assert processed == ["a.txt", "b.html", "mail.eml"]
    assert failed == ["empty.txt", "empty.txt.reason", "link.txt", "link.txt.reason", "pipe.txt", "pipe.txt.reason",
                      "sheet.xlsx", "sheet.xlsx.reason"]
    assert "is empty" in (inbox / "failed" / "empty.txt.reason").read_text()
    assert "symbolic link" in (inbox / "failed" / "link.txt.reason").read_text()
    assert "not a regular file" in (inbox / "failed" / "pipe.txt.reason").read_text()
    assert outside.read_text() == "Ten soldiers were killed."  # the link's target was neither read nor moved
    assert (inbox / "failed" / "link.txt").is_symlink()
    got = {a["article"]["title"]: a for a in alerts(tmp_path)}
    assert "Wire update" in got
    assert len(runner.store.failures()) == 1  # the empty file: refused before reading are not documents
    close(runner)


def test_file_still_being_written_waits(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    runner = make_runner(tmp_path, f'[[sources]]\nname = "inbox"\ntype = "folder"\npath = "{inbox}"\nsettle = "0.5s"\n')

    async def go() -> None:
        path = inbox / "growing.txt"

        async def writer() -> None:
            with path.open("w") as fh:
                for _ in range(8):
                    fh.write("Two soldiers were wounded. ")
                    fh.flush()
                    await asyncio.sleep(0.15)

        task = asyncio.create_task(writer())
        await asyncio.sleep(0.05)
        await runner.run_once()  # the file keeps changing during the settle check: not taken
        assert path.exists()
        await task
        await runner.run_once()
        assert not path.exists() and (inbox / "processed" / "growing.txt").exists()

    asyncio.run(go())
    close(runner)


def test_names_with_control_characters_and_oversized_files_are_handled(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "line\nbreak.txt").write_text("Two soldiers were wounded near the border.")
    (inbox / "bell\x07.txt").write_text("Three civilians were killed in shelling.")
    (inbox / "big.txt").write_bytes(b"Five people were killed. " * 5000)
    runner = make_runner(tmp_path, f'[[sources]]\nname = "inbox"\ntype = "folder"\npath = "{inbox}"\n'
                                   'settle = "0.1s"\nmax_bytes = 50000\n')
    run_once(runner)
    processed = sorted(p.name for p in (inbox / "processed").iterdir())
    failed = sorted(p.name for p in (inbox / "failed").iterdir())
    assert processed == ["bell_.txt", "line_break.txt"]  # control characters replaced, contents kept
    assert failed == ["big.txt", "big.txt.reason"]
    assert "over the 50000-byte limit" in (inbox / "failed" / "big.txt.reason").read_text()
    assert (inbox / "failed" / "big.txt").stat().st_size == 125000  # the only copy, untouched
    close(runner)


def test_silent_source_raises_a_health_alert(http_server, tmp_path: Path) -> None:
    items = serve_stories(http_server, ["quiet"])
    http_server.routes["/rss"] = (200, XML, rss(http_server.base, items))
    runner = make_runner(tmp_path, feed_source(http_server.url("/rss"), extra='expect_updates_within = "1s"'))
    run_once(runner)  # brings the story: not silent
    state = runner.store.source_state("world")
    state.last_new_item = "2000-01-01T00:00:00+00:00"  # as if nothing new had come for a long time
    runner.store.save_source_state(state)
    run_once(runner)  # the same feed again: nothing new
    run_once(runner)  # and again: still one silence alert, no flapping
    health = [a for a in alerts(tmp_path) if a["findings"][0]["detector"] == "source_health"]
    assert [h["findings"][0]["attributes"]["status"] for h in health] == ["silent"]
    assert runner.store.source_state("world").health == "silent"
    serve_stories(http_server, ["blast"])
    http_server.routes["/rss"] = (200, XML, rss(http_server.base, [*items, ("blast", "Blast", "s")]))
    run_once(runner)  # something new: recovered
    health = [a for a in alerts(tmp_path) if a["findings"][0]["detector"] == "source_health"]
    assert [h["findings"][0]["attributes"]["status"] for h in health] == ["silent", "recovered"]
    close(runner)


def test_a_different_file_under_a_reused_name_is_a_new_article(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    runner = make_runner(tmp_path, f'[[sources]]\nname = "inbox"\ntype = "folder"\npath = "{inbox}"\nsettle = "0.1s"\n')
    (inbox / "wire.txt").write_text("Four soldiers were killed in an ambush on Monday.")
    run_once(runner)
    (inbox / "wire.txt").write_text("Six civilians were wounded by shelling on Tuesday.")
    run_once(runner)
    assert runner.store.stats().articles == 2
    assert [a["findings"][0]["attributes"]["count"] for a in alerts(tmp_path)] == [4, 6]
    close(runner)


def test_a_text_page_whose_charset_decodes_to_a_lone_surrogate_is_read(http_server, tmp_path: Path) -> None:
    """UTF-7 (and UTF-16) can spell half of a surrogate pair, which Python decodes to a code point no step after
    can encode (the content hash, the store, the detectors' automata): it becomes U+FFFD and the story is read."""
    body = ("Blast in Kunduz\n\nFive soldiers were killed and 3,000 troops were deployed to the city +2D0-. "
            "Officials said the toll may rise.").encode("ascii")
    http_server.routes["/news/utf7"] = (200, {"Content-Type": "text/plain; charset=utf-7"}, body)
    http_server.routes["/rss"] = (200, XML, rss(http_server.base, [("utf7", "Blast in Kunduz", "Blast.")]))
    runner = make_runner(tmp_path, feed_source(http_server.url("/rss")))
    run_once(runner)
    assert runner.store.stats().articles == 1
    doc = json.loads(runner.store.db.execute("SELECT doc FROM articles").fetchone()[0])
    assert "city \ufffd." in doc["text"] and doc["metadata"]["extractor"] == "text"
    got = alerts(tmp_path)
    assert {(f["attributes"]["category"], f["attributes"]["count"]) for a in got for f in a["findings"]
            if f["detector"] == "casualties"} == {("killed", 5)}
    close(runner)
