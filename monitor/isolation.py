"""Calling plugin code off the event loop, each call bounded in time.

A plugin's call runs in a daemon thread (idle threads are reused: starting one per call cost more than most
detectors); the caller awaits it for at most ``limit`` seconds. A call that overruns is abandoned, its thread
with it (it never returns to the idle ones) — Python cannot stop a thread, so it runs on, but nothing waits
for it, its result is dropped, and it cannot keep the process from exiting (daemon threads do not). ``Calls``
counts abandoned calls still running per plugin, so one that hangs on every article stops being called once
``max_stuck`` of its calls are stuck, instead of piling up threads.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections import Counter
from collections.abc import Callable
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

    def _released(self, owner: str) -> None:
        with self._lock:
            self.stuck[owner] -= 1
