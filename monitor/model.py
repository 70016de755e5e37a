"""The domain: articles, findings with their evidence, and alerts.

Plain frozen dataclasses with a JSON form (``to_dict`` / ``from_dict``). The JSON shapes are written down in
``docs/schema.md`` and are the contract with sinks, receivers and plugin authors.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

# Kept importable from here for code written before monitor.times; new code imports monitor.times.
from monitor.times import utcnow as utcnow


class Severity(StrEnum):
    """How urgent a finding is, lowest first; compare with ``rank``."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_ORDER.index(self)

    def at_least(self, other: Severity | str) -> bool:
        """True when this severity is ``other`` or above."""
        return self.rank >= Severity(other).rank


_SEVERITY_ORDER = list(Severity)


def stable_id(*parts: str) -> str:
    """A short, stable identifier derived from its parts (16 hex digits of SHA-256)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:16]


#: Content hashes of recent texts. Asked three times per article (de-duplication before detection, again before
#: the write, the write): a long page's text is split, joined and hashed once, and for a page that once in the
#: extraction process (:func:`remember_content_hash`), not in the daemon's. A lookup compares the same string
#: object; 256 texts at most, the oldest forgotten first.
_HASHES: dict[str, str] = {}
_HASHES_LOCK = threading.Lock()


def content_hash_of(text: str) -> str:
    """The hash :attr:`Article.content_hash` gives for ``text``: its words, whatever the white space between."""
    return stable_id("text", " ".join(text.split()))


def _content_hash(text: str) -> str:
    known = _HASHES.get(text)
    if known is None:
        known = content_hash_of(text)
        remember_content_hash(text, known)
    return known


def remember_content_hash(text: str, value: str) -> None:
    """Record ``text``'s content hash, computed elsewhere by :func:`content_hash_of` (the extraction process)."""
    with _HASHES_LOCK:
        if len(_HASHES) >= 256:
            del _HASHES[next(iter(_HASHES))]
        _HASHES[text] = value


@dataclass(frozen=True, slots=True)
class Article:
    """One piece of news as the detectors see it.

    ``id`` is stable: derived from the URL (or path) it came from when there is one, else from its text,
    so the same story read twice has the same id.
    """

    id: str
    text: str
    url: str | None = None
    path: str | None = None
    source: str | None = None
    title: str | None = None
    published: str | None = None
    fetched_at: str = field(default_factory=utcnow)
    language: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def create(
        cls,
        text: str,
        *,
        url: str | None = None,
        path: str | None = None,
        **fields: Any,
    ) -> Article:
        """Build an article, deriving its stable id from where it came from (or its text)."""
        locator = url or path
        article_id = stable_id("loc", locator) if locator else stable_id("text", text)
        return cls(id=article_id, text=text, url=url, path=path, **fields)

    @property
    def content_hash(self) -> str:
        """Hash of the text alone: the same story under two URLs has the same content hash."""
        return _content_hash(self.text)

    def with_changes(self, **changes: Any) -> Article:
        """A copy with some fields replaced (articles are immutable)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "path": self.path,
            "source": self.source,
            "title": self.title,
            "published": self.published,
            "fetched_at": self.fetched_at,
            "language": self.language,
            "metadata": dict(self.metadata),
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Article:
        known = {f: data[f] for f in cls.__dataclass_fields__ if f in data}
        known["metadata"] = dict(known.get("metadata") or {})
        return cls(**known)


@dataclass(frozen=True, slots=True)
class Evidence:
    """The words in ``article.text[start:end]`` that made a detector fire."""

    text: str
    start: int
    end: int

    @classmethod
    def at(cls, text: str, start: int, end: int) -> Evidence:
        """Evidence for ``text[start:end]``."""
        return cls(text=text[start:end], start=start, end=end)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evidence:
        return cls(text=str(data["text"]), start=int(data["start"]), end=int(data["end"]))


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a detector found in an article, with the evidence for it.

    ``attributes`` carries the detector's structured reading (e.g. ``category`` and ``count`` for
    casualties); see ``docs/schema.md`` for the keys of the built-in detectors.
    """

    detector: str
    severity: Severity
    score: float
    summary: str
    evidence: tuple[Evidence, ...] = ()
    attributes: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "severity", Severity(self.severity))
        object.__setattr__(self, "evidence", tuple(self.evidence))
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score must be within 0..1, got {self.score!r}")

    @property
    def identity(self) -> str:
        """What makes two findings 'the same event' (detector and attributes, not wording or offsets)."""
        attrs = ",".join(f"{k}={self.attributes[k]!r}" for k in sorted(self.attributes))
        return stable_id("finding", self.detector, attrs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "detector": self.detector,
            "severity": self.severity.value,
            "score": round(self.score, 3),
            "summary": self.summary,
            "evidence": [e.to_dict() for e in self.evidence],
            "attributes": dict(self.attributes),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            detector=str(data["detector"]),
            severity=Severity(data["severity"]),
            score=float(data["score"]),
            summary=str(data["summary"]),
            evidence=tuple(Evidence.from_dict(e) for e in data.get("evidence", ())),
            attributes=dict(data.get("attributes") or {}),
        )


