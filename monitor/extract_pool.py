"""Extraction in worker processes sized to the cores, supervised: when a process dies (the OOM killer) it is
replaced, ``extraction`` is reported until a new process answers, and its document is extracted again.

Each worker process has a pipe of its own, which the event loop reads: a page is pickled straight into an idle
worker's pipe and its article read back when the pipe turns readable. ``concurrent.futures.ProcessPoolExecutor``
did the same with two threads of its own (a manager that hands work to a queue and reads results, a feeder
that pickles into the queue) and two thread wake-ups per page; those cost the daemon about 0.5 ms of CPU per
article, more than de-duplication and the store write together. Pages wait in the daemon's process until a
worker is free, one page per worker at a time (so a write to a worker's pipe never waits for the worker to
finish a page).
"""

from __future__ import annotations

import asyncio
import contextlib
import pickle
import signal
from collections import deque
from dataclasses import dataclass, field
from multiprocessing import get_context
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import structlog

from monitor.errors import InputError
from monitor.extract import extract_for_document
from monitor.model import Article, content_hash_of, remember_content_hash
from monitor.problems import Problems

log = structlog.get_logger("monitor.extraction")

#: Attempts to extract one document when extraction processes keep dying under it (a page that kills its
#: worker every time is set aside after this many).
POOL_ATTEMPTS = 4

#: What the daemon sends a worker besides a page: "answer" (a new worker, to know it is up) and "warm" (pay
#: the extractor's one-time loads before the first page).
_PING = b""
_WARM = b"w"


class _Died(Exception):
    """The worker process extracting the document died."""


@dataclass(eq=False)
class _Job:
    message: bytes
    #: None for a ping nobody waits for
    future: asyncio.Future[Any] | None
    #: The page's bytes, sent as a frame of their own after ``message`` (not pickled with it: a copy fewer of a
    #: page of a few hundred kilobytes in the daemon's process)
    body: bytes = b""


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    #: The worker's deaths-count when it started: its first answer reports ``extraction`` healthy again.
    generation: int
    #: What it is doing now (None: idle); a job whose caller gave up stays here until the worker is done.
    job: _Job | None = None
    answered: bool = False
    loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)


