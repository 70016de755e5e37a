"""What the console's pages show, computed from stored rows: plain data the templates print (escaped).

No HTTP and no HTML here: the evidence of each finding split into marked segments of the article text, the
rows of the alerts and sources tables, the filters of a query string."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from monitor.masking import mask_url
from monitor.model import Alert, Finding, Severity
from monitor.store.base import SourceState

#: Alerts per page of the list.
PAGE = 50


@dataclass(frozen=True)
class Segment:
    """A run of article text and the (1-based) numbers of the findings whose evidence covers it."""

    text: str
    marks: tuple[int, ...] = ()


def highlight(text: str, findings: Sequence[Finding]) -> tuple[list[Segment], list[int]]:
    """The article text cut where any finding's evidence starts or ends, each piece with the findings that
    cover it; and the numbers of findings none of whose evidence could be placed (the text changed since)."""
    spans: list[tuple[int, int, int]] = []
    unplaced = []
    for number, finding in enumerate(findings, 1):
        placed = False
        for ev in finding.evidence:
            start, end = ev.start, ev.end
            if not (0 <= start < end <= len(text) and text[start:end] == ev.text):
                found = text.find(ev.text) if ev.text else -1
                if found < 0:
                    continue
                start, end = found, found + len(ev.text)
            spans.append((start, end, number))
            placed = True
        if not placed and finding.evidence:
            unplaced.append(number)
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    segments: list[Segment] = []
    for a, b in itertools.pairwise(cuts):
        marks = tuple(sorted({n for s, e, n in spans if s <= a and b <= e}))
        if segments and segments[-1].marks == marks:
            segments[-1] = Segment(segments[-1].text + text[a:b], marks)
        else:
            segments.append(Segment(text[a:b], marks))
    return segments, unplaced


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) link the page may show as one; None otherwise (``javascript:``, ``data:``
    and every other scheme are shown as text only)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


@dataclass(frozen=True)
class Filters:
    detector: str = ""
    severity: str = ""
    source: str = ""
    route: str = ""
    q: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> Filters:
        def get(name: str) -> str:
            return (params.get(name) or "").strip()[:200]

        severity = get("severity")
        try:
            page = max(1, min(int(get("page") or 1), 100_000))
        except ValueError:
            page = 1
        return cls(get("detector"), severity if severity in {s.value for s in Severity} else "", get("source"),
                   get("route"), get("q"), page)

    @property
    def severities(self) -> list[str]:
        """The severities an alert may have to pass: this one and those above it."""
        return [s.value for s in Severity if s.at_least(self.severity)] if self.severity else []

    def query(self, **changes: Any) -> dict[str, str]:
        """The query string of these filters with ``changes`` (empty values left out), for links."""
        values = {"detector": self.detector, "severity": self.severity, "source": self.source,
                  "route": self.route, "q": self.q, "page": str(self.page), **{k: str(v) for k, v in changes.items()}}
        return {k: v for k, v in values.items() if v and not (k == "page" and v == "1")}


@dataclass(frozen=True)
class AlertRow:
    id: str
    created_at: str
    route: str
    source: str
    title: str
    severity: str
    summaries: tuple[str, ...]
    held: str | None


def alert_rows(rows: Iterable[Mapping[str, Any]]) -> list[AlertRow]:
    out = []
    for r in rows:
        alert = Alert.from_record(json.loads(r["doc"]))
        out.append(AlertRow(alert.id, alert.created_at, alert.route, r.get("source") or alert.article.source or "",
                            alert.article.title or alert.article.url or alert.article.path or alert.article.id,
                            alert.severity.value, tuple(f.summary for f in alert.findings), r.get("held")))
    return out


@dataclass(frozen=True)
class FindingView:
    number: int
    finding: Finding
    identity: str
    why: tuple[str, ...]
    attributes: tuple[tuple[str, str], ...]
    judgement: Mapping[str, Any] | None
    #: The count the finding read, when it reads one: "wrong figure" is offered for these.
    figure: int | None
    has_figure: bool
    #: Attribute conditions a "findings like this one" silence would use.
    like: dict[str, str] = field(default_factory=dict)


def like_conditions(finding: Finding, declared: Mapping[str, Any] | None) -> dict[str, str]:
    """The conditions of a silence for "findings like this one": the attributes with fixed vocabularies the
    detector declares (category, movement, …), or — for one that declares none — its text attributes, never
    ``why``, counts or lists."""
    out = {}
    for key, value in finding.attributes.items():
        if key == "why" or not isinstance(value, str) or not value:
            continue
        if declared is None or declared.get(key) is not None:
            out[key] = value
    return out


def finding_views(findings: Sequence[Finding], judgements: Iterable[Mapping[str, Any]],
                  declared: Mapping[str, Mapping[str, Any] | None]) -> list[FindingView]:
    by_identity = {j["identity"]: j for j in judgements}
    views = []
    for number, f in enumerate(findings, 1):
        why = f.attributes.get("why")
        why_list = tuple(str(w) for w in why) if isinstance(why, list | tuple) else (() if why is None else (str(why),))
        attrs = tuple((k, json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v)
                      for k, v in f.attributes.items() if k != "why")
        count = f.attributes.get("count")
        views.append(FindingView(number, f, f.identity, why_list, attrs, by_identity.get(f.identity),
                                 count if isinstance(count, int) and not isinstance(count, bool) else None,
                                 "count" in f.attributes, like_conditions(f, declared.get(f.detector))))
    return views


@dataclass(frozen=True)
class SourceRow:
    name: str
    health: str
    last_success: str | None
    last_error: str | None
    error_count: int
    next_poll: str
    items_per_day: float
    url: str | None


def source_rows(states: Sequence[SourceState], configured: Sequence[str], items: Mapping[str, int],
                days: int) -> list[SourceRow]:
    """Every source stored or configured, by name; items per day over the last ``days`` days."""
    by_name = {s.name: s for s in states}
    rows = []
    for name in sorted(set(by_name) | set(configured)):
        s = by_name.get(name, SourceState(name=name))
        health = "never polled" if name not in by_name else ("gone" if s.gone else s.health)
        rows.append(SourceRow(name, health, s.last_success, s.last_error, s.error_count,
                              s.next_due or ("on its interval" if name in by_name else "at start"),
                              round(items.get(name, 0) / days, 1),
                              mask_url(s.url) if s.url else None))
    return rows
