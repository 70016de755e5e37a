"""Replicas keep their event loop free while PostgreSQL is slow: every store call of a poll, a document and the
outbox waits on the store's own thread, so procrastinate's heartbeats (any coroutine on the loop) go on.

A real PostgreSQL; a second connection holds an ACCESS EXCLUSIVE lock on a table the call needs, for about a
second; a ticker coroutine counts its turns meanwhile. The control — the embedded runner's way, the call on the
loop — shows the ticker stopped for as long, so the test can tell the two apart."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from monitor.config import parse_config
from monitor.model import Document
from monitor.plugins import build_plugins
from monitor.store.postgres import PostgresStore
from tests.conftest import Served
from tests.newsroom import rss

pytestmark = pytest.mark.timeout(60)

HOLD = 1.0  # seconds the other connection keeps the lock
TICK = 0.02


@pytest.fixture
def store(pg_url: str) -> Iterator[PostgresStore]:
    s = PostgresStore(pg_url)
    yield s
    s.close()


def _runner(pg_url: str, store: PostgresStore, tmp_path: Path,  # type: ignore[no-untyped-def]
            feed: str = "http://127.0.0.1:9/feed"):
    pytest.importorskip("procrastinate")
    from monitor.runners.queue import QueueRunner

    config = parse_config(f'[store]\nurl = "{pg_url}"\n[daemon]\nstate_dir = "{tmp_path}"\nallow = ["127.0.0.1"]\n'
                          f'[[sources]]\nname = "wire"\ntype = "feed"\nurl = "{feed}"\n'
                          'fetch_pages = false\n'
                          f'[[sinks]]\nname = "file"\ntype = "jsonl"\npath = "{tmp_path}/alerts.jsonl"\n')
    return QueueRunner(config, build_plugins(), store, pg_url, processes=1)


def _hold_lock(pg_url: str, table: str, locked: threading.Event) -> threading.Thread:
    def hold() -> None:
        with psycopg.connect(pg_url) as conn:
            conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            locked.set()
            time.sleep(HOLD)
            conn.rollback()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    return thread


async def _ticks_during(call: Callable[[], Awaitable[object]], pg_url: str, table: str) -> tuple[int, float]:
    """Turns of a ticker coroutine while ``call`` waits on a lock another connection holds on ``table``; and how
    long the call took."""
    locked = threading.Event()
    holder = _hold_lock(pg_url, table, locked)
    await asyncio.to_thread(locked.wait, 10)
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            await asyncio.sleep(TICK)
            ticks += 1

    beating = asyncio.create_task(ticker())
    started = time.monotonic()
    await call()
    took = time.monotonic() - started
    done.set()
    await beating
    await asyncio.to_thread(holder.join, 10)
    return ticks, took


def test_a_poll_waiting_on_postgres_leaves_the_loop_running(pg_url: str, store: PostgresStore,
                                                            tmp_path: Path) -> None:
    runner = _runner(pg_url, store, tmp_path)

    async def dispatch(source: object, doc: Document) -> asyncio.Future[None]:
        raise AssertionError("the feed is not reachable; nothing to dispatch")

    async def main() -> tuple[int, float]:
        try:
            return await _ticks_during(lambda: runner.processor.poll("wire", dispatch), pg_url, "sources")
        finally:
            await runner.close()

    ticks, took = asyncio.run(main())
    assert took >= HOLD * 0.8  # the poll really waited for the lock
    # about HOLD / TICK turns; far more than none, whatever the machine's load
    print(f"poll: the loop turned {ticks} times in {took:.2f} s while the store waited")
    assert ticks >= 10, f"the loop ran {ticks} times in {took:.2f} s while the store waited"
    assert store.source_state("wire").last_error  # the poll then ran: the feed failed and that was recorded


def test_a_poll_asking_which_entries_are_new_leaves_the_loop_running(pg_url: str, store: PostgresStore,
                                                                     tmp_path: Path, http_server: Served) -> None:
    """Which feed entries were already processed is read in one query on the store's thread before the feed is
    read; asked entry by entry (``SourceContext.seen`` is synchronous) it would wait on the loop."""
    entries = [(f"story-{i}", f"Story {i}", f"Summary of story {i}, long enough to be read.") for i in range(5)]
    http_server.routes["/feed"] = (200, {"Content-Type": "application/rss+xml"}, rss(http_server.base, entries))
    runner = _runner(pg_url, store, tmp_path, http_server.url("/feed"))
    found: list[Document] = []
    first: list[Document] = []

    async def dispatch(source: object, doc: Document) -> asyncio.Future[None]:
        found.append(doc)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    async def main() -> tuple[int, float]:
        try:
            await runner.processor.poll("wire", dispatch)
            first.extend(found)
            # One entry processed at the version the feed still shows, one at an older version; then a new entry.
            store.record_item_alias(first[0].key, first[0].version, "a0", source="wire")
            store.record_item_alias(first[1].key, "older", "a1", source="wire")
            entries.append(("story-5", "Story 5", "Summary of story 5, long enough to be read."))
            http_server.routes["/feed"] = (200, {"Content-Type": "application/rss+xml"},
                                           rss(http_server.base, entries))
            found.clear()
            return await _ticks_during(lambda: runner.processor.poll("wire", dispatch), pg_url, "items")
        finally:
            await runner.close()

    ticks, took = asyncio.run(main())
    assert took >= HOLD * 0.8
    assert ticks >= 10, f"the loop ran {ticks} times in {took:.2f} s while the store waited"
    assert len(first) == 5
    keys = {d.key for d in found}
    assert len(found) == 5 and first[0].key not in keys and first[1].key in keys, keys


def test_a_document_and_the_outbox_waiting_on_postgres_leave_the_loop_running(pg_url: str, store: PostgresStore,
                                                                              tmp_path: Path) -> None:
    runner = _runner(pg_url, store, tmp_path)
    source = runner.wiring.sources["wire"]
    doc = Document(key="wire:1", version="1", source="wire", kind="text",
                   body=b"Gunmen killed 12 villagers in a raid on Monday, officials said.")

    async def main() -> tuple[tuple[int, float], tuple[int, float]]:
        try:
            processed = await _ticks_during(lambda: runner.processor.process(source, doc), pg_url, "articles")
            delivered = await _ticks_during(runner.outbox.deliver_due, pg_url, "outbox")
            return processed, delivered
        finally:
            await runner.close()

    (p_ticks, p_took), (o_ticks, o_took) = asyncio.run(main())
    assert p_took >= HOLD * 0.8 and o_took >= HOLD * 0.8
    assert p_ticks >= 10 and o_ticks >= 10, (p_ticks, o_ticks)
    assert store.stats().articles == 1  # the document was stored once the lock was released
    assert (tmp_path / "alerts.jsonl").read_text().count("\n") >= 1  # and its alert delivered


def test_control_a_store_call_on_the_loop_stops_it(pg_url: str, store: PostgresStore) -> None:
    """The embedded runner's way (no store thread), against the same lock: the ticker stands still."""
    from monitor.store.calls import StoreCalls

    on_loop = StoreCalls()

    async def main() -> tuple[int, float]:
        return await _ticks_during(lambda: on_loop(store.source_state, "wire"), pg_url, "sources")

    ticks, took = asyncio.run(main())
    assert took >= HOLD * 0.8
    print(f"control: the loop turned {ticks} times in {took:.2f} s")
    assert ticks <= 2, f"the loop ran {ticks} times though the call blocked it"