class ExtractionPool:
    def __init__(self, processes: int, problems: Problems) -> None:
        self.processes = processes
        self.problems = problems
        self._workers: list[_Worker] = []
        self._waiting: deque[_Job] = deque()
        self._deaths = 0
        self._loop: asyncio.AbstractEventLoop | None = None

    def pids(self) -> list[int]:
        """The live worker processes (tests and benchmarks kill them)."""
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    async def warm(self) -> None:
        """Start every worker and have each pay the extractor's one-time loads (a tiny page), as a daemon that
        has run a while has."""
        self._attach()
        while len(self._workers) < self.processes:
            self._start()
        loop = asyncio.get_running_loop()
        futures = []
        for worker in self._workers:
            if worker.job is None:
                future = loop.create_future()
                self._send(worker, _Job(_WARM, future))
                futures.append(future)
        await asyncio.gather(*futures, return_exceptions=True)

    async def extract(self, body: bytes, kind: str | None, *, where: str, url: str | None, path: str | None,
                      source: str | None, charset: str | None, limit: float) -> Article:
        """Bytes to an article in a worker process, within ``limit`` seconds; InputError when it cannot be read."""
        self._attach()
        loop = asyncio.get_running_loop()
        if not isinstance(body, bytes):  # a source plugin's str, say: refused here, before half a job is sent
            raise InputError(where, f"the document's body is {type(body).__name__}, not bytes")
        message = pickle.dumps((kind, where, url, path, source, charset), protocol=pickle.HIGHEST_PROTOCOL)
        for _ in range(POOL_ATTEMPTS):
            future = loop.create_future()
            self._waiting.append(_Job(message, future, body))
            self._dispatch()
            try:
                async with asyncio.timeout(limit):  # not wait_for, which adds a task per call on Python 3.11
                    ok, data = await future
            except _Died:
                continue
            except TimeoutError:
                # still waiting, it is skipped; still running, its worker is stopped and replaced
                self._stop_overdue(future)
                raise InputError(where, f"extraction took longer than {limit:g} s") from None
            if not ok:
                raise data
            if isinstance(data, InputError):
                raise data
            fields, content_hash = data
            article = Article.from_dict(fields)
            remember_content_hash(article.text, content_hash)
            return article
        raise InputError(where, f"the extraction process died {POOL_ATTEMPTS} times while reading it")

    # -- the workers -------------------------------------------------------------------------------------

    def _attach(self) -> None:
        """Read the workers' pipes on the running loop (a one-shot run or a test may start a new loop)."""
        loop = asyncio.get_running_loop()
        if self._loop is loop:
            return
        self._loop = loop
        for worker in self._workers:
            self._read_on(worker, loop)

    def _read_on(self, worker: _Worker, loop: asyncio.AbstractEventLoop) -> None:
        if worker.loop is not None and not worker.loop.is_closed():
            worker.loop.remove_reader(worker.conn.fileno())
        loop.add_reader(worker.conn.fileno(), self._readable, worker)
        worker.loop = loop

    def _start(self) -> _Worker:
        ctx = get_context("forkserver")
        ours, theirs = ctx.Pipe(duplex=True)
        process = ctx.Process(target=_serve, args=(theirs,), name="extraction", daemon=True)
        process.start()
        theirs.close()  # the worker's end lives in the worker only: its death reads as the end of the pipe
        worker = _Worker(process, ours, self._deaths)
        self._workers.append(worker)
        assert self._loop is not None
        self._read_on(worker, self._loop)
        return worker

    def _dispatch(self) -> None:
        """Hand waiting pages to idle workers, starting workers up to ``processes``."""
        while self._waiting:
            worker = next((w for w in self._workers if w.job is None), None)
            if worker is None:
                if len(self._workers) >= self.processes:
                    return
                worker = self._start()
            job = self._waiting.popleft()
            if job.future is not None and job.future.done():  # its caller gave up (timed out, cancelled)
                continue
            self._send(worker, job)

    def _send(self, worker: _Worker, job: _Job) -> None:
        worker.job = job
        try:
            worker.conn.send_bytes(job.message)
            if job.message not in (_PING, _WARM):  # as the worker decides whether a body follows
                worker.conn.send_bytes(job.body)
        except OSError:  # it died since it last answered: the page goes to the next worker, not counted
            worker.job = None
            if job.message not in (_PING, _WARM):
                self._waiting.appendleft(job)
            self._died(worker)

    def _readable(self, worker: _Worker) -> None:
        try:
            data = worker.conn.recv_bytes()
        except (EOFError, OSError):
            self._died(worker)
            self._dispatch()
            return
        try:
            answer = pickle.loads(data)
        except Exception as exc:  # an exception whose class cannot be rebuilt here, say
            answer = (False, RuntimeError(f"the extraction's answer could not be read: {exc}"))
        job, worker.job = worker.job, None
        if not worker.answered:
            worker.answered = True
            if worker.generation == self._deaths:
                self.problems.report("extraction", None)
        if job is not None and job.future is not None and _waited_for(job.future):
            job.future.set_result(answer)
        self._dispatch()

    def _stop_overdue(self, future: asyncio.Future[Any]) -> None:
        """The worker still on a page past its limit is stopped and a new one takes its place: a page that never
        ends (a pathological document, a parser stuck in a loop) must not hold a worker, nor all of them in
        turn, for ever."""
        worker = next((w for w in self._workers if w.job is not None and w.job.future is future), None)
        if worker is None:
            return
        self._workers.remove(worker)
        self._close(worker)
        log.warning("extraction.overdue_stopped", pid=worker.process.pid,
                    outcome="the process on a page past its limit was stopped; a new one takes its place")
        self._dispatch()

    def _died(self, worker: _Worker) -> None:
        """A worker died: its page (if any) is tried again, ``extraction`` is reported until a new worker
        answers, and a new worker takes its place (at once when it had been working; a worker that died
        before its first answer is replaced only when there is a page for it, so one that cannot start is not
        restarted in a loop)."""
        if worker not in self._workers:
            return
        self._workers.remove(worker)
        self._close(worker)
        self._deaths += 1
        log.error("extraction.pool_broken", processes=self.processes, exit_code=worker.process.exitcode,
                  outcome="process replaced; its document is extracted again")
        self.problems.report("extraction", "an extraction process died; the process pool is being rebuilt")
        job, worker.job = worker.job, None
        if job is not None and job.future is not None and _waited_for(job.future):
            job.future.set_exception(_Died())
        if worker.answered and self._loop is not None and not self._loop.is_closed():
            self._send(self._start(), _Job(_PING, None))

    def _close(self, worker: _Worker) -> None:
        if worker.loop is not None and not worker.loop.is_closed():
            worker.loop.remove_reader(worker.conn.fileno())
        worker.conn.close()
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)

    def close(self) -> None:
        """Stop the workers: each finishes the page it has, then ends (as the executor's shutdown waited)."""
        workers, self._workers = self._workers, []
        for worker in workers:
            if worker.loop is not None and not worker.loop.is_closed():
                worker.loop.remove_reader(worker.conn.fileno())
            worker.conn.close()  # the worker reads the end of its pipe and returns
        for worker in workers:
            worker.process.join()
        self._waiting.clear()
        self._loop = None


def _waited_for(future: asyncio.Future[Any]) -> bool:
    """Someone still waits for this answer (not given up, its loop not gone)."""
    return not future.done() and not future.get_loop().is_closed()


def _serve(conn: Connection) -> None:
    """A worker process: read a page, answer with ``(True, article dict or InputError)`` or ``(False, the
    exception)``; end when the daemon closes the pipe."""
    # Ctrl-C reaches the whole process group: the daemon decides when workers stop (by closing their pipes).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            message = conn.recv_bytes()
        except (EOFError, OSError):
            return
        answer: tuple[bool, Any]
        if message == _PING:
            answer = (True, None)
        elif message == _WARM:
            with contextlib.suppress(Exception):
                extract_for_document(b"<html><body><p>" + b"warm up text " * 50 + b"</p></body></html>", "html",
                                     where="warm-up", url=None, path=None, source=None)
            answer = (True, None)
        else:
            try:
                body = conn.recv_bytes()  # the page follows its description
            except (EOFError, OSError):
                return
            try:
                answer = (True, _extract_job(body, *pickle.loads(message)))
            except Exception as exc:
                answer = (False, exc)
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an exception that cannot be pickled: its type and message
            data = pickle.dumps((False, RuntimeError(f"{answer[1].__class__.__name__}: {answer[1]} ({exc})")))
        try:
            conn.send_bytes(data)
        except OSError:  # the daemon has gone
            return


def _extract_job(body: bytes, kind: str | None, where: str, url: str | None, path: str | None,
                 source: str | None, charset: str | None) -> tuple[dict[str, Any], str] | InputError:
    """The article as a dict and its text's content hash (the daemon asks for it at once: computed here, off the
    daemon's process), or the refusal."""
    try:
        data = extract_for_document(body, kind, where=where, url=url, path=path, source=source, charset=charset)
    except InputError as exc:
        return exc
    return data, content_hash_of(data["text"])
