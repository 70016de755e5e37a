"""When a source is next polled: one rule, read from its stored state, for every runner.

A source is polled every ``interval`` seconds (APScheduler adds :func:`jitter` in the embedded runner); after a
failure it waits :func:`backoff` instead — the interval doubled per consecutive failure, capped, and never less
than the server's Retry-After — which is stored as ``next_due`` so that every replica and every restart sees it.
"""

from __future__ import annotations

from monitor.store.base import SourceState
from monitor.times import age, iso_in, utcnow

#: Longest wait between polls of a failing source.
MAX_BACKOFF = 6 * 3600.0


def jitter(interval: float) -> float:
    """How far a scheduled poll may move from its interval (spreads sources that share a host)."""
    return min(30.0, interval * 0.1)


def backoff(interval: float, failures: int, retry_after: float | None = None) -> float:
    """Seconds to wait after ``failures`` consecutive failed polls (at least ``retry_after``)."""
    delay = min(MAX_BACKOFF, interval * 2 ** min(max(failures, 1) - 1, 16))
    return max(delay, retry_after) if retry_after else delay


def backing_off(state: SourceState) -> bool:
    """True while a failed source waits out its backoff (``next_due`` in the future)."""
    return bool(state.next_due) and (state.next_due or "") > utcnow()


def due_at(state: SourceState, interval: float) -> str:
    """When the source is next due: its backoff if failing, else one interval after its last attempt, else now."""
    if state.next_due:
        return state.next_due
    since = age(state.last_attempt)
    return iso_in(interval - since) if since is not None else utcnow()


def is_due(state: SourceState, interval: float) -> bool:
    """Due now and not gone (what the replicas' reconcile job asks of every source)."""
    return not state.gone and due_at(state, interval) <= utcnow()
