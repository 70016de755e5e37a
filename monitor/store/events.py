"""Events in the store: each event, its articles, every figure stated about it (with its source, article and
time), and the alerts each route sent about it. Portable SQL over the same primitives as ``sql.py``, so both
backends have it; :class:`~monitor.store.sql.SQLStore` inherits it.

The tables (schema version 3): ``events``, ``event_articles`` (one row per article: an article belongs to one
event), ``event_figures`` (one row per (event, kind, value, source): the first time that source stated that
value) and ``event_alerts`` (one row per alert a route sent about an event, with the state it reported, so the
next alert is measured against it — across restarts too).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from monitor.model import Alert, Article, Finding
from monitor.store.primitives import SQLPrimitives
from monitor.times import utcnow


@dataclass(frozen=True)
class FigureStatement:
    """One figure as one source stated it in one article: ``kind`` (``killed``, ``injured``, ``missing``,
    ``troops:deploy`` …) and ``value``, with the source's credibility at the time."""

    kind: str
    value: int
    qualifier: str
    detector: str
    source: str
    article_id: str
    stated_at: str
    credibility: float


@dataclass(frozen=True)
class EventRow:
    id: str
    headline: str
    country: str | None
    places: tuple[str, ...]
    first_seen: str
    last_seen: str
    articles: int = 0
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class EventArticle:
    article_id: str
    event_id: str
    source: str
    published: str
    duplicate_of: str | None
    similarity: float
    title: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class EventWrite:
    """What one article adds to its event, written in one transaction with the alerts it raises."""

    event: EventRow
    article: EventArticle
    statements: tuple[FigureStatement, ...] = ()


@dataclass(frozen=True)
class EventAlertState:
    """The last alert a route sent about an event: its number and the state it reported."""

    sequence: int
    alert_id: str
    state: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EventAlertWrite:
    """An event alert to insert: number ``sequence`` of its route on the event, reporting ``state``; held (not
    queued for delivery) when ``held`` says why."""

    alert: Alert
    sinks: tuple[str, ...]
    held: str | None
    sequence: int
    state: dict[str, Any]


@dataclass(frozen=True)
class StoredStory:
    """An article of an open event, as read back to rebuild the event index after a restart."""

    event_id: str
    article: Article
    findings: tuple[Finding, ...]
    #: A near-duplicate of another article of the event (it restores as a copy: see ``EventIndex.add``).
    copy: bool = False


EVENTS_SCHEMA = """
    CREATE TABLE events (
        id TEXT PRIMARY KEY, headline TEXT NOT NULL, country TEXT, places TEXT NOT NULL,
        first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, updated_at TEXT NOT NULL
    );
    CREATE INDEX events_last_seen ON events (last_seen);
    CREATE TABLE event_articles (
        article_id TEXT PRIMARY KEY, event_id TEXT NOT NULL, source TEXT NOT NULL, published TEXT NOT NULL,
        duplicate_of TEXT, similarity DOUBLE PRECISION NOT NULL, added_at TEXT NOT NULL
    );
    CREATE INDEX event_articles_event ON event_articles (event_id);
    CREATE TABLE event_figures (
        event_id TEXT NOT NULL, kind TEXT NOT NULL, value BIGINT NOT NULL, source TEXT NOT NULL,
        article_id TEXT NOT NULL, stated_at TEXT NOT NULL, credibility DOUBLE PRECISION NOT NULL,
        qualifier TEXT NOT NULL, detector TEXT NOT NULL, PRIMARY KEY (event_id, kind, value, source)
    );
    CREATE TABLE event_alerts (
        event_id TEXT NOT NULL, route TEXT NOT NULL, sequence INTEGER NOT NULL, alert_id TEXT NOT NULL,
        created_at TEXT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (event_id, route, sequence)
    )
"""