@dataclass(frozen=True, slots=True)
class EventFigure:
    """An event's current figure of one kind (``killed``, ``injured``, ``missing``, ``troops:deploy`` …), with
    where it was first stated and every source that stated it."""

    kind: str
    value: int
    qualifier: str
    source: str
    article_id: str
    stated_at: str
    sources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "qualifier": self.qualifier, "source": self.source,
                "article_id": self.article_id, "stated_at": self.stated_at, "sources": list(self.sources)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EventFigure:
        return cls(kind=str(data["kind"]), value=int(data["value"]), qualifier=str(data.get("qualifier") or ""),
                   source=str(data.get("source") or ""), article_id=str(data.get("article_id") or ""),
                   stated_at=str(data.get("stated_at") or ""), sources=tuple(data.get("sources") or ()))


@dataclass(frozen=True, slots=True)
class EventChange:
    """What made an event alert: ``first`` (the event first matched the route), ``figure`` (a figure moved past
    the route's step), ``new_figure`` (a kind of figure appeared), ``confirmed`` (independent sources reached
    the route's ``confirm_sources``)."""

    what: str
    text: str
    kind: str | None = None
    before: int | None = None
    after: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"what": self.what, "text": self.text, "kind": self.kind, "before": self.before, "after": self.after}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EventChange:
        return cls(what=str(data["what"]), text=str(data.get("text") or ""), kind=data.get("kind"),
                   before=data.get("before"), after=data.get("after"))


@dataclass(frozen=True, slots=True)
class EventNote:
    """The event an alert is about, as it stood when the alert was made, and what changed since the last alert
    of the same route on it."""

    id: str
    headline: str
    first_seen: str
    last_seen: str
    country: str | None
    places: tuple[str, ...]
    articles: int
    sources: tuple[str, ...]
    figures: tuple[EventFigure, ...]
    changes: tuple[EventChange, ...]
    #: 1 for the first alert of this route on the event, then 2, 3 … for its updates.
    sequence: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "headline": self.headline, "first_seen": self.first_seen,
                "last_seen": self.last_seen, "country": self.country, "places": list(self.places),
                "articles": self.articles, "sources": list(self.sources),
                "figures": [f.to_dict() for f in self.figures], "changes": [c.to_dict() for c in self.changes],
                "sequence": self.sequence, "update": self.sequence > 1}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EventNote:
        return cls(id=str(data["id"]), headline=str(data.get("headline") or ""),
                   first_seen=str(data.get("first_seen") or ""), last_seen=str(data.get("last_seen") or ""),
                   country=data.get("country"), places=tuple(data.get("places") or ()),
                   articles=int(data.get("articles") or 0), sources=tuple(data.get("sources") or ()),
                   figures=tuple(EventFigure.from_dict(f) for f in data.get("figures") or ()),
                   changes=tuple(EventChange.from_dict(c) for c in data.get("changes") or ()),
                   sequence=int(data.get("sequence") or 1))


@dataclass(frozen=True, slots=True)
class Alert:
    """Findings of one article that matched one route, to be delivered to that route's sinks.

    ``id`` is a deterministic fingerprint of the article, the route and the findings' identities, so
    the same event never becomes two alerts.
    """

    id: str
    route: str
    article: Article
    findings: tuple[Finding, ...]
    created_at: str = field(default_factory=utcnow)
    #: The event this alert is about, on routes grouped by event (``group = "event"``); None per article.
    event: EventNote | None = None

    @classmethod
    def create(cls, route: str, article: Article, findings: Iterable[Finding]) -> Alert:
        findings = tuple(findings)
        identities = sorted(f.identity for f in findings)
        return cls(
            id=stable_id("alert", article.id, route, *identities),
            route=route,
            article=article,
            findings=findings,
        )

    @property
    def severity(self) -> Severity:
        """The highest severity among the findings."""
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=Severity.INFO)

    def to_record(self) -> dict[str, Any]:
        """Everything needed to rebuild the alert (the payload plus the full article), for the state store."""
        record: dict[str, Any] = {"payload": self.to_dict(), "article": self.article.to_dict()}
        if self.event is not None:
            record["event"] = self.event.to_dict()
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Alert:
        payload = record["payload"]
        return cls(
            id=payload["alert_id"],
            route=payload["route"],
            article=Article.from_dict(record["article"]),
            findings=tuple(Finding.from_dict(f) for f in payload["findings"]),
            created_at=payload["created_at"],
            event=EventNote.from_dict(record["event"]) if record.get("event") else None,
        )

    def to_dict(self, version: int = 1) -> dict[str, Any]:
        """The versioned JSON document receivers get (webhook body, JSON Lines sink). Version 1 is the article
        and its findings; version 2 adds ``event`` (null on alerts routed per article)."""
        doc: dict[str, Any] = {
            "version": version,
            "alert_id": self.id,
            "route": self.route,
            "created_at": self.created_at,
            "article": {
                "id": self.article.id,
                "url": self.article.url or self.article.path,
                "title": self.article.title,
                "source": self.article.source,
                "published": self.article.published,
            },
            "findings": [f.to_dict() for f in self.findings],
        }
        if version >= 2:
            doc["event"] = self.event.to_dict() if self.event is not None else None
        return doc


@dataclass(frozen=True, slots=True)
class Document:
    """Something a source found, before extraction: a feed entry (a link, perhaps with the feed's own text)
    or a file (its bytes). The runner fetches, extracts and turns it into an :class:`Article`.

    ``key`` identifies it across polls and restarts: the entry's GUID, else its canonical URL, else a hash.
    ``version`` changes when the source says the item changed (an entry's updated date or summary).
    """

    source: str
    key: str
    url: str | None = None
    path: str | None = None
    body: bytes | None = None
    kind: str | None = None  # "html", "text" or None to sniff
    title: str | None = None
    published: str | None = None
    fallback_text: str | None = None
    version: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict)
