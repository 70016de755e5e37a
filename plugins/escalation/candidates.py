"""The rules that propose escalation candidates: the sentences with a listed phrase, a speech act and a violent
action, a raised alert, announced force, a chant, a declared war or a threat named outright — each with its
category (the gravest cue found) and the spans of its cues."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from monitor.text import PhraseMatcher, is_link_line, lower_same_length, split_sentences

from .cues import (
    _ALERT,
    _ANNOUNCED,
    _CALL_CUE,
    _CHANT,
    _SPEECH_ACT,
    _THREAT_WORD,
    _TRIGGER_STARTS,
    _ULTIMATUM_CUE,
    _VIOLENT,
    _WAR_DECLARED,
)
from .features import sentence_features
from .phrases import CALL, HOSTILE, INTENSITY, MOBILIZATION, THREAT, ULTIMATUM, WAR


@dataclass(frozen=True)
class Candidate:
    """A sentence the rules propose, with the cues that made them propose it."""

    start: int
    end: int
    category: str
    cues: tuple[tuple[int, int], ...]
    phrases: tuple[str, ...]
    features: dict[str, float]


def find_candidates(text: str, matcher: PhraseMatcher, extra: set[str]) -> list[Candidate]:
    """Every sentence the rules propose, with its features (the learned decision's input). ``matcher`` finds the
    listed phrases and the user's; ``extra`` holds the user's, lower-cased."""
    lowered = lower_same_length(text)
    matches = matcher.longest(text, lowered)
    out: list[Candidate] = []
    j = 0
    # One pass over the article finds the sentences worth reading: a listed phrase, or a trigger.
    triggers = _TRIGGER_STARTS.starts(lowered)
    if not triggers and not matches:
        return out
    k = 0
    for span in split_sentences(text):
        while k < len(triggers) and triggers[k] < span.start:
            k += 1
        has_trigger = k < len(triggers) and triggers[k] < span.end
        if not has_trigger and not (j < len(matches) and matches[j].start < span.end):
            continue
        sent = text[span.start:span.end]
        ms = []
        while j < len(matches) and matches[j].start < span.end:
            if matches[j].start >= span.start:
                ms.append(matches[j])
            j += 1
        if is_link_line(text, span.start, span.end):
            continue
        acts = list(_SPEECH_ACT.finditer(sent))
        violent = list(_VIOLENT.finditer(sent))
        alert = _ALERT.search(sent) or _ANNOUNCED.search(sent)
        chant = _CHANT.search(sent)
        if not (ms or (acts and violent) or alert or chant or _WAR_DECLARED.search(sent)
                or _THREAT_WORD.search(sent)):
            continue
        out.append(_candidate(text, span.start, span.end, sent, ms, acts, violent, alert, chant, extra))
    return out

def _candidate(text: str, s0: int, s1: int, sent: str, ms: list[Any], acts: list[re.Match[str]],
               violent: list[re.Match[str]], alert: re.Match[str] | None,
               chant: re.Match[str] | None, extra_phrases: set[str]) -> Candidate:
    cues: list[tuple[int, int]] = [(m.start, m.end) for m in ms]
    if acts and violent:
        cues += [(s0 + acts[0].start(), s0 + acts[0].end()), (s0 + violent[-1].start(), s0 + violent[-1].end())]
    for extra in (alert, chant, _WAR_DECLARED.search(sent)):
        if extra:
            cues.append((s0 + extra.start(), s0 + extra.end()))
    if not cues:  # a threat named outright, with no violent verb beside it
        word = _THREAT_WORD.search(sent) or (acts[0] if acts else None)
        cues.append((s0 + word.start(), s0 + word.end()) if word else (s0, s1))
    cues = sorted(set(cues))
    if ms:
        category = max((m.value for m in ms), key=lambda c: INTENSITY.get(c, 0.5))
    elif _WAR_DECLARED.search(sent):
        category = WAR
    elif _ULTIMATUM_CUE.search(sent):
        category = ULTIMATUM
    elif alert and _ALERT.search(sent):
        category = MOBILIZATION
    elif chant:
        category = HOSTILE
    elif _CALL_CUE.search(sent):
        category = CALL
    else:
        category = THREAT
    feats = sentence_features(text, (s0, s1), sent, category, cues[0], ms, acts, violent, extra_phrases)
    return Candidate(s0, s1, category, tuple(cues), tuple(m.phrase for m in ms), feats)
