"""The storage interface. The pipeline and runners speak only to this; backends implement it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from monitor.model import Alert, Article, Finding
from monitor.store.events import (
    EventAlertState,
    EventAlertWrite,
    EventArticle,
    EventRow,
    EventWrite,
    FigureStatement,
    StoredStory,
)


@dataclass
class SourceState:
    """What is remembered about a source between polls and restarts."""

    name: str
    url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    last_attempt: str | None = None
    last_success: str | None = None
    last_new_item: str | None = None
    last_error: str | None = None
    error_count: int = 0
    next_due: str | None = None
    gone: bool = False
    health: str = "ok"


@dataclass(frozen=True)
class Delivery:
    """One row of the outbox: an alert to deliver to one sink."""

    alert_id: str
    sink: str
    idempotency_key: str
    status: str
    attempts: int
    next_attempt: str | None
    last_error: str | None
    payload: str


@dataclass(frozen=True)
class AlertRecord:
    alert: Alert
    silenced: bool = False


@dataclass
class StoreStats:
    articles: int = 0
    findings: int = 0
    alerts: int = 0
    failures: int = 0
    outbox: dict[str, int] = field(default_factory=dict)


class Store(Protocol):
    """Durable state: sources, seen items, articles, findings, alerts and the outbox."""

    def close(self) -> None: ...

    @property
    def version(self) -> int:
        """The schema version of the database."""
        ...

    def migrate(self) -> int:
        """Apply pending migrations; return the resulting version."""
        ...

    # sources
    def source_state(self, name: str) -> SourceState: ...
    def save_source_state(self, state: SourceState) -> None: ...
    def source_states(self) -> list[SourceState]: ...

    # items and articles
    def item_version(self, key: str) -> str | None:
        """The version recorded for a source item key, or None if never processed."""
        ...

    def article_by_content(self, content_hash: str) -> str | None:
        """The id of an article with this content hash, if any."""
        ...

    def finding_identities(self, article_id: str) -> set[str]: ...

    def record_article(self, key: str, version: str, article: Article, findings: Sequence[Finding],
                       alerts: Sequence[tuple[Alert, Sequence[str], str | None]]) -> list[Alert]:
        """In one transaction: remember the item, store the article and its findings, insert the alerts
        (ignoring fingerprints already present) and an outbox row per (alert, sink) unless the alert is held
        ("silenced", "throttled", "digest"). Returns the alerts that were new."""
        ...

    def count_sent_alerts(self, route: str, since: str) -> int: ...
    def held_alerts(self, route: str, kind: str, before: str) -> list[Alert]: ...
    def oldest_held(self, route: str, kind: str) -> str | None: ...
    def record_bundle(self, bundle: Alert, members: Sequence[str], sinks: Sequence[str]) -> bool: ...
    def add_silence(self, silence_id: str, detector: str | None, source: str | None, attributes: dict[str, str],
                    reason: str, until: str) -> None: ...
    def silences(self, active_at: str | None = None) -> list[dict[str, Any]]: ...
    def expire_silence(self, silence_id: str) -> bool: ...

    def alert_counts(self) -> dict[str, int]:
        """Alerts per held kind: "" (to send), "silenced", "throttled", "digest"."""
        ...

    def held_alert_rows(self) -> list[dict[str, Any]]:
        """Held alerts, oldest first, as rows with ``doc``, ``held`` and ``bundled_in``."""
        ...

    def record_item_alias(self, key: str, version: str, article_id: str, source: str = "") -> None:
        """Remember an item whose content duplicates an article already stored."""
        ...

    def record_failure(self, key: str, source: str, reason: str) -> None: ...
    def clear_failure(self, key: str) -> None: ...
    def failures(self) -> list[tuple[str, str, str, str]]: ...

    # outbox
    def due_deliveries(self, now: str, limit: int = 100, sink: str | None = None) -> list[Delivery]: ...
    def pending_sinks(self) -> set[str]: ...
    def claim_due_deliveries(self, now: str, lease_until: str, limit: int = 100,
                             sink: str | None = None) -> list[Delivery]: ...
    def mark_delivered(self, alert_id: str, sink: str, detail: str) -> None: ...
    def mark_retry(self, alert_id: str, sink: str, error: str, next_attempt: str) -> None: ...
    def mark_failed(self, alert_id: str, sink: str, error: str) -> None: ...
    def requeue_failed(self, alert_id: str | None = None) -> int: ...
    def deliveries(self, status: str | None = None) -> list[Delivery]: ...

    def stats(self) -> StoreStats: ...

    # events (monitor/store/events.py has the row types and what each method does)
    def event_article(self, article_id: str) -> EventArticle | None: ...
    def last_event_seen(self) -> str | None: ...
    def record_event(self, write: EventWrite, alerts: Sequence[EventAlertWrite] = ()) -> list[Alert]: ...
    def event_figures(self, event_id: str) -> list[FigureStatement]: ...
    def last_event_alert(self, event_id: str, route: str) -> EventAlertState | None: ...
    def event_alert_ids(self, event_id: str) -> list[tuple[str, int, str, str]]: ...
    def event_sources(self, event_id: str) -> list[str]: ...
    def event(self, event_id: str) -> EventRow | None: ...
    def events(self, since: str | None = None) -> list[EventRow]: ...
    def event_articles(self, event_id: str) -> list[EventArticle]: ...
    def open_event_stories(self, since: str) -> list[StoredStory]: ...
    def first_tracked(self) -> str | None: ...
    def unassigned_articles(self, since: str) -> list[tuple[Article, tuple[Finding, ...]]]: ...
