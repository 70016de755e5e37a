"""Escalation language from an actor: threats of force, vows of revenge, ultimatums, declarations of war,
raised military alert, calls to attack and hostile chants.

One finding per sentence, its category the gravest cue found there. Not escalation: calls for
restraint, walked-back threats, negated threats ("will not retaliate"), and non-violent threats —
strikes, lawsuits, boycotts, sanctions, breaking off relations — demands, agreements and military
exercises.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from pydantic import Field

from monitor import Article, DetectorOptions, Finding, hookimpl
from monitor.hookspecs import RegisterDetector
from monitor.text import PhraseMatcher
from monitor.text.learned import load_decision

from .candidates import Candidate, find_candidates
from .decision import _named_outright, _vetoed, rule_counts
from .phrases import (
    CALL,
    HOSTILE,
    INTENSITY,
    MOBILIZATION,
    PHRASES,
    RETALIATION,
    THREAT,
    ULTIMATUM,
    WAR,
)
from .summary import finding, severity_for

__all__ = ["CALL", "HOSTILE", "INTENSITY", "MOBILIZATION", "MODEL", "PHRASES", "RETALIATION", "THREAT", "ULTIMATUM",
           "WAR", "Candidate", "EscalationDetector", "EscalationOptions", "monitor_register_detectors",
           "severity_for"]

MODEL = Path(__file__).resolve().parent.parent / "models" / "escalation.json"


class EscalationOptions(DetectorOptions):
    #: Extra phrases that signal escalation, with their category (default "threat"), e.g.
    #: ``extra_phrases = {"scorched earth" = "threat"}``.
    extra_phrases: dict[str, str] = Field(default_factory=dict)


class EscalationDetector:
    """Threats, ultimatums, revenge vows, war talk, raised alerts and hostile chants.

    Rules propose sentences with an actor's speech act and a violent action, a raised alert, a chant or a
    listed phrase; the learned decision (``models/escalation.json``) keeps those that announce force and
    scores them with a calibrated probability.
    """

    name: ClassVar[str] = "escalation"
    version: ClassVar[str] = "2.0"
    options_model: ClassVar[type[DetectorOptions]] = EscalationOptions
    #: The attributes of its findings and, where they are a fixed set, their values (for routes and silences).
    attributes: ClassVar[dict[str, tuple[str, ...] | None]] = {
        "category": tuple(INTENSITY), "cues": None, "speaker": None, "why": None,
    }

    def __init__(self, options: EscalationOptions) -> None:
        self.options = options
        phrases = dict(PHRASES)
        for phrase, category in options.extra_phrases.items():
            phrases[phrase] = category if category in INTENSITY else THREAT
        self.matcher = PhraseMatcher(phrases)
        self.extra = {p.lower() for p in options.extra_phrases}
        self.decision = load_decision(MODEL)

    def candidates(self, article: Article) -> list[Candidate]:
        """Every sentence the rules propose, with its features (the learned decision's input)."""
        return find_candidates(article.text, self.matcher, self.extra)

    def detect(self, article: Article) -> Iterable[Finding]:
        text = article.text
        for c in self.candidates(article):
            if _vetoed(text[c.start:c.end], c):
                continue
            if self.decision is not None and "x:user_phrase" not in c.features:
                kept, p, why = self.decision.decide(c.features)
                if not kept:
                    if not _named_outright(text[c.start:c.end]):
                        continue
                    # What the brief names outright counts at the threshold, whatever the score says.
                    p, why = self.decision.threshold, ["+rule:named_outright", *self.decision.explain(c.features)[:3]]
            else:
                if not rule_counts(text, c, self.extra):
                    continue
                p, why = INTENSITY.get(c.category, 0.5), []
            yield finding(self.name, text, c, p, why)


@hookimpl
def monitor_register_detectors(register: RegisterDetector) -> None:
    register(EscalationDetector)
