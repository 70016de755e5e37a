"""A write the state database does not accept now is retried until it does: the document waiting on it is kept,
never failed for it.

What counts as "not now" is what a store raises when the database cannot be written or reached (disk full, an
I/O error, a lost connection). Each failure is logged and reported as ``store``; the wait doubles from
:data:`RETRY_FIRST` up to :data:`RETRY_MAX`. When the daemon stops first, :class:`Kept` says the document stays
where it is for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog

from monitor.problems import Problems

log = structlog.get_logger("monitor.store")

#: Retrying a store write: the first wait, doubling up to the last.
RETRY_FIRST = 0.5
RETRY_MAX = 30.0

T = TypeVar("T")


def _store_errors() -> tuple[type[BaseException], ...]:
    """What a store raises when the database cannot be written or reached (disk full, I/O error, lost
    connection): the document is kept and the write retried, never failed."""
    errors: tuple[type[BaseException], ...] = (sqlite3.OperationalError, sqlite3.DatabaseError)
    try:
        import psycopg
    except ImportError:
        return errors
    return (*errors, psycopg.OperationalError)


STORE_ERRORS = _store_errors()


class Kept(Exception):
    """The document could not be stored before the daemon stopped: it stays where it is, for the next start."""


async def until_stored(step: Callable[[], Awaitable[T]], problems: Problems, stop: asyncio.Event) -> T:
    """Run ``step`` until the store accepts it: a store error is logged, reported as ``store`` in ``problems``,
    and retried with backoff; :class:`Kept` when ``stop`` is set before it is accepted."""
    delay = RETRY_FIRST
    while True:
        try:
            result = await step()
        except STORE_ERRORS as exc:
            problems.report("store", f"the state database cannot be written: {exc}")
            if stop.is_set():
                log.warning("document.kept", reason=f"state database unavailable at shutdown: {exc}",
                            outcome="left in place for the next start")
                raise Kept(str(exc)) from exc
            log.error("store.write_failed", error=f"{exc.__class__.__name__}: {exc}", retry_in_s=delay,
                      outcome="document kept; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, RETRY_MAX)
            continue
        problems.report("store", None)
        return result
