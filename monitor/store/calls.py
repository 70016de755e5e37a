"""Where the synchronous store's calls run when async code makes them.

The embedded runner (SQLite, a local file) calls the store on the event loop: a call takes microseconds, and
a call is then one step for the loop, which the processor's de-duplication relies on. Replicas (PostgreSQL,
over a network) hand every call to one thread of its own (:meth:`StoreCalls.in_thread`): a slow query or a
lock held by another connection then waits there, and the loop that sends procrastinate's heartbeats keeps
running. One thread, so calls on the store's one connection never interleave — each call (a whole
transaction) stays one step with respect to the others, as on the loop.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")


class StoreCalls:
    """``await calls(fn, *args)``: ``fn(*args)`` on the loop (default) or on the store's own thread."""

    def __init__(self) -> None:
        self._executor: ThreadPoolExecutor | None = None
        self._thread: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def threaded(self) -> bool:
        return self._executor is not None

    def in_thread(self) -> None:
        """From now on, run every call on one thread of its own, off the event loop."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="store", initializer=self._started)

    def _started(self) -> None:
        self._thread = threading.get_ident()

    async def __call__(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if self._executor is None:
            return fn(*args, **kwargs)
        self._loop = asyncio.get_running_loop()
        # With the caller's context, as asyncio.to_thread does: what the call logs keeps the bound source and item.
        context = contextvars.copy_context()
        return await self._loop.run_in_executor(self._executor, partial(context.run, fn, *args, **kwargs))

    def on_loop(self, fn: Callable[[], None]) -> Callable[[], None]:
        """``fn`` made safe to call from a store call: run on the loop's thread, where asyncio objects live (a
        store step that wakes the outbox sets an ``asyncio.Event``)."""

        def call() -> None:
            loop = self._loop
            if loop is not None and threading.get_ident() == self._thread:
                loop.call_soon_threadsafe(fn)
            else:
                fn()

        return call

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None
