"""Held alerts bundled: one digest per digest route, one summary per throttled route, once its window passed."""

from __future__ import annotations

from collections.abc import Sequence

import structlog

from monitor.alerts.routing import DIGEST, THROTTLED, Route, bundle
from monitor.store.base import Store
from monitor.times import iso_ago, utcnow

log = structlog.get_logger("monitor.held")


def flush_held(store: Store, routes: Sequence[Route], force: bool = False) -> int:
    """Bundle the held alerts of every route whose window has passed (``force``: now, as ``--once`` does).
    Returns the bundles created."""
    created = 0
    for route in routes:
        for kind, window in ((DIGEST, route.digest_window), (THROTTLED, route.throttle_window)):
            if not window:
                continue
            oldest = store.oldest_held(route.name, kind)
            if oldest is None or (not force and oldest > iso_ago(window)):
                continue
            members = store.held_alerts(route.name, kind, utcnow())
            if members and store.record_bundle(bundle(route, kind, members), [m.id for m in members], route.sinks):
                created += 1
                log.info("alerts.bundled", route=route.name, kind=kind, alerts=len(members))
    return created
