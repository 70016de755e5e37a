"""What a kept escalation candidate says: its finding's summary, category, cues, speaker, severity and score."""

from __future__ import annotations

import re

from monitor import Evidence, Finding, Severity

from .candidates import Candidate
from .phrases import INTENSITY

_SPEAKER = re.compile(
    r"(?:,|\")\s*(?:said|says|told|warned|added)\s+(?P<a>[A-Z][\w.'-]{0,30}(?:\s[A-Z][\w.'-]{0,30}){0,4})|"
    r"(?P<b>[A-Z][\w.'-]{0,30}(?:\s[A-Z][\w.'-]{0,30}){0,4})\s+(?:said|says|warned|vowed|threatened|told)\b"
)


def severity_for(category: str) -> Severity:
    intensity = INTENSITY.get(category, 0.5)
    if intensity >= 1.0:
        return Severity.CRITICAL
    if intensity >= 0.75:
        return Severity.HIGH
    if intensity >= 0.6:
        return Severity.MEDIUM
    return Severity.LOW


def finding(detector: str, text: str, c: Candidate, p: float, why: list[str]) -> Finding:
    """The finding of a kept candidate ``c``, scored ``p``, with the decision's reasons ``why``."""
    lead = text[c.cues[0][0]:c.cues[0][1]]
    attrs: dict[str, object] = {"category": c.category,
                                "cues": sorted({text[s:e].lower() for s, e in c.cues})}
    speaker = _SPEAKER.search(text[c.start:c.end])
    if speaker:
        attrs["speaker"] = (speaker.group("a") or speaker.group("b")).strip()
    if why:
        attrs["why"] = why
    return Finding(
        detector=detector,
        severity=severity_for(c.category),
        score=round(p, 3),
        summary=f"{c.category.replace('_', ' ').capitalize()}: \u201c{lead}\u201d",
        evidence=tuple(Evidence.at(text, s, e) for s, e in c.cues[:4]),
        attributes=attrs,
    )
