"""The features the learned decision weighs for a casualty candidate: the sentence and evidence words, the
rule that read it, and how its number stands to its words (or, for a bare harm word, who it is said of)."""

from __future__ import annotations

import re

from monitor.text.learned import context_features, tags

from ..lexicon import ANIMALS, NON_PERSON, PERSON_PLURAL, PERSON_SINGULAR
from .rules import _INJURED_TOLL, _TOLL, _Hit
from .words import _DATE_BEFORE, _NEAR_CUE, INJURED, KILLED

_NEXT_WORDS = re.compile(r"\s*(?:[-–]\s*)?([A-Za-z][\w'-]*)(?:\s+([A-Za-z][\w'-]*))?(?:\s+([A-Za-z][\w'-]*))?")


def _number_features(text: str, s0: int, s1: int, hit: _Hit) -> dict[str, float]:
    """How the number of a hit stands to its words: the noun it counts, whether the harm word follows it (a
    subject) or comes first (an object), how far apart they are, and what breaks the clause between them."""
    feats: dict[str, float] = {}
    q = hit.quantity
    if q is None:
        return feats
    nxt = _NEXT_WORDS.match(text, q.end, s1)
    words = [w.lower() for w in nxt.groups() if w] if nxt else []
    if words:
        head = words[0]
        if head in PERSON_PLURAL or head in PERSON_SINGULAR or any(w in PERSON_PLURAL for w in words[1:2]):
            feats["n:person"] = 1.0
        elif head in ("lives", "deaths", "dead", "bodies", "fatalities", "casualties", "injured", "wounded"):
            feats["n:harm_noun"] = 1.0
        elif head in NON_PERSON or head in ANIMALS:
            feats["n:thing"] = 1.0
        elif head in ("of", "among", "others", "more", "other"):
            feats["n:of"] = 1.0
    cue = _NEAR_CUE.search(text, q.end, s1)
    if cue:
        between = text[q.end:cue.start()]
        gap = len(between.split())
        feats["n:cue_after" + ("_near" if gap <= 4 else "_mid" if gap <= 10 else "_far")] = 1.0
        if re.search(r"\b(?:were|was|have been|had been|are|been)\b", between, re.IGNORECASE):
            feats["n:passive"] = 1.0
        if "," in between:
            feats["n:comma_between"] = 1.0
    before = _NEAR_CUE.search(text[max(s0, q.start - 40):q.start])
    if before:
        feats["n:cue_before"] = 1.0
    return feats


_TOKEN = re.compile(r"[A-Za-z][\w'-]*|\d[\d,.]*")


def _bare_features(text: str, s0: int, s1: int, hit: _Hit) -> dict[str, float]:
    """Who a bare harm word is said of: one person (a singular noun, a name, "him") or many (a plural, a number)."""
    feats: dict[str, float] = {}
    left = _TOKEN.findall(text[max(s0, hit.start - 80):hit.start])[-8:]
    right = _TOKEN.findall(text[hit.end:min(s1, hit.end + 40)])[:3]
    for side, toks in (("l", left), ("r", right)):
        for i, tok in enumerate(toks):
            low = tok.lower()
            if low in PERSON_SINGULAR:
                feats[f"b:{side}_singular"] = 1.0
            elif low in PERSON_PLURAL:
                feats[f"b:{side}_plural"] = 1.0
            elif low in ("a", "an", "one", "another"):
                feats[f"b:{side}_one"] = 1.0
            elif low in ("him", "her", "his", "he", "she"):
                feats[f"b:{side}_pronoun"] = 1.0
            elif low in ("they", "them", "their", "both", "all"):
                feats[f"b:{side}_they"] = 1.0
            elif tok[0].isdigit() or low in ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                                             "dozens", "several", "scores", "hundreds"):
                feats[f"b:{side}_number"] = 1.0
            elif tok[0].isupper() and (side == "r" or i > 0 or hit.start - s0 > 40):
                feats[f"b:{side}_name"] = 1.0
    return feats


def candidate_features(text: str, sentence: tuple[int, int], key: tuple[str, int | None],
                       hits: list[_Hit]) -> dict[str, float]:
    """The features of the candidate ``key`` (category, count), read where its first hit stands."""
    s0, s1 = sentence
    first = hits[0]
    q = first.quantity
    feats = context_features(text, (s0, s1), (first.start, first.end))
    value = key[1] if key[1] is not None else (q.min_count if q and q.min_count else 1)
    feats.update(tags(f"cat:{key[0]}", f"rule:{first.rule}", f"q:{q.qualifier if q else 'one'}",
                      f"size:{min(len(str(value)), 4)}", f"hits:{min(len(hits), 3)}"))
    if first.historical:
        feats["x:historical"] = 1.0
    if any(h.rule != "near" and h.rule != "bare" for h in hits):
        feats["x:rule_read"] = 1.0
    if key[1] is not None and 1900 <= key[1] <= 2099:
        feats["x:yearlike"] = 1.0
    if _DATE_BEFORE.search(text[max(s0, first.start - 12):first.start]):
        feats["x:date_before"] = 1.0
    if s0 == 0:
        feats["x:first_sentence"] = 1.0
    toll = _TOLL if key[0] == KILLED else _INJURED_TOLL if key[0] == INJURED else None
    if q is not None and toll is not None and toll.search(text, max(s0, q.start - 120), q.start):
        feats["x:toll"] = 1.0  # the figure a toll of its own category reaches: "the death toll ... has risen to 56"
    feats.update(_number_features(text, s0, s1, first))
    if first.rule == "bare":
        feats.update(_bare_features(text, s0, s1, first))
    # The same cue means different things to different rules: let each rule weigh it on its own.
    feats.update({f"{first.rule}|{k}": v for k, v in list(feats.items())
                  if k[:2] in ("n:", "b:", "x:", "cu", "l:")})
    return feats
