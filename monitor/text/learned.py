"""A learned, calibrated decision over rule candidates, for detector authors.

Rules propose candidates with high recall; a small linear model trained on labelled candidates from real news
decides which are findings, and its calibrated probability becomes the finding's score. Inference is plain
Python over sparse features (a few microseconds a candidate); training lives in ``monitor.learn`` and needs the
``train`` extra (scikit-learn), which the daemon never imports.

A model file is JSON::

    {"format": 1, "detector": "...", "bias": b, "weights": {"feature": w, ...},
     "calibration": {"a": a, "b": c}, "threshold": t, "trained_on": {...}, "metrics": {...}}

and the probability of a candidate with features ``x`` is ``sigmoid(a * (bias + w . x) + c)``. The weights of
the sentence's meaning are among them, one per word (``vec:<word>``, see :mod:`monitor.text.vectors`).
"""

from __future__ import annotations

import json
import math
import re
import stat
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from operator import mul
from pathlib import Path
from typing import Any

from monitor.text import vectors
from monitor.text.cues import is_hypothetical, is_negated

Features = dict[str, float]

_WORD = re.compile(r"[a-z][a-z'-]*|\d+")
_YEAR = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b")
_SPAN_OF_YEARS = re.compile(
    r"\b(?:since|between|from)\s+(?:\w+\s+){0,2}(?:1[89]\d\d|20\d\d)\b|\b(?:so far this year|this year|"
    r"last year|in the past|over the (?:past|last)|decades?|centur(?:y|ies)|years? ago|history|historic|"
    r"anniversary|in total|since the (?:start|beginning)|till date|to date|so far)\b",
    re.IGNORECASE,
)
_FUTURE = re.compile(
    r"\b(?:will|would|shall|'ll|going to|to be|threat\w*|warn\w*|vow\w*|pledg\w*|promis\w*|swear|swore|sworn|"
    r"unless|or else|if)\b",
    re.IGNORECASE,
)
_QUOTE = re.compile(r"[\"“”]")


def words(text: str) -> list[str]:
    """Lower-cased word tokens (numbers kept as one token each)."""
    return _WORD.findall(text.lower())


def context_features(text: str, sentence: tuple[int, int], evidence: tuple[int, int], *,
                     window: int = 5) -> Features:
    """The features every built-in decision shares, for a candidate whose evidence is ``text[evidence]``
    inside the sentence ``text[sentence]``: the sentence's words, the words just left and right of the
    evidence, the evidence's own words, cues (future or conditional, negated, hedged, years, quotes) and what
    the sentence's words mean (``vec:<word>``, see :mod:`monitor.text.vectors`)."""
    s0, s1 = sentence
    e0, e1 = max(evidence[0], s0), min(evidence[1], s1)
    sent = text[s0:s1]
    s_keys, future, year, period, quote, length, meaning = _sentence_cues(sent)
    feats: Features = dict.fromkeys(s_keys, 1.0)
    feats.update(meaning)
    for w in words(text[e0:e1]):
        feats["e:" + w] = 1.0
    for w in words(text[s0:e0])[-window:]:
        feats["l:" + w] = 1.0
    for w in words(text[e1:s1])[:window]:
        feats["r:" + w] = 1.0
    rel = e0 - s0
    if future:
        feats["cue:future"] = 1.0
    if is_negated(sent, rel, 60):
        feats["cue:negated"] = 1.0
    if is_hypothetical(sent, rel, 60):
        feats["cue:hedged"] = 1.0
    if year:
        feats["cue:year"] = 1.0
    if period:
        feats["cue:period"] = 1.0
    if quote:
        feats["cue:quote"] = 1.0
    feats[length] = 1.0
    return feats


