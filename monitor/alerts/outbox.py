"""Delivery from the durable outbox: every (alert, sink) row is written before it is attempted, retried with
capped exponential backoff and jitter, and marked failed after the last attempt."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

import structlog

from monitor.hookspecs import Receipt, Sink
from monitor.metrics import METRICS
from monitor.model import Alert
from monitor.store.base import Delivery, Store

log = structlog.get_logger("monitor.outbox")

MAX_ATTEMPTS = 8
BASE_DELAY = 2.0
MAX_DELAY = 900.0


def iso_in(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")


def backoff(attempts: int, retry_after: float | None = None, base: float = BASE_DELAY) -> float:
    """Seconds before the next attempt: exponential from ``base``, capped at 15 min, with ±25 % jitter;
    a receiver's Retry-After wins when it asks for longer."""
    delay = min(MAX_DELAY, base * 2 ** max(0, attempts))
    delay *= random.uniform(0.75, 1.25)
    return max(delay, retry_after or 0.0)


class Outbox:
    """Delivers due outbox rows through the configured sinks."""

    def __init__(self, store: Store, sinks: Mapping[str, Sink], max_attempts: int = MAX_ATTEMPTS,
                 base_delay: float = BASE_DELAY, lease: float = 0.0) -> None:
        self.store = store
        self.sinks = sinks
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.lease = lease
        self.wake = asyncio.Event()

    async def deliver_due(self) -> int:
        """Attempt every due delivery once; return how many were attempted."""
        # Replicas sharing a database lease what they attempt, for longer than an attempt can take, so two
        # processes never send one row at once; a single process needs no lease.
        due = self.store.claim_due_deliveries(iso_in(0), iso_in(self.lease))
        for d in due:
            await self.deliver(d)
        return len(due)

    async def deliver(self, d: Delivery) -> Receipt:
        sink = self.sinks.get(d.sink)
        if sink is None:
            receipt = Receipt(ok=False, permanent=False, detail=f"sink {d.sink!r} is not configured")
        else:
            alert = Alert.from_record(json.loads(d.payload))
            try:
                receipt = await sink.deliver(alert, d.idempotency_key)
            except Exception as exc:  # a sink plugin must not take the outbox down
                log.error("sink.failed", sink=d.sink, alert=d.alert_id, error=f"{exc.__class__.__name__}: {exc}",
                          exc_info=True)
                receipt = Receipt(ok=False, detail=f"{exc.__class__.__name__}: {exc}")
        attempts = d.attempts + 1
        if receipt.ok:
            self.store.mark_delivered(d.alert_id, d.sink, receipt.detail)
            METRICS.deliveries.labels(sink=d.sink, outcome="delivered").inc()
            log.info("alert.delivered", sink=d.sink, alert=d.alert_id, attempts=attempts, detail=receipt.detail)
        elif receipt.permanent or attempts >= self.max_attempts:
            self.store.mark_failed(d.alert_id, d.sink, receipt.detail)
            METRICS.deliveries.labels(sink=d.sink, outcome="failed").inc()
            log.error("alert.failed", sink=d.sink, alert=d.alert_id, attempts=attempts, error=receipt.detail)
        else:
            delay = backoff(attempts - 1, receipt.retry_after, self.base_delay)
            self.store.mark_retry(d.alert_id, d.sink, receipt.detail, iso_in(delay))
            METRICS.deliveries.labels(sink=d.sink, outcome="retry").inc()
            log.warning("alert.retry", sink=d.sink, alert=d.alert_id, attempts=attempts, error=receipt.detail,
                        retry_in=round(delay, 1))
        return receipt

    async def run(self, stop: asyncio.Event, before: Callable[[], object] | None = None) -> None:
        """Deliver until ``stop`` is set, waking when new rows arrive or the next retry is due; ``before`` runs
        first on every turn (the runner's digest and throttle flush)."""
        while not stop.is_set():
            try:
                if before is not None:
                    before()
                await self.deliver_due()
            except Exception as exc:
                log.error("outbox.error", error=str(exc), exc_info=True)
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=1.0)
