"""What a kept deployment candidate says: its finding's summary, count, movement and unit, severity and score."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor import Evidence, Finding, Severity

from .words import DEPLOY, MOBILIZE, REPOSITION

if TYPE_CHECKING:
    from . import Candidate

def severity_for(movement: str, count: int | None) -> Severity:
    """Size and direction: large sends and mobilisations rank above withdrawals and holds (README)."""
    size = count or 0
    if movement in (DEPLOY, MOBILIZE):
        return Severity.HIGH if size >= 1000 else Severity.MEDIUM
    if movement == REPOSITION:
        return Severity.MEDIUM if size >= 1000 else Severity.LOW
    return Severity.MEDIUM if size >= 1000 else Severity.LOW


def finding(detector: str, text: str, c: Candidate, p: float, why: list[str]) -> Finding:
    """The finding of a kept candidate ``c``, scored ``p``, with the decision's reasons ``why``."""
    attrs: dict[str, object] = {"count": c.count, "movement": c.movement, **c.spots[0][2]}
    severity = severity_for(c.movement, c.count)
    stated = f"{c.count:,} personnel" if c.count is not None else "forces"
    summary = f"{c.movement.capitalize()}: {stated}"
    # A movement of history is background: low, and no default route sends it (issue 11).
    if c.background:
        attrs["background"] = True
        summary += " (background)"
        severity = Severity.LOW
    if why:
        attrs["why"] = why
    return Finding(
        detector=detector,
        severity=severity,
        score=round(p, 3),
        summary=summary,
        evidence=tuple(Evidence.at(text, s, e) for s, e, _ in c.spots[:3]),
        attributes=attrs,
    )