class EventsSQL(SQLPrimitives):
    """The events part of the store (mixed into :class:`~monitor.store.sql.SQLStore`)."""

    def _insert_alert(self, alert: Alert, article_id: str, sinks: Sequence[str], held: str | None, now: str) -> bool:
        """Provided by :class:`~monitor.store.sql.SQLStore` (alerts and their outbox rows)."""
        raise NotImplementedError

    def event_article(self, article_id: str) -> EventArticle | None:
        """The article's membership of its event, or None when it was never assigned to one."""
        rows = self._rows("SELECT * FROM event_articles WHERE article_id = ?", (article_id,))
        return self._membership(rows[0]) if rows else None

    @staticmethod
    def _membership(r: dict[str, Any]) -> EventArticle:
        return EventArticle(r["article_id"], r["event_id"], r["source"], r["published"], r["duplicate_of"],
                            float(r["similarity"]), r.get("title"), r.get("url"))

    def last_event_seen(self) -> str | None:
        """When the most recent event was last seen (the event clock a restart resumes from)."""
        rows = self._rows("SELECT MAX(last_seen) AS last FROM events")
        return rows[0]["last"] if rows else None

    def record_event(self, write: EventWrite, alerts: Sequence[EventAlertWrite] = ()) -> list[Alert]:
        """In one transaction: the event (created, or its last seen, country and places brought up to date),
        the article's membership, its figure statements (a source stating a value again keeps its first
        statement), and the event alerts with their outbox rows. An
        alert whose (event, route, sequence) is already recorded is skipped. Returns the alerts that were new."""
        now = utcnow()
        e, a = write.event, write.article
        new: list[Alert] = []
        with self._tx():
            self._exec(
                "INSERT INTO events (id, headline, country, places, first_seen, last_seen, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "first_seen = CASE WHEN excluded.first_seen < events.first_seen THEN excluded.first_seen "
                "ELSE events.first_seen END, "
                "last_seen = CASE WHEN excluded.last_seen > events.last_seen THEN excluded.last_seen "
                "ELSE events.last_seen END, "
                "country = COALESCE(events.country, excluded.country), "
                "places = CASE WHEN events.places = '[]' THEN excluded.places ELSE events.places END, "
                "updated_at = excluded.updated_at",
                (e.id, e.headline, e.country, json.dumps(list(e.places), ensure_ascii=False), e.first_seen,
                 e.last_seen, now))
            self._exec(
                "INSERT INTO event_articles (article_id, event_id, source, published, duplicate_of, similarity, "
                "added_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (article_id) DO NOTHING",
                (a.article_id, a.event_id, a.source, a.published, a.duplicate_of, a.similarity, now))
            if write.statements:
                self._many(
                    "INSERT INTO event_figures (event_id, kind, value, source, article_id, stated_at, credibility, "
                    "qualifier, detector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [(e.id, s.kind, s.value, s.source, s.article_id, s.stated_at, s.credibility, s.qualifier,
                      s.detector) for s in write.statements])
            for w in alerts:
                claimed = self._exec(
                    "INSERT INTO event_alerts (event_id, route, sequence, alert_id, created_at, state) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (e.id, w.alert.route, w.sequence, w.alert.id, now, json.dumps(w.state, sort_keys=True)))
                if claimed and self._insert_alert(w.alert, w.alert.article.id, w.sinks, w.held, now):
                    new.append(w.alert)
        return new

    def event_figures(self, event_id: str) -> list[FigureStatement]:
        """Every figure stated about the event, in the order first stated."""
        rows = self._rows("SELECT * FROM event_figures WHERE event_id = ? ORDER BY stated_at, kind, value, source",
                          (event_id,))
        return [FigureStatement(r["kind"], int(r["value"]), r["qualifier"], r["detector"], r["source"],
                                r["article_id"], r["stated_at"], float(r["credibility"])) for r in rows]

    def last_event_alert(self, event_id: str, route: str) -> EventAlertState | None:
        """The last alert ``route`` sent about the event, or None when it sent none yet."""
        rows = self._rows("SELECT sequence, alert_id, state FROM event_alerts WHERE event_id = ? AND route = ? "
                          "ORDER BY sequence DESC LIMIT 1", (event_id, route))
        if not rows:
            return None
        r = rows[0]
        return EventAlertState(int(r["sequence"]), r["alert_id"], json.loads(r["state"]))

    def event_alert_ids(self, event_id: str) -> list[tuple[str, int, str, str]]:
        """``(route, sequence, alert_id, created_at)`` of every alert sent about the event, oldest first."""
        return [(r["route"], int(r["sequence"]), r["alert_id"], r["created_at"]) for r in self._rows(
            "SELECT route, sequence, alert_id, created_at FROM event_alerts WHERE event_id = ? "
            "ORDER BY created_at, route, sequence", (event_id,))]

    def event_sources(self, event_id: str) -> list[str]:
        """The independent sources of the event: those of its articles that are not near-duplicates."""
        return [r["source"] for r in self._rows(
            "SELECT DISTINCT source FROM event_articles WHERE event_id = ? AND duplicate_of IS NULL ORDER BY source",
            (event_id,))]

    def _event_row(self, r: dict[str, Any]) -> EventRow:
        return EventRow(r["id"], r["headline"], r["country"], tuple(json.loads(r["places"])), r["first_seen"],
                        r["last_seen"], int(r.get("n") or 0), tuple(self.event_sources(r["id"])))

    def event(self, event_id: str, counted: bool = True) -> EventRow | None:
        """The event; ``counted=False`` leaves out its article count and independent sources (0 and ()), which
        read every article of the event, for a caller that needs only the row itself."""
        if not counted:
            rows = self._rows("SELECT * FROM events WHERE id = ?", (event_id,))
            if not rows:
                return None
            r = rows[0]
            return EventRow(r["id"], r["headline"], r["country"], tuple(json.loads(r["places"])), r["first_seen"],
                            r["last_seen"])
        rows = self._rows("SELECT e.*, (SELECT COUNT(*) FROM event_articles ea WHERE ea.event_id = e.id) AS n "
                          "FROM events e WHERE e.id = ?", (event_id,))
        return self._event_row(rows[0]) if rows else None

    def events(self, since: str | None = None) -> list[EventRow]:
        """Events last seen at or after ``since`` (all when None), the most recent first."""
        where, args = ("WHERE e.last_seen >= ? ", (since,)) if since else ("", ())
        rows = self._rows("SELECT e.*, (SELECT COUNT(*) FROM event_articles ea WHERE ea.event_id = e.id) AS n "
                          f"FROM events e {where}ORDER BY e.last_seen DESC, e.id", args)
        return [self._event_row(r) for r in rows]

    def event_articles(self, event_id: str) -> list[EventArticle]:
        """The event's articles in the order they were published, with title and link."""
        rows = self._rows(
            "SELECT ea.*, a.title, COALESCE(a.url, a.path) AS url FROM event_articles ea "
            "LEFT JOIN articles a ON a.id = ea.article_id WHERE ea.event_id = ? ORDER BY ea.published, ea.article_id",
            (event_id,))
        return [self._membership(r) for r in rows]

    def open_event_stories(self, since: str) -> list[StoredStory]:
        """The articles of every event last seen at or after ``since``, oldest first, with their findings: what
        the event index is rebuilt from after a restart."""
        rows = self._rows(
            "SELECT ea.event_id, a.id, a.doc, ea.duplicate_of FROM event_articles ea "
            "JOIN events e ON e.id = ea.event_id JOIN articles a ON a.id = ea.article_id "
            "WHERE e.last_seen >= ? ORDER BY ea.published, ea.article_id",
            (since,))
        return [StoredStory(r["event_id"], Article.from_dict(json.loads(r["doc"])), self._findings(r["id"]),
                            r["duplicate_of"] is not None) for r in rows]

    def first_tracked(self) -> str | None:
        """When the first article was put in an event (wall clock): when this store took events into use."""
        rows = self._rows("SELECT MIN(added_at) AS first FROM event_articles")
        return rows[0]["first"] if rows else None

    def unassigned_articles(self, since: str) -> list[tuple[Article, tuple[Finding, ...]]]:
        """Articles stored at or after ``since`` with findings but in no event (a crash came between storing
        the article and its event): the tracker assigns them on start, so nothing is lost."""
        rows = self._rows(
            "SELECT a.id, a.doc FROM articles a WHERE a.updated_at >= ? "
            "AND NOT EXISTS (SELECT 1 FROM event_articles ea WHERE ea.article_id = a.id) "
            "AND EXISTS (SELECT 1 FROM findings f WHERE f.article_id = a.id) ORDER BY a.updated_at, a.id", (since,))
        return [(Article.from_dict(json.loads(r["doc"])), self._findings(r["id"])) for r in rows]

    def _findings(self, article_id: str) -> tuple[Finding, ...]:
        return tuple(Finding.from_dict(json.loads(r["doc"])) for r in self._rows(
            "SELECT doc FROM findings WHERE article_id = ? ORDER BY identity", (article_id,)))
