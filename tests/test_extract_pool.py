"""The extraction workers read by the event loop (``monitor/extract_pool.py``): the same article as extracting
in the daemon's own process, refusals and errors carried back, a page that outlasts its limit set aside while
the other workers go on, and a killed worker replaced with its page extracted again."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from monitor.errors import InputError
from monitor.extract import extract_for_document
from monitor.extract_pool import ExtractionPool
from monitor.model import Article, content_hash_of
from monitor.problems import Problems
from tests.newsroom import STORIES, page


def _pages() -> list[bytes]:
    return [page(title, f"{body} Report number {i}.") for i, (title, body) in
            enumerate(list(STORIES.values()) * 4)]


async def _extract(pool: ExtractionPool, body: bytes, limit: float = 30.0, kind: str = "html") -> Article:
    return await pool.extract(body, kind, where="http://x/p", url="http://x/p", path=None, source="s", charset=None,
                              limit=limit)


def test_articles_are_those_extracted_in_process_and_refusals_come_back() -> None:
    pool = ExtractionPool(2, Problems())

    async def go() -> None:
        bodies = _pages()
        got = await asyncio.gather(*(_extract(pool, b) for b in bodies))  # more pages than workers: they wait
        for body, article in zip(bodies, got, strict=True):
            want = extract_for_document(body, "html", where="http://x/p", url="http://x/p", path=None, source="s")
            assert {**article.to_dict(), "fetched_at": ""} == {**want, "fetched_at": ""}
            assert article.content_hash == content_hash_of(want["text"])  # computed by the worker
        pids = pool.pids()
        with pytest.raises(InputError, match=r"is empty$"):  # the refusal itself, not a dead worker
            await _extract(pool, b"", kind="html")
        assert pool.pids() == pids and len(pids) == 2 and pool.problems == {}

    try:
        asyncio.run(go())
        asyncio.run(go())  # a second event loop (a one-shot run, a test) reads the same workers
    finally:
        pool.close()
    assert pool.pids() == []


def test_a_page_over_its_limit_is_set_aside_and_the_workers_go_on() -> None:
    pool = ExtractionPool(2, Problems())

    async def go() -> None:
        with pytest.raises(InputError, match="took longer than"):
            await _extract(pool, page(*STORIES["blast"]), limit=1e-6)
        articles = await asyncio.gather(*(_extract(pool, b) for b in _pages()[:4]))
        assert [a.title for a in articles] == [t for t, _ in list(STORIES.values())[:3]] + [STORIES["blast"][0]]

    try:
        asyncio.run(go())
    finally:
        pool.close()


def test_the_worker_on_a_page_past_its_limit_is_stopped_and_replaced() -> None:
    """A page that outlasts its limit must not hold its worker for ever: the worker is stopped, a new one
    takes the next page, and no extraction problem is reported (nothing died)."""
    pool = ExtractionPool(1, Problems())
    slow = page("Long report", " ".join(f"Paragraph {i} of a very long report on the talks." for i in range(40000)))

    async def go() -> None:
        await _extract(pool, page(*STORIES["troops"]))
        [pid] = pool.pids()
        with pytest.raises(InputError, match="took longer than"):
            await _extract(pool, slow, limit=0.05)
        assert pid not in pool.pids()
        article = await _extract(pool, page(*STORIES["blast"]))
        assert article.title == STORIES["blast"][0] and pool.pids() != [pid] and pool.problems == {}

    try:
        asyncio.run(go())
    finally:
        pool.close()


class _Reported(Problems):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str | None]] = []

    def report(self, part: str, why: str | None) -> None:
        self.seen.append((part, why))
        super().report(part, why)


def test_a_killed_worker_is_replaced_and_its_page_extracted_again() -> None:
    problems = _Reported()
    pool = ExtractionPool(1, problems)

    async def go() -> None:
        await _extract(pool, page(*STORIES["troops"]))
        [pid] = pool.pids()
        before = len(problems.seen)
        os.kill(pid, signal.SIGKILL)  # idle: replaced as soon as the daemon reads the end of its pipe
        while pool.pids() == [pid]:
            await asyncio.sleep(0.01)
        # reported down when it died (the new worker may already have answered by now: a forked worker can
        # answer its first ping within the 10 ms this loop sleeps)
        assert problems.seen[before][1] is not None
        article = await _extract(pool, page(*STORIES["blast"]))
        assert article.title == STORIES["blast"][0] and problems == {}
        # killed while it works on a page: the page is extracted again by its replacement
        task = asyncio.ensure_future(_extract(pool, page(*STORIES["quiet"])))
        await asyncio.sleep(0)
        [pid] = pool.pids()
        os.kill(pid, signal.SIGKILL)
        assert (await task).title == STORIES["quiet"][0]
        # Under load the worker may have answered just before the signal landed: its death is then read right
        # after its answer, and its replacement answers its ping a moment later.
        deadline = time.monotonic() + 30
        while (pool.pids() == [pid] or problems != {}) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert pool.pids() != [pid] and problems == {}
        healthy = [why is None for part, why in problems.seen if part == "extraction"]
        assert [h for i, h in enumerate(healthy) if i == 0 or h != healthy[i - 1]] == [True, False, True, False, True]

    try:
        asyncio.run(go())
    finally:
        pool.close()


def test_a_body_that_is_not_bytes_is_refused_before_anything_is_sent() -> None:
    """A page goes to a worker as two frames (its description, then its bytes): a body that cannot be sent (a
    third-party source's str) is refused with its reason before the first, so no worker waits for a second."""
    pool = ExtractionPool(1, Problems())

    async def go() -> None:
        with pytest.raises(InputError, match="body is str, not bytes"):
            await _extract(pool, page(*STORIES["troops"]).decode(), limit=5)  # type: ignore[arg-type]
        article = await _extract(pool, page(*STORIES["blast"]), limit=5)
        assert article.title == STORIES["blast"][0]

    try:
        asyncio.run(go())
    finally:
        pool.close()
