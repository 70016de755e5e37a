"""Casualty figures: people killed, injured or missing, one finding per distinct (category, count).

Reads counts in the shapes news writing uses:
- subject + predicate: "at least 86 people were killed", "three soldiers died", "dozens missing";
- verb + object: "killing at least 14 people and wounding 31", "injured more than 700";
- tolls: "the death toll rose to 87", "among the dead were four children and a police officer";
- one person: "a villager was badly injured", "one protester was killed", "killing him".
Negated ("no one was hurt") and hypothetical ("could kill thousands") statements, subgroups of a total
("including 2 women"), numbers that count things (rockets, homes, years, points) and animals are skipped.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from pydantic import Field

from monitor import Article, DetectorOptions, Finding, hookimpl
from monitor.hookspecs import RegisterDetector
from monitor.text import (
    Span,
    is_before,
    is_link_line,
    lower_same_length,
    published_when,
    sentence_at,
    sentence_index,
    split_sentences,
)
from monitor.text.learned import load_decision

from .broad import _FALLBACK_RULES, _near_hits, fallback_hits, headline_hits
from .features import candidate_features
from .rules import Rules, _Hit
from .summary import finding, score_for, severity_for
from .words import INJURED, KILLED, MISSING, _harm_cues

__all__ = [
    "INJURED",
    "KILLED",
    "MISSING",
    "MODELS",
    "Candidate",
    "CasualtiesDetector",
    "CasualtyOptions",
    "monitor_register_detectors",
    "score_for",
    "severity_for",
]

MODELS = Path(__file__).resolve().parent.parent / "models"


class CasualtyOptions(DetectorOptions):
    #: Figures below this count (or vague minimum) are dropped.
    min_count: int = Field(default=1, ge=0)
    #: Extra words or phrases meaning "killed" / "injured" (e.g. regional usage), added to the built-in lists.
    extra_killed: list[str] = Field(default_factory=list)
    extra_injured: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class Candidate:
    """A (category, count) the rules read, every place they read it, and the features the decision weighs."""

    category: str
    count: int | None
    hits: tuple[_Hit, ...]
    features: dict[str, float]


class CasualtiesDetector:
    """People killed, injured or missing, with the figure as stated."""

    name: ClassVar[str] = "casualties"
    version: ClassVar[str] = "2.0"
    options_model: ClassVar[type[DetectorOptions]] = CasualtyOptions
    #: The attributes of its findings and, where they are a fixed set, their values (for routes and silences).
    attributes: ClassVar[dict[str, tuple[str, ...] | None]] = {
        "category": (KILLED, INJURED, MISSING), "count": None,
        "qualifier": ("exact", "at_least", "more_than", "about", "up_to", "range", "vague"),
        "upper": None, "min_count": None, "background": ("true", "false"), "why": None,
    }

    def __init__(self, options: CasualtyOptions) -> None:
        self.options = options
        extra = {KILLED: options.extra_killed, INJURED: options.extra_injured}
        self._rules = Rules(extra)
        self._cue = _harm_cues([*options.extra_killed, *options.extra_injured])
        self.decision = load_decision(MODELS / "casualties.json")
        self.background = load_decision(MODELS / "casualties_background.json")

    def candidates(self, article: Article) -> list[Candidate]:
        """Every (category, count) the rules read, with its features (the learned decision's input)."""
        text = article.text
        seen: dict[tuple[str, int | None], list[_Hit]] = {}
        sentences: dict[tuple[str, int | None], tuple[int, int]] = {}
        fallback: list[tuple[_Hit, Span]] = []
        # Only sentences with a harm word can hold a casualty figure: find those words once, in one pass.
        cues = self._cue.starts(lower_same_length(text))
        if not cues:
            return []
        spans = split_sentences(text)
        original, text = text, _unshouted(text, spans)
        for span in spans:
            i = bisect_left(cues, span.start)
            if i == len(cues) or cues[i] >= span.end or is_link_line(text, span.start, span.end):
                continue
            hits = list(self._rules.sentence_hits(text, span.start, span.end))
            hits += _near_hits(text, span.start, span.end, {(h.category, h.count) for h in hits})
            for hit in hits:
                key = (hit.category, hit.count)
                seen.setdefault(key, []).append(hit)
                sentences.setdefault(key, (span.start, span.end))
            # (the widest readings keep the capitals: in capitals a name is any word after "the murder of")
            fallback += [(h, span) for h in fallback_hits(self._rules, original, span.start, span.end, seen)]
            fallback += [(h, span) for h in headline_hits(self._rules, original, span.start, span.end, seen)]
        # The widest readings only where nothing else read the pair: they add new candidates and leave the
        # features of the others as they were.
        for hit, span in fallback:
            key = (hit.category, hit.count)
            if key not in seen or seen[key][0].rule in _FALLBACK_RULES:
                seen.setdefault(key, []).append(hit)
                sentences.setdefault(key, (span.start, span.end))
        out = []
        for key, hits in seen.items():
            feats = candidate_features(text, sentences[key], key, hits)
            out.append(Candidate(key[0], key[1], tuple(hits), feats))
        return out

    def detect(self, article: Article) -> Iterable[Finding]:
        text = article.text
        published = published_when(article.published)
        for c in self.candidates(article):
            why: list[str] = []
            if self.decision is not None:
                kept, p, why = self.decision.decide(c.features)
                if not kept:
                    continue
            elif c.hits[0].historical or c.hits[0].rule in ("near", "bare"):
                continue  # without a model, only what the rules read themselves
            else:
                p = None
            if _ill_not_injured(text, c):
                continue
            # History and long-run statistics: the rules' own reading, or the learned one.
            background = c.hits[0].historical or _dated_history(text, c.hits[0], published) or (
                self.background.probability(c.features) >= max(self.background.threshold, 0.5)
                if self.background is not None
                else "cue:period" in c.features)
            found = finding(self.name, self.options.min_count, text, c.category, c.count, list(c.hits), p,
                            background, why)
            if found is not None:
                yield found


#: Care without a wound: "was hospitalized", "taken to hospital", "treated" (LABELLING.md: the infected are not
#: casualties; "hospitalised with injuries" is).
_CARE_ONLY = re.compile(r"hospitali[sz]|hospitals?\b|treat", re.IGNORECASE)
#: A disease named where the patient is ("plague", "an outbreak", "infected", "the new patient").
_DISEASE = re.compile(
    r"\b(?:plague|outbreaks?|epidemic|pandemic|virus|infect\w*|disease|illness|cholera|ebola|measles|influenza|"
    r"flu|covid[\w-]*|coronavirus|pneumonia|tuberculosis|contagious|diagnosed|patients?)\b",
    re.IGNORECASE,
)
#: Force or an accident anywhere in the article: then a patient may be a casualty, and the figure is read (a
#: death is no such word: a disease kills too).
_HARM_CAUSE = re.compile(
    r"\b(?:injur\w*|wound\w*|hurt|blast|bomb\w*|explo\w*|shot|shoot\w*|gun\w*|fir(?:e|ed|ing)|"
    r"attack\w*|clash\w*|stabb\w*|beat(?:en|ing)?|crash\w*|collision|accident|burn\w*|shell\w*|strikes?|"
    r"airstrikes?|rockets?|missiles?|mortars?|grenades?|gas|chemical|chlorine|stampede|violence|riot\w*|"
    r"assault\w*|protest\w*|water cannon|rubber bullets|collapse\w*|earthquake|flood\w*|storm|troops|soldiers|"
    r"militants?|gunmen)\b",
    re.IGNORECASE,
)


def _ill_not_injured(text: str, c: Candidate) -> bool:
    """An "injured" figure read only from care ("was hospitalized") with a disease named in its sentence or the
    two before, in an article where nothing hurts anyone: a patient, not a casualty. Conservative on purpose: one
    word of force or accident anywhere in the article and the figure is read as before."""
    if c.category != INJURED or not all(_CARE_ONLY.search(text[h.start:h.end]) for h in c.hits):
        return False
    spans = split_sentences(text)
    for hit in c.hits:
        i = sentence_index(spans, hit.start)
        if i is None or not _DISEASE.search(text[spans[max(0, i - 2)].start:spans[i].end]):
            return False
    return _calm(text)


@lru_cache(maxsize=8)
def _calm(text: str) -> bool:
    """No word of force or accident in the article (read once per article, not once per figure)."""
    return _HARM_CAUSE.search(text) is None


def _dated_history(text: str, hit: _Hit, published: tuple[int | None, int | None]) -> bool:
    """A time well before the article's own that dates the figure in its sentence ("the last outbreak was in
    2009, when several people died", in a 2019 article; "In May this year, ..." in a November one)."""
    if published[0] is None:
        return False
    span = sentence_at(split_sentences(text), hit.start)
    s0, s1 = (span.start, span.end) if span else (0, len(text))
    return is_before(text[s0:s1], hit.start - s0, hit.end - s0, *published)


_LOWER = re.compile(r"[a-z]")
_LETTER = re.compile(r"[A-Za-z]")


def _unshouted(text: str, spans: list[Span]) -> str:
    """The text with its all-capital sentences (wire copy such as MUC-4's, a headline in capitals) in lower case,
    offsets kept. The rules read a capital as a name ("Two Assam Rifles personnel") and "and", "a", "of" in lower
    case: in capitals "12 GUERRILLAS AND 1 SOLDIER WERE KILLED" had lost the 12, and every plural looked like a
    people's name ("3 BRIDGES")."""
    if _LOWER.search(text) and not any(text[s.start:s.end].isupper() for s in spans):
        return text
    parts, at = [], 0
    for s in spans:
        sent = text[s.start:s.end]
        letters = len(_LETTER.findall(sent))
        if letters >= 12 and len(_LOWER.findall(sent)) <= letters // 10:
            parts += [text[at:s.start], lower_same_length(sent)]
            at = s.end
    return "".join([*parts, text[at:]]) if parts else text


@hookimpl
def monitor_register_detectors(register: RegisterDetector) -> None:
    register(CasualtiesDetector)
