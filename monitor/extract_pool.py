"""Extraction in a process pool sized to the cores, supervised: when a process dies (the OOM killer) the pool
is rebuilt, ``extraction`` is reported until the new pool answers, and the document is extracted again."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any

import structlog

from monitor.errors import InputError
from monitor.extract import extract_for_document
from monitor.model import Article
from monitor.problems import Problems

log = structlog.get_logger("monitor.extraction")

#: Attempts to extract one document when extraction processes keep dying under it (a page that kills its
#: worker every time is set aside after this many).
POOL_ATTEMPTS = 4


class ExtractionPool:
    def __init__(self, processes: int, problems: Problems) -> None:
        self.processes = processes
        self.problems = problems
        self.pool: ProcessPoolExecutor | None = None

    def get(self) -> ProcessPoolExecutor:
        """The live pool, started on first use."""
        if self.pool is None:
            self.pool = ProcessPoolExecutor(self.processes, mp_context=get_context("forkserver"))
        return self.pool

    async def extract(self, body: bytes, kind: str | None, *, where: str, url: str | None, path: str | None,
                      source: str | None, charset: str | None, limit: float) -> Article:
        """Bytes to an article in a worker process, within ``limit`` seconds; InputError when it cannot be read."""
        loop = asyncio.get_running_loop()
        for _ in range(POOL_ATTEMPTS):
            pool = self.get()
            try:
                future = loop.run_in_executor(pool, _extract_job, body, kind, where, url, path, source, charset)
                async with asyncio.timeout(limit):  # not wait_for, which adds a task per call on Python 3.11
                    data = await future
            except BrokenProcessPool:
                self._broken(pool)
                continue
            except TimeoutError:
                raise InputError(where, f"extraction took longer than {limit:g} s") from None
            if self.pool is pool:
                self.problems.report("extraction", None)
            if isinstance(data, InputError):
                raise data
            return Article.from_dict(data)
        raise InputError(where, f"the extraction process died {POOL_ATTEMPTS} times while reading it")

    def _broken(self, pool: ProcessPoolExecutor) -> None:
        """An extraction process died: replace the pool once (whoever notices first), report it until the new
        pool has answered."""
        if self.pool is not pool:
            return
        log.error("extraction.pool_broken", processes=self.processes,
                  outcome="pool rebuilt; the documents in flight are extracted again")
        self.problems.report("extraction", "an extraction process died; the process pool is being rebuilt")
        self.pool = None
        pool.shutdown(wait=False, cancel_futures=True)
        asyncio.get_running_loop().create_task(self._warm(self.get()))

    async def _warm(self, pool: ProcessPoolExecutor) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(pool, os.getpid)
        except BrokenProcessPool:
            self._broken(pool)
            return
        if self.pool is pool:
            self.problems.report("extraction", None)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _extract_job(body: bytes, kind: str | None, where: str, url: str | None, path: str | None,
                 source: str | None, charset: str | None) -> dict[str, Any] | InputError:
    try:
        return extract_for_document(body, kind, where=where, url=url, path=path, source=source, charset=charset)
    except InputError as exc:
        return exc
