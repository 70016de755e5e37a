"""Delivery from the durable outbox: every (alert, sink) row is written before it is attempted, retried with
capped exponential backoff and jitter, and marked failed after the last attempt."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog

from monitor.hookspecs import Receipt, Sink
from monitor.metrics import METRICS
from monitor.model import Alert
from monitor.store.base import Delivery, Store
from monitor.times import iso_in

log = structlog.get_logger("monitor.outbox")

MAX_ATTEMPTS = 8
BASE_DELAY = 2.0
MAX_DELAY = 900.0
#: The most one delivery attempt may take ([daemon] delivery_timeout).
DEFAULT_TIMEOUT = 45.0


def backoff(attempts: int, retry_after: float | None = None, base: float = BASE_DELAY) -> float:
    """Seconds before the next attempt: exponential from ``base``, capped at 15 min, with ±25 % jitter;
    a receiver's Retry-After wins when it asks for longer."""
    delay = min(MAX_DELAY, base * 2 ** max(0, attempts))
    delay *= random.uniform(0.75, 1.25)
    return max(delay, retry_after or 0.0)


class Outbox:
    """Delivers due outbox rows through the configured sinks, each sink on its own.

    Every sink drains its own rows in its own task (a *lane*), one attempt at a time and each attempt bounded by
    ``timeout`` whatever the sink does, so a receiver that never answers holds back only its own alerts. An
    attempt cut short, or cancelled at shutdown, leaves its row pending: it is retried, across restarts too.
    """

    def __init__(self, store: Store, sinks: Mapping[str, Sink], max_attempts: int = MAX_ATTEMPTS,
                 base_delay: float = BASE_DELAY, lease: float = 0.0, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.store = store
        self.sinks = sinks
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.lease = lease
        self.timeout = timeout
        self.wake = asyncio.Event()
        self._lanes: dict[str, asyncio.Task[None]] = {}
        self._lane_wake: dict[str, asyncio.Event] = {}
        #: How store calls are made: ``await db(fn, *args)``; replicas hand in their processor's
        #: :class:`~monitor.store.calls.StoreCalls`, which runs them off the loop that sends heartbeats.
        self.db: Callable[..., Awaitable[Any]] = _direct

    @property
    def deadline(self) -> float:
        """The most one attempt may take: ``timeout``, and inside the lease when replicas share the outbox
        (a row is reserved for one replica only that long)."""
        return min(self.timeout, self.lease * 0.9) if self.lease > 0 else self.timeout

    async def _names(self) -> list[str]:
        """Every sink with a lane: the configured ones and any with rows left pending (a sink since removed
        from the config still has its rows retried and, at the last attempt, marked failed)."""
        return sorted(set(self.sinks) | await self.db(self.store.pending_sinks))

    async def deliver_due(self) -> int:
        """Attempt every due delivery once, the sinks side by side; return how many were attempted."""
        return sum(await asyncio.gather(*(self.deliver_sink(name) for name in await self._names())))

    async def deliver_sink(self, name: str, stop: asyncio.Event | None = None) -> int:
        """Attempt ``name``'s due deliveries once, in order; stop early when ``stop`` is set or an attempt ran
        out of time (the sink is not answering: the rest wait for the next turn). Returns attempts made."""
        # Replicas sharing a database lease what they attempt, for longer than an attempt can take, so two
        # processes never send one row at once; a single process needs no lease.
        due = await self.db(self.store.claim_due_deliveries, iso_in(0, precise=True), iso_in(self.lease, precise=True),
                            sink=name)
        attempted = 0
        for d in due:
            if stop is not None and stop.is_set():
                break
            timed_out = await self._attempt(d)
            attempted += 1
            if timed_out:
                break
        return attempted

    async def deliver(self, d: Delivery) -> Receipt:
        """One attempt at one row, its outcome recorded (delivered, retry later, or failed)."""
        return (await self._send(d))[0]

    async def _attempt(self, d: Delivery) -> bool:
        """One attempt; True when it ran out of time."""
        return (await self._send(d))[1]

    async def _send(self, d: Delivery) -> tuple[Receipt, bool]:
        timed_out = False
        sink = self.sinks.get(d.sink)
        if sink is None:
            receipt = Receipt(ok=False, permanent=False, detail=f"sink {d.sink!r} is not configured")
        else:
            alert = Alert.from_record(json.loads(d.payload))
            limit = self.deadline
            try:
                receipt = await asyncio.wait_for(sink.deliver(alert, d.idempotency_key), limit)
            except TimeoutError:
                timed_out = True
                receipt = Receipt(ok=False, detail=f"no outcome within {limit:g} s (delivery_timeout); retried later")
            except Exception as exc:  # a sink plugin must not take the outbox down
                log.error("sink.failed", sink=d.sink, alert=d.alert_id, error=f"{exc.__class__.__name__}: {exc}",
                          exc_info=True)
                receipt = Receipt(ok=False, detail=f"{exc.__class__.__name__}: {exc}")
        attempts = d.attempts + 1
        if receipt.ok:
            await self.db(self.store.mark_delivered, d.alert_id, d.sink, receipt.detail)
            METRICS.deliveries.labels(sink=d.sink, outcome="delivered").inc()
            log.info("alert.delivered", sink=d.sink, alert=d.alert_id, attempts=attempts, detail=receipt.detail)
        elif receipt.permanent or attempts >= self.max_attempts:
            await self.db(self.store.mark_failed, d.alert_id, d.sink, receipt.detail)
            METRICS.deliveries.labels(sink=d.sink, outcome="failed").inc()
            log.error("alert.failed", sink=d.sink, alert=d.alert_id, attempts=attempts, error=receipt.detail)
        else:
            delay = backoff(attempts - 1, receipt.retry_after, self.base_delay)
            await self.db(self.store.mark_retry, d.alert_id, d.sink, receipt.detail, iso_in(delay, precise=True))
            METRICS.deliveries.labels(sink=d.sink, outcome="retry").inc()
            log.warning("alert.retry", sink=d.sink, alert=d.alert_id, attempts=attempts, error=receipt.detail,
                        retry_in=round(delay, 1))
        return receipt, timed_out

    async def run(self, stop: asyncio.Event, before: Callable[[], object] | None = None) -> None:
        """Deliver until ``stop`` is set: one lane per sink, started as sinks appear (reload, rows of a sink
        no longer configured), woken when new rows arrive or their next retry is due; ``before`` runs first on
        every turn (the runner's digest and throttle flush). Cancelling this cancels the lanes: an attempt in
        progress is then left pending and made again later."""
        try:
            while not stop.is_set():
                try:
                    if before is not None and inspect.isawaitable(result := before()):
                        await result
                    for name in await self._names():
                        lane = self._lanes.get(name)
                        if lane is None or lane.done():
                            self._lane_wake[name] = asyncio.Event()
                            self._lanes[name] = asyncio.create_task(self._lane(name, stop), name=f"outbox:{name}")
                except Exception as exc:
                    log.error("outbox.error", error=str(exc), exc_info=True)
                if self.wake.is_set():
                    for event in self._lane_wake.values():
                        event.set()
                self.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(_first(self.wake, stop), timeout=1.0)
            # Stopping: attempts under way may finish (the caller bounds this by the shutdown grace).
            await asyncio.gather(*self._lanes.values(), return_exceptions=True)
        finally:
            for lane in self._lanes.values():
                lane.cancel()
            await asyncio.gather(*self._lanes.values(), return_exceptions=True)
            self._lanes.clear()

    async def _lane(self, name: str, stop: asyncio.Event) -> None:
        """One sink's deliveries, until ``stop`` or until the sink is neither configured nor owed anything."""
        wake = self._lane_wake[name]
        while not stop.is_set():
            try:
                attempted = await self.deliver_sink(name, stop)
            except Exception as exc:
                log.error("outbox.error", sink=name, error=str(exc), exc_info=True)
                attempted = 0
            if attempted:
                continue
            if name not in self.sinks and name not in await self.db(self.store.pending_sinks):
                return
            wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_first(wake, stop), timeout=1.0)


async def _first(*events: asyncio.Event) -> None:
    """Return when any of ``events`` is set."""
    waits = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()


async def _direct(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A store call on the loop (the embedded runner's SQLite)."""
    return fn(*args, **kwargs)
