"""What a kept casualty candidate says: its finding's summary, attributes, evidence, severity and score."""

from __future__ import annotations

import math

from monitor import Evidence, Finding, Severity

from .rules import _Hit
from .words import INJURED, KILLED, MISSING


def severity_for(category: str, value: int) -> Severity:
    """The written policy: deaths weigh most; size in orders of magnitude (see README, "Severity")."""
    if category == KILLED:
        return Severity.CRITICAL if value >= 100 else Severity.HIGH if value >= 10 else Severity.MEDIUM
    if category == INJURED:
        return Severity.HIGH if value >= 100 else Severity.MEDIUM if value >= 10 else Severity.LOW
    return Severity.HIGH if value >= 100 else Severity.MEDIUM if value >= 10 else Severity.LOW


def score_for(category: str, value: int) -> float:
    weight = {KILLED: 0.5, INJURED: 0.35, MISSING: 0.35}[category]
    return round(min(1.0, weight + 0.15 * math.log10(max(value, 1))), 3)


def finding(detector: str, min_count: int, text: str, category: str, count: int | None, hits: list[_Hit],
            p: float | None, background: bool, why: list[str]) -> Finding | None:
    """The finding of a kept candidate, or None below ``min_count``."""
    first = hits[0]
    q = first.quantity
    value = count if count is not None else (q.min_count if q and q.min_count else 1)
    if value < min_count:
        return None
    qualifier = q.qualifier if q else "exact"
    attributes: dict[str, object] = {"category": category, "count": count, "qualifier": qualifier}
    if q and q.upper is not None:
        attributes["upper"] = q.upper
    if count is None:
        attributes["min_count"] = value
    if background:
        attributes["background"] = True
    if why:
        attributes["why"] = why
    stated = q.text if q else "one" if count in (None, 1) else f"{count:,}"  # "a couple" states 2
    summary = f"{stated} {category} (at least {value})" if count is None else f"{stated} {category}"
    if background:
        summary += " (background)"
    evidence = tuple(Evidence.at(text, h.start, h.end) for h in hits[:3])
    severity = severity_for(category, value)
    if background and severity.rank > Severity.LOW.rank:
        severity = Severity.LOW
    return Finding(
        detector=detector,
        severity=severity,
        score=round(p, 3) if p is not None else score_for(category, value),
        summary=summary[0].upper() + summary[1:],
        evidence=evidence,
        attributes=attributes,
    )
