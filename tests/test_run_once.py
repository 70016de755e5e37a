"""``monitor run --once`` as cron runs it: on PostgreSQL it polls, processes and delivers (it used to fail
every poll on a procrastinate App that was never opened, exit 0 and report ok); and a run in which every poll
failed exits non-zero on both backends."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from monitor.sinks.webhook import verify
from tests.newsroom import page, rss, start_server

SECRET = "once-secret"


class Newsroom:
    """A feed of killings, their pages, and a signature-checking webhook receiver, on 127.0.0.1."""

    def __init__(self) -> None:
        self.routes: dict[str, bytes] = {}
        self.received: list[dict[str, object]] = []
        lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = outer.routes.get(self.path.split("?")[0], b"")
                self.send_response(200 if body else 500)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ok = verify(SECRET, self.headers.get("X-Monitor-Signature", ""), body)
                if ok:
                    with lock:
                        outer.received.append(json.loads(body))
                self.send_response(200 if ok else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server, self.base = start_server(Handler)

    def publish(self, stories: int) -> None:
        items = []
        for n in range(stories):
            self.routes[f"/news/{n}"] = page(f"Raid {n}", f"Gunmen killed {n + 12} villagers in a raid on the town "
                                                         f"of district {n}, officials said on Monday evening.")
            items.append((str(n), f"Raid {n}", ""))
        self.routes["/feed"] = rss(self.base, items)

    def config(self, tmp_path: Path, store_url: str | None, feed: str = "/feed") -> Path:
        path = tmp_path / "monitor.toml"
        store = f'[store]\nurl = "{store_url}"\n' if store_url else ""
        path.write_text(f'{store}[daemon]\nstate_dir = "state"\nallow_private_networks = true\n'
                        f'[[sources]]\nname = "world"\ntype = "feed"\nurl = "{self.base}{feed}"\n'
                        f'[[sinks]]\nname = "ops"\ntype = "webhook"\nurl = "{self.base}/hook"\nsecret = "{SECRET}"\n'
                        '[[routes]]\nname = "all"\nsinks = ["ops"]\n')
        return path


@pytest.fixture
def newsroom() -> Iterator[Newsroom]:
    room = Newsroom()
    try:
        yield room
    finally:
        room.server.shutdown()
        room.server.server_close()


def test_once_on_postgres_polls_processes_and_delivers(newsroom: Newsroom, pg_url: str, tmp_path: Path,
                                                        monitor) -> None:  # type: ignore[no-untyped-def]
    newsroom.publish(3)
    config = newsroom.config(tmp_path, pg_url)
    first = monitor("run", "--once", "--config", str(config))
    assert first.code == 0, first.err
    assert "App was not open" not in first.err
    assert sorted(a["article"]["title"] for a in newsroom.received) == ["Raid 0", "Raid 1", "Raid 2"]  # type: ignore[index]
    with psycopg.connect(pg_url) as conn:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()
        outbox = dict(conn.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
        health = conn.execute("SELECT health, error_count FROM sources WHERE name = 'world'").fetchone()
    assert articles == (3,) and outbox == {"delivered": 3} and health == ("ok", 0)

    # A new story appears: the next run reads only it, and nothing already sent is sent again.
    newsroom.publish(4)
    second = monitor("run", "--once", "--config", str(config))
    assert second.code == 0, second.err
    assert [a["article"]["title"] for a in newsroom.received[3:]] == ["Raid 3"]  # type: ignore[index]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_once_exits_non_zero_when_every_poll_failed(backend: str, newsroom: Newsroom, tmp_path: Path,
                                                    request: pytest.FixtureRequest,
                                                    monitor) -> None:  # type: ignore[no-untyped-def]
    store_url = request.getfixturevalue("pg_url") if backend == "postgres" else None
    config = newsroom.config(tmp_path, store_url, feed="/broken-feed")  # answered with HTTP 500
    result = monitor("run", "--once", "--config", str(config))
    assert result.code == 1, (result.code, result.err)
    assert "run.all_polls_failed" in result.err

    # One source working is a run that did something: exit 0, the failing source shown in status.
    newsroom.publish(1)
    config.write_text(config.read_text() + f'[[sources]]\nname = "good"\ntype = "feed"\nurl = "{newsroom.base}/feed"\n')
    result = monitor("run", "--once", "--config", str(config))
    assert result.code == 0, result.err


def test_a_failed_poll_does_not_keep_the_feeds_validators(tmp_path: Path, http_server) -> None:  # type: ignore[no-untyped-def]
    """The entries a failed poll could not hand on are read again by the next poll, not hidden behind the
    ETag and body hash that poll saw (what made PostgreSQL --once lose them)."""
    import asyncio

    from monitor.hookspecs import Source
    from monitor.model import Document
    from tests.test_daemon import feed_source, make_runner, run_once

    items = [(str(n), f"Raid {n}", "") for n in range(2)]
    for n in range(2):
        http_server.routes[f"/news/{n}"] = (200, {"Content-Type": "text/html"}, page(
            f"Raid {n}", f"Gunmen killed {n + 12} villagers in a raid on Monday, officials said."))
    http_server.routes["/feed"] = (200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'},
                                   rss(http_server.base, items))
    runner = make_runner(tmp_path, feed_source(http_server.url("/feed")))
    handed = runner.dispatch

    async def refuse(source: Source, doc: Document) -> asyncio.Future[None]:
        raise RuntimeError("queue unavailable")

    runner.dispatch = refuse  # type: ignore[method-assign]
    try:
        run_once(runner)
        state = runner.store.source_state("world")
        assert state.error_count == 1 and (state.etag, state.body_hash) == (None, None)
        runner.dispatch = handed  # type: ignore[method-assign]
        run_once(runner)
        assert runner.store.stats().articles == 2
        assert runner.store.source_state("world").etag == '"v1"'
    finally:
        asyncio.run(runner.close())
        runner.store.close()
