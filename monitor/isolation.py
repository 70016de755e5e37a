"""Calling plugin code off the event loop, each call bounded in time.

A plugin's call runs in a daemon thread (idle threads are reused: starting one per call cost more than most
detectors); the caller awaits it for at most ``limit`` seconds. A call that overruns is abandoned, its thread
with it (it never returns to the idle ones) — Python cannot stop a thread, so it runs on, but nothing waits
for it, its result is dropped, and it cannot keep the process from exiting (daemon threads do not). ``Calls``
counts abandoned calls still running per plugin, so one that hangs on every article stops being called once
``max_stuck`` of its calls are stuck, instead of piling up threads.

Several calls for one article (its detectors) go to one thread and run in turn (:meth:`Calls.call_each`),
each still bounded by the limit: a hand-off to a thread and back costs about 0.1 ms of CPU here, more than
most detectors take, and pure-Python detectors never ran side by side under the GIL anyway. One that overruns
is abandoned with its thread; the calls after it go on in a new thread.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

#: Abandoned calls of one plugin still running before the plugin is skipped.
MAX_STUCK = 3
#: Idle threads kept for the next calls.
MAX_IDLE = 32


class _Threads:
    """Daemon threads that run one job at a time and wait for the next; a thread whose job never returns is
    simply never reused, and a new one is started in its place."""

    def __init__(self) -> None:
        self._idle: list[queue.SimpleQueue[Callable[[], None]]] = []
        self._lock = threading.Lock()

    def run(self, job: Callable[[], None]) -> None:
        with self._lock:
            inbox = self._idle.pop() if self._idle else None
        if inbox is None:
            inbox = queue.SimpleQueue()
            threading.Thread(target=self._serve, args=(inbox,), name="plugin", daemon=True).start()
        inbox.put(job)

    def _serve(self, inbox: queue.SimpleQueue[Callable[[], None]]) -> None:
        while True:
            inbox.get()()
            with self._lock:
                if len(self._idle) >= MAX_IDLE:
                    return
                self._idle.append(inbox)


_THREADS = _Threads()


class Stuck(Exception):
    """A plugin has too many abandoned calls still running to be called again."""


class Calls:
    def __init__(self, max_stuck: int = MAX_STUCK) -> None:
        self.max_stuck = max_stuck
        self.stuck: Counter[str] = Counter()
        self._lock = threading.Lock()

    async def call(self, owner: str, limit: float, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a daemon thread; TimeoutError after ``limit`` seconds (the call is abandoned)."""
        with self._lock:
            if self.stuck[owner] >= self.max_stuck:
                raise Stuck(f"{self.stuck[owner]} earlier calls are still running")
        future: Future[T] = Future()

        def target() -> None:
            if not future.set_running_or_notify_cancel():
                return
            threading.current_thread().name = f"plugin:{owner}"
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # handed to the awaiting side
                future.set_exception(exc)

        _THREADS.run(target)
        try:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for wraps every call in a task of its own.
            async with asyncio.timeout(limit):
                return await asyncio.wrap_future(future)
        except TimeoutError:
            if not future.done():
                with self._lock:
                    self.stuck[owner] += 1
                future.add_done_callback(lambda _: self._released(owner))
            raise

    async def call_each(self, calls: Sequence[tuple[str, Callable[[], Any]]],
                        limit: float) -> list[tuple[Any, BaseException | None]]:
        """Each ``(owner, fn)`` called in turn in one daemon thread, each for at most ``limit`` seconds (so the
        whole at most ``len(calls) * limit``); returns ``(result, None)`` or ``(None, the exception)`` per call,
        in order — a :class:`TimeoutError` for a call that overran (abandoned, its thread with it; the calls
        after it go on in a new thread) or that no thread started within ``limit``, a :class:`Stuck` for an
        owner with too many abandoned calls still running. The caller is woken once when all have returned,
        and otherwise only when the call due then reaches its limit. Cancelled, it abandons the rest."""
        outcomes: list[tuple[Any, BaseException | None] | None] = [None] * len(calls)
        first = 0
        while first < len(calls):
            turns = _Turns(self, calls, first, outcomes)
            _THREADS.run(turns.run)
            waiter = asyncio.wrap_future(turns.done)
            while True:
                with self._lock:
                    due = turns.since + limit
                try:
                    finished, _ = await asyncio.wait((waiter,), timeout=max(0.0, due - time.monotonic()))
                except asyncio.CancelledError:
                    with self._lock:
                        self._abandon(turns)
                    raise
                if finished:
                    first = len(calls)
                    break
                with self._lock:
                    if time.monotonic() - turns.since >= limit:
                        first = self._abandon(turns) + 1
                        if first <= len(calls):
                            outcomes[first - 1] = (None, TimeoutError())
                        break
        return [o if o is not None else (None, RuntimeError("not called")) for o in outcomes]

    def _abandon(self, turns: _Turns) -> int:
        """Give up on ``turns`` (the lock held): the call running, if any, counts as stuck until it returns, and
        the thread starts no other. Returns the index of the call given up on."""
        turns.abandoned = True
        if turns.running:
            self.stuck[turns.items[turns.current][0]] += 1
        return turns.current

    def _released(self, owner: str) -> None:
        with self._lock:
            self.stuck[owner] -= 1


class _Turns:
    """One thread's way through calls in turn, from ``first`` on. What the awaiting side reads — which call is
    running or due next (``current``), since when (``since``: its start, or when the thread went idle before
    it, or was asked for) — and what it writes (``abandoned``) is guarded by the ``Calls`` lock."""

    def __init__(self, calls: Calls, items: Sequence[tuple[str, Callable[[], Any]]], first: int,
                 outcomes: list[tuple[Any, BaseException | None] | None]) -> None:
        self.calls, self.items, self.outcomes = calls, items, outcomes
        self.done: Future[None] = Future()
        self.current = first
        self.since = time.monotonic()
        self.running = False
        self.abandoned = False

    def run(self) -> None:
        lock, stuck = self.calls._lock, self.calls.stuck
        while True:
            with lock:
                if self.abandoned:
                    return
                i = self.current
                if i == len(self.items):
                    break
                owner, fn = self.items[i]
                if stuck[owner] >= self.calls.max_stuck:
                    self.outcomes[i] = (None, Stuck(f"{stuck[owner]} earlier calls are still running"))
                    self.current += 1
                    continue
                self.since, self.running = time.monotonic(), True
            threading.current_thread().name = f"plugin:{owner}"
            outcome: tuple[Any, BaseException | None]
            try:
                outcome = (fn(), None)
            except BaseException as exc:  # handed to the awaiting side
                outcome = (None, exc)
            with lock:
                self.running = False
                if self.abandoned:  # the awaiting side gave up on this call and went on without this thread
                    stuck[owner] -= 1
                    return
                self.outcomes[i] = outcome
                self.current, self.since = i + 1, time.monotonic()
        self.done.set_result(None)
