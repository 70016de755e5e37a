"""Source health: a source that keeps failing, falls silent or recovers is reported through the routes like
any finding (detector ``source_health``), and a failing one backs off (:mod:`monitor.schedule`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import structlog

from monitor.fetch import FetchError
from monitor.hookspecs import Source
from monitor.masking import mask_text, mask_url
from monitor.model import Article, Evidence, Finding, Severity
from monitor.schedule import backoff
from monitor.store.base import SourceState, Store
from monitor.times import age, iso_in, utcnow

log = structlog.get_logger("monitor.sources")

#: Consecutive failed polls before a source is reported unhealthy.
FAILURES_BEFORE_ALERT = 3

AlertsFor = Callable[[Article, list[Finding]], list[tuple[Any, Sequence[str], str | None]]]


class SourceHealth:
    def __init__(self, store: Store, alerts_for: AlertsFor, wake: Callable[[], None]) -> None:
        self.store = store
        self.alerts_for = alerts_for
        self.wake = wake

    def succeeded(self, name: str, source: Source, state: SourceState, found: int) -> bool:
        """Record a successful poll that found ``found`` documents; True when it ended a failure."""
        # A failing source recovers on any successful poll; a silent one only when it brings something new.
        was_failing = state.health == "failing" or (state.health == "silent" and found > 0)
        state.last_success = utcnow()
        state.last_error = None
        state.error_count = 0
        state.next_due = None
        if found:
            state.last_new_item = state.last_success
        if was_failing:
            state.health = "ok"
        self.store.save_source_state(state)
        if was_failing:
            self._alert(name, state, recovered=True)
        self._check_silence(name, source, state)
        return was_failing

    def failed(self, name: str, source: Source, state: SourceState, exc: Exception) -> None:
        """Record a failed poll: back off, and report the source once it has failed often enough (or is gone)."""
        state.error_count += 1
        state.last_error = mask_text(str(exc) or exc.__class__.__name__)
        retry_after = exc.retry_after if isinstance(exc, FetchError) else None
        delay = backoff(float(source.interval), state.error_count, retry_after)
        state.next_due = iso_in(delay)
        log.warning("source.failed", source=name, error=state.last_error, failures=state.error_count,
                    next_poll_in=round(delay, 1), gone=state.gone)
        if (state.error_count >= FAILURES_BEFORE_ALERT or state.gone) and state.health != "failing":
            state.health = "failing"
            self.store.save_source_state(state)
            self._alert(name, state, recovered=False)
        else:
            self.store.save_source_state(state)

    def _check_silence(self, name: str, source: Source, state: SourceState) -> None:
        limit = source.silence_after
        if not limit:
            return
        since = age(state.last_new_item or state.last_attempt)
        if since is not None and since > limit and state.health == "ok":
            state.health = "silent"
            self.store.save_source_state(state)
            self._alert(name, state, recovered=False, silent=True)

    def _alert(self, name: str, state: SourceState, *, recovered: bool, silent: bool = False) -> None:
        if recovered:
            summary, severity, status = f"Source {name} recovered", Severity.LOW, "recovered"
        elif silent:
            summary, severity, status = f"Source {name} has brought nothing new since {state.last_new_item}", \
                Severity.MEDIUM, "silent"
        else:
            summary = f"Source {name} is failing ({state.error_count} polls in a row): {state.last_error}"
            severity, status = Severity.HIGH, "gone" if state.gone else "failing"
        url = state.url and mask_url(state.url)
        article = Article.create(summary, url=url, path=None if url else f"source:{name}", source=name,
                                 title=f"source {name}: {status}")
        finding = Finding(detector="source_health", severity=severity, score=1.0, summary=summary,
                          evidence=(Evidence.at(summary, 0, len(summary)),),
                          attributes={"source": name, "status": status, "since": state.last_attempt or utcnow()})
        alerts = self.alerts_for(article, [finding])
        self.store.record_article(f"health:{name}:{finding.identity}", "1", article, [finding], alerts)
        log.warning("source.health", source=name, status=status)
        self.wake()
