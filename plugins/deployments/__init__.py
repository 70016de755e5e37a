"""Troop deployments: armed forces sent, withdrawn, kept, repositioned or mobilised.

One finding per distinct (count, movement). A sentence counts when a movement verb ("deployed", "will
withdraw", "would stay", "set up a military base", "mobilised") and an armed-force noun (troops,
soldiers, forces, army, marines, peacekeepers …) stand in the same clause. The count is the number of
personnel attached to the force noun ("about 3,000 additional troops"); vehicles and ships are not
personnel; a number belongs to the nearest movement of its kind within reach, a date ("15 October") is not a
count, and a force's strength ("a 2,800-strong contingent") or the level it is raised to ("boost its troops to
150,000") is. Police at a protest, servers, aid workers, rescue teams and scout troops are not deployments;
negated statements ("no intention of withdrawing its troops") and movements only wished, planned, offered or
possible ("is willing to withdraw", "may send more troops") are skipped. The rules are generous: the
learned decision (``models/deployments.json``) keeps or drops what they propose.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from pydantic import Field

from monitor import Article, DetectorOptions, Finding, hookimpl
from monitor.hookspecs import RegisterDetector
from monitor.text import (
    is_before,
    is_historical,
    is_link_line,
    lower_same_length,
    published_when,
    split_sentences,
)
from monitor.text.learned import load_decision

from .features import candidate_features, only_wished
from .rules import Rules
from .summary import finding, severity_for
from .words import _FORCE_STARTS, DEPLOY, MOBILIZE, REMAIN, REPOSITION, WITHDRAW

__all__ = ["DEPLOY", "MOBILIZE", "MODEL", "REMAIN", "REPOSITION", "WITHDRAW", "Candidate", "DeploymentOptions",
           "DeploymentsDetector", "monitor_register_detectors", "severity_for"]

MODEL = Path(__file__).resolve().parent.parent / "models" / "deployments.json"


@dataclass(frozen=True)
class Candidate:
    """A (count, movement) the rules read, every place they read it, and the features the decision weighs."""

    count: int | None
    movement: str
    spots: tuple[tuple[int, int, dict[str, object]], ...]
    features: dict[str, float]
    #: The first spot stands beside a cue of history in its sentence ("in 1979 the Soviet Union sent troops").
    background: bool = False


class DeploymentOptions(DetectorOptions):
    #: Findings with a personnel count below this are dropped (counts of null are always kept).
    min_count: int = Field(default=0, ge=0)
    #: Extra phrases that mean "deploy" in your sources (e.g. "surged into").
    extra_deploy: list[str] = Field(default_factory=list)


class DeploymentsDetector:
    """Armed forces moved or kept, with personnel counts."""

    name: ClassVar[str] = "deployments"
    version: ClassVar[str] = "2.0"
    options_model: ClassVar[type[DetectorOptions]] = DeploymentOptions
    #: The attributes of its findings and, where they are a fixed set, their values (for routes and silences).
    attributes: ClassVar[dict[str, tuple[str, ...] | None]] = {
        "count": None, "movement": (DEPLOY, WITHDRAW, REMAIN, REPOSITION, MOBILIZE), "unit": None,
        "background": ("true", "false"), "why": None,
    }

    def __init__(self, options: DeploymentOptions) -> None:
        self.options = options
        self._rules = Rules(
            re.compile(r"\b(?:" + "|".join(re.escape(p) for p in options.extra_deploy) + r")\b", re.IGNORECASE)
            if options.extra_deploy else None
        )
        self.decision = load_decision(MODEL)

    def candidates(self, article: Article) -> list[Candidate]:
        """Every (count, movement) the rules read, with its features (the learned decision's input)."""
        text = article.text
        found: dict[tuple[int | None, str], list[tuple[int, int, dict[str, object]]]] = {}
        where: dict[tuple[int | None, str], tuple[int, int]] = {}
        shapes: dict[tuple[int | None, str], dict[str, float]] = {}
        # A deployment needs a force noun: find them once, then read only the sentences that have one.
        forces = _FORCE_STARTS.starts(lower_same_length(text))
        if not forces:
            return []
        for span in split_sentences(text):
            i = bisect_left(forces, span.start)
            if i == len(forces) or forces[i] >= span.end:
                continue
            sent = text[span.start:span.end]
            if is_link_line(text, span.start, span.end):
                continue
            hits = self._rules.sentence(sent)
            counted = {movement for count, movement, *_ in hits if count is not None}
            for count, movement, s, e, extra, shape in hits:
                if count is None and movement in counted:
                    continue  # "200 marines arrived ... to reinforce": one movement, already counted
                found.setdefault((count, movement), []).append((span.start + s, span.start + e, extra))
                shapes.setdefault((count, movement), shape)
                where.setdefault((count, movement), (span.start, span.end))
        out = []
        published = published_when(article.published)
        for (count, movement), spots in found.items():
            s0, s1 = where[(count, movement)]
            sent = text[s0:s1]
            feats = candidate_features(text, (s0, s1), count, movement, spots, shapes[(count, movement)])
            # forces on alert for an anniversary are news: only a past time makes a movement history (a year
            # of the past centuries, or a time well before the article's own)
            at = (spots[0][0] - s0, spots[0][1] - s0)
            background = (is_historical(sent, *at, commemorations=False)
                          or is_before(sent, *at, *published))
            out.append(Candidate(count, movement, tuple(spots), feats, background))
        return out

    def detect(self, article: Article) -> Iterable[Finding]:
        text = article.text
        for c in self.candidates(article):
            if c.count is not None and c.count < self.options.min_count:
                continue
            if only_wished(c.features):
                continue  # wishes, plans, offers and possibilities are not movements, whatever the score
            why: list[str] = []
            if self.decision is not None and "x:user_phrase" not in c.features:
                kept, p, why = self.decision.decide(c.features)
                if not kept:
                    continue
            else:
                p = 0.6 if c.count is None else min(1.0, 0.6 + len(str(c.count)) * 0.08)
            yield finding(self.name, text, c, p, why)


@hookimpl
def monitor_register_detectors(register: RegisterDetector) -> None:
    register(DeploymentsDetector)
