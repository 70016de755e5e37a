"""The step the processor calls once an article and its findings are stored: which event the article belongs
to (the engine's :class:`~monitor.events.cluster.EventIndex`), what it says about the event's figures
(:mod:`monitor.events.figures`), and the alerts of routes grouped by event — all written in one transaction.

**One alert per event.** A route with ``group = "event"`` alerts once when an event first matches it (an
article of the event has a finding the route matches), then again only on a material change since *its last
alert on that event*:

- a figure moved by more than ``update_step`` of its last alerted value and by at least ``update_min``
  (50 → 56 killed with the defaults 0.1 and 1; 50 → 52 is not an update, 50 → 52 → 56 is one, at 56);
- a kind of figure appeared (the first injured count, a deployment's size);
- the event's independent sources reached ``confirm_sources`` (sources of articles that are not
  near-duplicates of another article).

A near-duplicate (``Assignment.duplicate_of``: a wire copy, a syndicated rewrite) never alerts, and its source
is not an independent one; what it states is still recorded. Only figures of the route's ``detectors`` (all,
when it names none) count for that route. Silences hold an event alert as they hold a per-article one.

**Restarts.** The index lives in memory; on first use it is rebuilt from the store (every article of every
event last seen within ``[events] window`` of the most recent one, through ``EventIndex.add``), and articles
stored within the window without an event (a crash between the two writes, an engine failure) are assigned
then — those stored since the store first tracked an event.
Alerts already sent are in the store with the state they reported, so a restart neither repeats a first alert
nor loses an event.

The event clock is the articles' own time (published, else read; never later than read), so a replay of old
news closes events as the news did, not as the wall clock does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from monitor.alerts.routing import Route, Silence, hold
from monitor.config import Config
from monitor.durations import parse_duration
from monitor.events.cluster import Assignment, EventIndex, Story
from monitor.events.figures import current_figures, statements_in
from monitor.model import Alert, Article, EventChange, EventNote, Finding, stable_id
from monitor.store.base import Store
from monitor.store.events import EventAlertWrite, EventArticle, EventRow, EventWrite, FigureStatement
from monitor.times import iso_ago, utcnow

log = structlog.get_logger("monitor.events")

#: How often (in event-clock time, as a share of the window) closed events are dropped from the index.
CLOSE_EVERY = 1 / 96


class EventTracker:
    """Articles → events → event alerts. One per processor; ``track`` is its one entry point."""

    def __init__(self, new_index: Callable[[float], EventIndex] | None = None) -> None:
        """``new_index(window_hours)`` builds the index (the engine's :class:`EventIndex` by default)."""
        self._new_index = new_index or (lambda hours: EventIndex(window_hours=hours))
        self._index: EventIndex | None = None
        self._window = 0.0
        #: Assignments made but not yet stored (a store write being retried must not assign twice).
        self._pending: dict[str, Assignment] = {}
        self._clock: datetime | None = None
        self._closed_at: datetime | None = None

    def track(self, store: Store, config: Config, routes: Sequence[Route], article: Article,
              findings: Sequence[Finding], logged: dict[str, Any] | None = None) -> list[Alert]:
        """Put a stored article in its event, record its figures and the event alerts it raises (one
        transaction); return the alerts created. Articles without a finding (or only background ones) are not
        news of an event and are left out. A failure of the engine is logged and the article left for the next
        start; a store error is raised, for the processor to retry the write.

        The article's event is logged (``event.tracked``), or, given ``logged``, put there (``event_id``,
        ``new_event``, ``duplicate_of``) for the caller's own line about the article: one line per article."""
        if not config.events.enabled or not any(not f.attributes.get("background") for f in findings):
            return []
        index, late = self._ready(store, config, routes, article.id)
        try:
            return late + self._track(store, index, config, routes, article, findings, logged)
        except Exception as exc:
            if _store_error(exc):
                raise
            log.error("event.failed", article=article.id, error=f"{exc.__class__.__name__}: {exc}", exc_info=True,
                      outcome="article stored without its event; assigned again on the next start")
            return []

    # -- the index, rebuilt from the store -------------------------------------------------------------

    def _ready(self, store: Store, config: Config, routes: Sequence[Route],
               current: str) -> tuple[EventIndex, list[Alert]]:
        """The index, rebuilt from the store on first use (or when the window changed), and the alerts raised by
        articles found stored without an event meanwhile (``current``, being tracked now, is not one)."""
        window = parse_duration(config.events.window)
        if self._index is not None and window == self._window:
            return self._index, []
        index = self._new_index(window / 3600)
        self._pending.clear()
        self._clock = self._closed_at = None
        last = store.last_event_seen()
        restored = 0
        if last:
            since = (_parse(last) or datetime.now(UTC)) - timedelta(seconds=window)
            for stored in store.open_event_stories(_iso(since)):
                index.add(self._story(stored.article, stored.findings), stored.event_id, copy=stored.copy)
                self._advance(_published(stored.article))
                restored += 1
        # Articles stored within the window but never put in an event (the daemon stopped between the two writes,
        # or the engine failed on them). Only those stored since events were first tracked: an existing store
        # taking events into use does not send event alerts for the news it already holds.
        tracked = store.first_tracked()
        pending = store.unassigned_articles(max(tracked, iso_ago(window))) if tracked else []
        late = [(a, f) for a, f in pending if a.id != current and any(not x.attributes.get("background") for x in f)]
        self._window = window
        created = []
        for article, findings in late:
            created += self._track(store, index, config, routes, article, findings)
        log.info("events.restored", stories=restored, assigned_late=len(late), window_s=window)
        self._index = index
        return index, created

    def _story(self, article: Article, findings: Sequence[Finding]) -> Story:
        return Story(article.id, _published(article), article.title or "", article.text, _kinds(findings))

    def _advance(self, when: datetime) -> None:
        if self._clock is None or when > self._clock:
            self._clock = when

    def _close_old(self, index: EventIndex) -> None:
        """Forget events not seen within the window (by the event clock), every 1/96 of the window."""
        if self._clock is None:
            return
        if self._closed_at is None or self._clock - self._closed_at >= timedelta(seconds=self._window * CLOSE_EVERY):
            closed = index.close_before(self._clock - timedelta(seconds=self._window))
            self._closed_at = self._clock
            if closed:
                log.debug("events.closed", events=len(closed), open_stories=len(index))

    # -- one article -----------------------------------------------------------------------------------

    def _track(self, store: Store, index: EventIndex, config: Config, routes: Sequence[Route], article: Article,
               findings: Sequence[Finding], logged: dict[str, Any] | None = None) -> list[Alert]:
        published = _published(article)
        stated_at = _iso(published)
        source = article.source or ""
        known = store.event_article(article.id)
        assignment: Assignment | None = None
        if known is None:
            assignment = self._pending.get(article.id)
            if assignment is None:
                assignment = index.assign(self._story(article, findings))
                self._pending[article.id] = assignment
            member = EventArticle(article.id, assignment.event_id, source, stated_at, assignment.duplicate_of,
                                  assignment.similarity)
        else:
            member = known  # an article read again (its toll updated): same event, new figures only
        credibility = {s.name: s.credibility for s in config.sources}.get(source, 1.0)
        said = statements_in(article, findings, credibility, stated_at)
        # an article that may alert (not a copy, and some route groups by event) reads the event's article count
        # and sources for the alert; the write itself needs only the event's row
        alerting = member.duplicate_of is None and any(r.group == "event" and r.sinks for r in routes)
        row = store.event(member.event_id, counted=alerting)
        sources = set(row.sources if row else ())
        if member.duplicate_of is None and source:
            sources.add(source)
        # the article's places only where the event has none yet (a copy's are read only then)
        places = assignment.places if assignment and not (row and row.country and row.places) else ()
        event = EventRow(
            id=member.event_id,
            headline=row.headline if row else _headline(article),
            country=(row.country if row and row.country else (places[0].country if places else None)),
            places=(row.places if row and row.places else tuple(dict.fromkeys(p.name for p in places))),
            first_seen=min(row.first_seen, stated_at) if row else stated_at,
            last_seen=max(row.last_seen, stated_at) if row else stated_at,
            # the count and sources are read only when alerting (they are not written; the alert reports them)
            articles=(row.articles if row else 0) + (known is None),
            sources=tuple(sorted(sources)))
        alerts: list[EventAlertWrite] = []
        if alerting:
            statements = _merged(store.event_figures(event.id), said)
            silences = [Silence(s["id"], s["detector"], s["source"], s["attributes"], s["until"])
                        for s in store.silences(active_at=utcnow())]
            for route in routes:
                if route.group == "event" and route.sinks:
                    write = self._alert(store, route, event, article, findings, statements, silences)
                    if write is not None:
                        alerts.append(write)
        created = store.record_event(EventWrite(event, member, said), alerts)
        self._pending.pop(article.id, None)
        self._advance(published)
        self._close_old(index)
        new = bool(assignment and assignment.new)
        if logged is None:
            log.info("event.tracked", article=article.id, event_id=event.id, new=new, duplicate_of=member.duplicate_of,
                     alerts=len(created))
        else:
            logged.update(event_id=event.id, new_event=new, duplicate_of=member.duplicate_of)
        return created

    def _alert(self, store: Store, route: Route, event: EventRow, article: Article, findings: Sequence[Finding],
               statements: Sequence[FigureStatement], silences: Sequence[Silence]) -> EventAlertWrite | None:
        """The alert ``route`` sends about ``event`` now — its first, or an update — or None."""
        matching = [f for f in findings if route.matches(article, f)]
        last = store.last_event_alert(event.id, route.name)
        figures = current_figures(statements, route.detectors)
        state = {"figures": {k: f.value for k, f in figures.items()}, "sources": len(event.sources)}
        if last is None:
            if not matching:
                return None
            changes: tuple[EventChange, ...] = (EventChange("first", f"new event: {event.headline}"),)
        else:
            changes = material_changes(last.state, state, route)
            if not changes:
                return None
        carried, held = hold(route, article, matching, silences)
        sequence = 1 if last is None else last.sequence + 1
        note = EventNote(event.id, event.headline, event.first_seen, event.last_seen, event.country, event.places,
                         event.articles, event.sources, tuple(figures.values()), changes, sequence)
        alert = Alert(id=stable_id("event-alert", event.id, route.name, str(sequence)), route=route.name,
                      article=article, findings=tuple(carried), created_at=utcnow(), event=note)
        return EventAlertWrite(alert, route.sinks, held, sequence, state)


def material_changes(before: dict[str, Any], now: dict[str, Any], route: Route) -> tuple[EventChange, ...]:
    """What changed materially between the state a route last alerted and now (see the module docstring)."""
    changes = []
    old_figures: dict[str, int] = before.get("figures", {})
    for kind, value in now["figures"].items():
        old = old_figures.get(kind)
        if old is None:
            changes.append(EventChange("new_figure", f"new figure: {_label(kind, value)}", kind, None, value))
        elif abs(value - old) > route.update_step * old and abs(value - old) >= route.update_min:
            changes.append(EventChange("figure", f"{kind}: {old} → {value}", kind, old, value))
    was, sources = int(before.get("sources", 0)), int(now["sources"])
    if route.confirm_sources and was < route.confirm_sources <= sources:
        changes.append(EventChange("confirmed", f"confirmed by {sources} independent sources", None, was, sources))
    return tuple(changes)


def _merged(stored: Sequence[FigureStatement], said: Sequence[FigureStatement]) -> list[FigureStatement]:
    """Stored statements and the article's, a source's restatement of a value keeping its first statement (as
    the store will)."""
    seen = {(s.kind, s.value, s.source) for s in stored}
    return [*stored, *(s for s in said if (s.kind, s.value, s.source) not in seen)]


def _label(kind: str, value: int) -> str:
    return f"{value} troops ({kind.split(':', 1)[1]})" if kind.startswith("troops:") else f"{value} {kind}"


def _kinds(findings: Sequence[Finding]) -> frozenset[str]:
    """``detector:category`` (or ``:movement``) of each finding, e.g. ``casualties:killed``."""
    out = set()
    for f in findings:
        sub = f.attributes.get("category") or f.attributes.get("movement")
        out.add(f"{f.detector}:{sub}" if sub else f.detector)
    return frozenset(out)


def _headline(article: Article) -> str:
    if article.title:
        return " ".join(article.title.split())[:200]
    first = " ".join(article.text.split())
    return first[:120] + ("…" if len(first) > 120 else "")


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _published(article: Article) -> datetime:
    """The article's time on the event clock: published, else read; never later than read (a page dated in the
    future must not close every open event)."""
    read = _parse(article.fetched_at) or datetime.now(UTC)
    published = _parse(article.published)
    return min(published, read) if published else read


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


def _store_error(exc: BaseException) -> bool:
    """A database error (SQLite or PostgreSQL): the processor retries the write, so it must see it."""
    module = type(exc).__module__
    return module.startswith(("sqlite3", "psycopg"))
