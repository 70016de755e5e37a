"""Figures with provenance: what an article states about its event (killed, injured, missing, troops moved),
and which of the stated values is the event's figure.

**What states a figure.** A ``casualties`` finding with a ``count`` states the figure of its ``category``
(``killed``, ``injured``, ``missing``); a ``deployments`` finding with a ``count`` states ``troops:<movement>``
(``troops:deploy``, ``troops:withdraw`` …). A finding without a count (a vague amount), or with
``background: true`` (history, long-run statistics), states no figure. Within one article the largest value
of a kind counts: "the toll rose to 56 from 50" states 56.

**Every statement is kept**, with its source, article and time (the article's published time, else when it was
read): one row per (kind, value, source), the first time that source stated that value. Conflicting figures
from different sources stay side by side; nothing is averaged.

**The event's figure** of a kind is chosen among the values stated, each value taken with the highest
credibility of the sources that stated it (``credibility`` in its ``[[sources]]`` table, default 1) and the
time it was first stated:

1. the value stated by the most credible source wins;
2. among values of equal credibility, the one first stated most recently (a later, different figure supersedes
   an earlier one; a source repeating a figure already stated does not bring it back);
3. then the larger value.

The figure is reported with the source, article and time of its first statement, and every source that stated
it; the values it superseded are its history (``monitor event ID``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from monitor.model import Article, EventFigure, Finding
from monitor.store.events import FigureStatement

#: Casualty categories that are figures of their own.
CASUALTY_KINDS = ("killed", "injured", "missing")


def kind_of(finding: Finding) -> str | None:
    """The kind of figure a finding states, or None when it states none (no count, or background)."""
    attrs = finding.attributes
    if attrs.get("background") or not isinstance(attrs.get("count"), int) or isinstance(attrs.get("count"), bool):
        return None
    if finding.detector == "casualties" and attrs.get("category") in CASUALTY_KINDS:
        return str(attrs["category"])
    if finding.detector == "deployments" and attrs.get("movement"):
        return f"troops:{attrs['movement']}"
    return None


def statements_in(article: Article, findings: Iterable[Finding], credibility: float,
                  stated_at: str) -> tuple[FigureStatement, ...]:
    """The figures ``article`` states: the largest value per kind, each with its provenance."""
    best: dict[str, tuple[int, Finding]] = {}
    for f in findings:
        kind = kind_of(f)
        if kind is None:
            continue
        value = int(f.attributes["count"])
        if kind not in best or value > best[kind][0]:
            best[kind] = (value, f)
    return tuple(FigureStatement(kind, value, str(f.attributes.get("qualifier") or "exact"), f.detector,
                                 article.source or "", article.id, stated_at, credibility)
                 for kind, (value, f) in sorted(best.items()))


@dataclass(frozen=True)
class _Value:
    """One value of one kind, with everything said about it."""

    first: FigureStatement
    credibility: float
    sources: tuple[str, ...]

    def figure(self) -> EventFigure:
        f = self.first
        return EventFigure(f.kind, f.value, f.qualifier, f.source, f.article_id, f.stated_at, self.sources)

    @property
    def rank(self) -> tuple[float, str, int]:
        """The rule, as a sort key: credibility, then first stated most recently, then the larger value."""
        return (self.credibility, self.first.stated_at, self.first.value)


def _values(statements: Iterable[FigureStatement]) -> dict[str, list[_Value]]:
    grouped: dict[tuple[str, int], list[FigureStatement]] = {}
    for s in statements:
        grouped.setdefault((s.kind, s.value), []).append(s)
    out: dict[str, list[_Value]] = {}
    for (kind, _), said in grouped.items():
        said.sort(key=lambda s: (s.stated_at, s.source, s.article_id))
        sources = tuple(dict.fromkeys(s.source for s in said))
        out.setdefault(kind, []).append(_Value(said[0], max(s.credibility for s in said), sources))
    return out


def current_figures(statements: Iterable[FigureStatement],
                    detectors: frozenset[str] = frozenset()) -> dict[str, EventFigure]:
    """The event's figure of each kind by the rule above; only figures of ``detectors`` when given."""
    chosen = {}
    for kind, values in _values(s for s in statements if not detectors or s.detector in detectors).items():
        chosen[kind] = max(values, key=lambda v: v.rank).figure()
    return dict(sorted(chosen.items()))


def figure_history(statements: Sequence[FigureStatement]) -> dict[str, list[tuple[EventFigure, float]]]:
    """Every value stated of each kind, in the order first stated, with its credibility (for ``monitor event``);
    conflicting values from different sources all appear."""
    out: dict[str, list[tuple[EventFigure, float]]] = {}
    for kind, values in sorted(_values(statements).items()):
        out[kind] = [(v.figure(), v.credibility) for v in sorted(values, key=lambda v: (v.first.stated_at,
                                                                                      v.first.value))]
    return out