@lru_cache(maxsize=256)
def _sentence_cues(sent: str) -> tuple[tuple[str, ...], bool, bool, bool, bool, str, dict[str, float]]:
    """What :func:`context_features` reads from the sentence alone, once per sentence: every candidate of a
    sentence, in every detector, asked the same case-insensitive regexes again. The words keep the order the
    set gave them (the same set, built the same way, iterates in the same order), so the features do too."""
    ws = words(sent)
    return (tuple("s:" + w for w in set(ws)), _FUTURE.search(sent) is not None,
            _YEAR.search(sent) is not None, _SPAN_OF_YEARS.search(sent) is not None,
            _QUOTE.search(sent) is not None,
            "len:" + ("short" if len(sent) < 80 else "mid" if len(sent) < 250 else "long"),
            vectors.sentence_features(ws))


def background_cues(text: str) -> bool:
    """True when a sentence speaks of a period or history rather than an incident ("since 1990", "this year")."""
    return _SPAN_OF_YEARS.search(text) is not None


@dataclass(frozen=True)
class Decision:
    """A calibrated logistic model over sparse features (see the module docstring for the file format)."""

    detector: str
    weights: Mapping[str, float]
    bias: float = 0.0
    a: float = 1.0
    b: float = 0.0
    threshold: float = 0.5
    info: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Decision:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != 1:
            raise ValueError(f"{path}: unknown model format {data.get('format')!r}")
        cal = data.get("calibration") or {}
        if any(str(k).startswith(vectors.WORD) for k in data["weights"]):
            vectors.warm()
        return cls(
            detector=str(data["detector"]),
            # Interned: the three models' 30,000 ``vec:`` words share one string each.
            weights={sys.intern(str(k)): float(v) for k, v in data["weights"].items()},
            bias=float(data.get("bias", 0.0)),
            a=float(cal.get("a", 1.0)),
            b=float(cal.get("b", 0.0)),
            threshold=float(data.get("threshold", 0.5)),
            info={k: data[k] for k in ("trained_on", "metrics") if k in data},
        )

    def margin(self, features: Mapping[str, float]) -> float:
        # The same products summed in the same order as ``sum(w.get(k, 0.0) * v for k, v in ...)``, looped in C
        # (a third of the time; every candidate of every article goes through here, some twice).
        return self.bias + sum(map(mul, map(self.weights.get, features.keys(), repeat(0.0)), features.values()))

    def probability(self, features: Mapping[str, float]) -> float:
        """The calibrated probability that the candidate is a true finding."""
        z = self.a * self.margin(features) + self.b
        if z < -30:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z)) if z < 30 else 1.0

    def accepts(self, probability: float) -> bool:
        return probability >= self.threshold

    def decide(self, features: Mapping[str, float]) -> tuple[bool, float, list[str]]:
        """Whether the candidate is kept, its calibrated probability, and why (see :meth:`explain`; only for a
        kept candidate, since most are not)."""
        p = self.probability(features)
        kept = self.accepts(p)
        return kept, p, self.explain(features) if kept else []

    def explain(self, features: Mapping[str, float], k: int = 4) -> list[str]:
        """The ``k`` features that pushed hardest either way, strongest first, as ``"+feature"``/``"-feature"``."""
        contrib = [(self.weights.get(f, 0.0) * v, f) for f, v in features.items()]
        contrib = [c for c in contrib if c[0]]
        contrib.sort(key=lambda c: -abs(c[0]))
        return [("+" if w > 0 else "-") + f for w, f in contrib[:k]]


def load_decision(path: Path) -> Decision | None:
    """The model at ``path``, or None when there is no such file (the detector then keeps its rules). A file read
    before and unchanged since (same inode, size, modification and change times) is not read again: the
    detectors a reload builds share one copy of their 30,000-odd weights."""
    try:
        st = path.stat()
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return _load(path.resolve(), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


@lru_cache(maxsize=16)
def _load(path: Path, inode: int, size: int, mtime_ns: int, ctime_ns: int) -> Decision:
    return Decision.load(path)


def tags(*items: Iterable[str] | str) -> Features:
    """Rule tags as features: ``tags("rule:subject", ["cat:killed"])`` → ``{"rule:subject": 1.0, ...}``."""
    out: Features = {}
    for item in items:
        for t in [item] if isinstance(item, str) else item:
            out[t] = 1.0
    return out
