"""The features the learned decision weighs for an escalation candidate: the sentence's words, the phrases and
cues found, where the speech act, modal and violent action stand (``x:*``, ``a2:*``, ``vo:*``) and the threat's
structure at clause level (``k:*``)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from monitor.text.learned import context_features, tags

from .cues import (
    _ALERT,
    _ANNOUNCED,
    _ARMED_ACTOR,
    _CHANT,
    _DEESCALATE,
    _EXERCISE,
    _MODAL,
    _NONVIOLENT,
    _PAST_EVENT,
    _PRIVATE,
    _WAR_DECLARED,
)

#: Quotation marks read as spaces by the structure readings (same length, so match offsets hold): a reported
#: threat is often quoted word for word ("warned he would “totally destroy” North Korea", "would ‘crush’ any
#: attack"), and the mark must not hide the future before the violent word. An apostrophe between letters
#: ("Iran’s", "don't") stays: it is part of a word.
_UNQUOTE = str.maketrans({c: " " for c in "“”\"«»„‘"})
_SINGLE_QUOTE = re.compile(r"(?<![^\W\d_])['’]|['’](?![^\W\d_])")


@lru_cache(maxsize=64)
def _unquote(sent: str) -> str:
    """The sentence with its quotation marks blanked (same length); :func:`_structure` and :func:`_clause` read
    the same sentence, so it is made once."""
    return _SINGLE_QUOTE.sub(" ", sent.translate(_UNQUOTE))


def _structure(sent: str, acts: list[re.Match[str]], violent: list[re.Match[str]]) -> dict[str, float]:
    """Where the speech act, the modal and the violent action stand relative to each other."""
    sent = _unquote(sent)
    feats: dict[str, float] = {}
    if acts:
        feats["x:act"] = 1.0
    if violent:
        feats["x:violent"] = 1.0
    for v in violent:
        before = sent[max(0, v.start() - 40):v.start()]
        if _MODAL.search(before):
            feats["x:modal_violent"] = 1.0
        if any(a.end() <= v.start() and v.start() - a.end() < 80 for a in acts):
            feats["x:act_then_violent"] = 1.0
        if re.search(r"\b(?:ed|was|were|had|has)\s+$", before) or re.match(r"\w+ed\b", v.group()):
            feats["x:past_violent"] = 1.0
    for a in acts[:3]:
        nxt = _NEXT_WORDS.match(sent, a.end())
        feats["a2:" + a.group().lower() + (" " + nxt.group(1).lower() if nxt else "")] = 1.0
    for v in violent[:4]:
        nxt = _NEXT_WORDS.match(sent, v.end())
        if nxt:
            feats["vo:" + v.group().lower() + " " + nxt.group(1).lower()] = 1.0
    for flag, pattern in _READINGS:
        if pattern.search(sent):
            feats["x:" + flag] = 1.0
    if acts and _ARMED_ACTOR.search(sent[:acts[0].start()]):
        feats["x:armed_speaker"] = 1.0
    return feats


_NEXT_WORDS = re.compile(r"\s+(?:(?:the|a|an|to|of|on|that|its|their|his|her)\s+)?([\w'-]+)")
#: Readings that look like escalation and are not: a threat reported as received, a political "struggle for
#: peace", a speaker's resolve to keep going, retaliation that already happened.
_READINGS = [
    ("threat_received", re.compile(r"\b(?:received|receiving|receive|faced?|facing|under|death|anonymous|"
                                   r"security|terror|potential|perceived)\s+(?:\w+\s+)?threats?\b|"
                                   r"\bthreats?\s+(?:from|against|to|of|by)\b", re.I)),
    ("struggle_for", re.compile(r"\b(?:struggle|fight\w*|battle)\s+(?:for|against)\s+(?:\w+\s+){0,2}?"
                                r"(?:peace|democracy|justice|rights|freedom|independence|poverty|corruption|"
                                r"drugs?|crime|impunity|reforms?|liberation|sovereignty)\b", re.I)),
    ("resolve", re.compile(r"\b(?:continue|keep|go on)\s+(?:to\s+)?(?:fight\w*|struggl\w*|battl\w*|resist\w*)\b",
                           re.I)),
    ("past_act", re.compile(r"\b(?:attacked|struck|killed|bombed|shelled|fired|launched|carried out|"
                            r"retaliated|responded|stormed|seized)\b", re.I)),
    ("said_that", re.compile(r"\b(?:said|says|reported|according to|claimed)\b", re.I)),
    ("conditional", re.compile(r"\b(?:if|unless|should|in case|or else)\b", re.I)),
    ("first_person", re.compile(r"\b(?:we|our|us|i)\b", re.I)),
]


#: Where a clause ends: a threat's complement does not reach across these ("warned, after troops attacked, ...").
_BOUNDARY = re.compile(r"[;:!?]|\.\s|\b(?:but|while|after|although|though|whereas|because|since|when|before|"
                       r"despite|following)\b|,\s*(?:which|who|where|as|and|saying|adding)\b", re.IGNORECASE)
#: A finite past between the act and the violent word makes the violence a reported event, not the complement.
_PAST_GAP = re.compile(r"\b(?:was|were|had|did)\b", re.IGNORECASE)
_BEFORE_FUTURE = re.compile(r"\b(?:will|would|shall|'ll|going to|could|might|may|must|can)\s+(?:\w+ly\s+|not\s+|"
                            r"be\s+)?$", re.IGNORECASE)
_BEFORE_INFINITIVE = re.compile(r"\bto\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_BEFORE_PAST = re.compile(r"\b(?:was|were|had|has|have|been|did)\s+(?:\w+\s+)?$", re.IGNORECASE)
_BEFORE_NOUN = re.compile(r"\b(?:a|an|the|more|any|new|further|its|their|of|similar|such)\s+(?:\w+\s+)?$",
                          re.IGNORECASE)
#: Who speaks, read in the act's own clause: a state, an armed group (or its communiqué), a private person, "we".
_STATE_SPEAKER = re.compile(r"\b(?:government|minister|president|ministry|army|military|forces|troops|command\w*|"
                            r"general|officials?|spokes\w+|state|country|nation|regime|navy|air force|pentagon|"
                            r"kremlin|prime|administration|defen[cs]e|leader|chief|authorities|police|king|"
                            r"parliament)\b", re.IGNORECASE)
_ARMED_SPEAKER = re.compile(r"\b(?:rebels?|guerrillas?|militants?|insurgents?|maoists?|taliban|jihadists?|group|"
                            r"front|movement|cartels?|fighters|terrorists?|militias?|separatists?|extremists?|"
                            r"organi[sz]ation|outfit|communique|statement|leaflets?|pamphlets?|posters?)\b",
                            re.IGNORECASE)
_PRIVATE_SPEAKER = re.compile(r"\b(?:man|woman|husband|wife|boyfriend|girlfriend|neighbou?r|student|teacher|caller|"
                              r"gunmen|kidnappers|extortionists|blackmailers|robbers|thieves|accused|suspect|he|she|"
                              r"customer|employee|boss|father|mother|son|daughter)\b", re.IGNORECASE)
_WE = re.compile(r"\b(?:we|i|us|our)\b", re.IGNORECASE)
_IF_THEN = re.compile(r"\b(?:if|unless|or else|or face|otherwise)\b", re.IGNORECASE)
_WILL = re.compile(r"\b(?:will|would|shall|'ll)\b", re.IGNORECASE)
#: A future that governs the violent word within its clause: "would burn", "will begin a ground assault".
_FUTURE_OF = re.compile(r"\b(?:will|would|shall|'ll|going to)\s+(?:not\s+)?(?:\w+\s+){0,3}?$", re.IGNORECASE)
_TOKEN = re.compile(r"[\w']+")
_STRUCK_OBJECT = re.compile(r"\s+(?:the|a|an|its|their|his|her|our|us|them|him|any|every|targets?|positions?|"
                            r"bases?|\w+'s)\b", re.IGNORECASE)


def _verb_form(sent: str, v: re.Match[str]) -> str:
    """The violent word's tense by the words before it: "would strike" future, "to strike" infinitive, "was
    attacked"/"attacked" past, "attacking", "an attack" a noun, else bare."""
    before = sent[max(0, v.start() - 30):v.start()]
    word = v.group().lower()
    if _BEFORE_FUTURE.search(before):
        return "fut"
    if _BEFORE_INFINITIVE.search(before):
        return "inf"
    if _BEFORE_PAST.search(before) or (word.endswith("ed") and not _BEFORE_NOUN.search(before)):
        return "past"
    if word.endswith("ing"):
        return "ing"
    return "noun" if _BEFORE_NOUN.search(before) else "bare"


def _clause(sent: str, acts: list[re.Match[str]], violent: list[re.Match[str]]) -> dict[str, float]:
    """The threat's structure at clause level: whether a violent word is the complement of a speech act (after
    it, within 15 words, with no clause boundary or finite past between), that word's tense, the words between,
    who speaks, whether the act's complement is a non-violent one (strike, sanctions, a lawsuit), a violent word
    under a future in its own clause (with or without a speech act), an if/unless with a future, and a question."""
    sent = _unquote(sent)
    feats: dict[str, float] = {}
    link: tuple[re.Match[str], re.Match[str]] | None = None
    for a in acts[:3]:
        for v in violent:
            if v.start() < a.end():
                continue
            gap = sent[a.end():v.start()]
            if len(_TOKEN.findall(gap)) <= 15 and not _BOUNDARY.search(gap) and not _PAST_GAP.search(gap):
                link = (a, v)
            break
        if link:
            break
    if link:
        n = len(_TOKEN.findall(sent[link[0].end():link[1].start()]))
        feats["k:link"] = 1.0
        feats["k:comp=" + _verb_form(sent, link[1])] = 1.0
        feats["k:dist=" + ("0" if n == 0 else "1-2" if n <= 2 else "3-6" if n <= 6 else "7+")] = 1.0
    else:
        feats["k:nolink"] = 1.0
        if violent:
            feats["k:vform=" + _verb_form(sent, violent[0])] = 1.0
    act = link[0] if link else (acts[0] if acts else None)
    if act is not None:
        before = sent[max(0, act.start() - 80):act.start()]
        cut = list(_BOUNDARY.finditer(before))
        if cut:
            before = before[cut[-1].end():]
        speaker = ("state" if _STATE_SPEAKER.search(before) else "armed" if _ARMED_SPEAKER.search(before) else
                   "private" if _PRIVATE_SPEAKER.search(before) else "we" if _WE.search(before) else "none")
        feats["k:spk=" + speaker] = 1.0
    for a in acts[:3]:
        after = sent[a.end():a.end() + 80]
        m = _NONVIOLENT.search(after)
        if m and m.group().lower().startswith("strike") and _STRUCK_OBJECT.match(after, m.end()):
            m = None  # "would strike the border posts" strikes something: not a labour strike
        if (m and len(_TOKEN.findall(after[:m.start()])) <= 8 and not _BOUNDARY.search(after[:m.start()])
                and not any(a.end() <= v.start() < a.end() + m.start() for v in violent)):
            feats["k:comp_nonviolent"] = 1.0
    for v in violent:
        before = sent[max(0, v.start() - 40):v.start()]
        m = _FUTURE_OF.search(before)
        if m and not _BOUNDARY.search(before[m.start():]):
            feats["k:fut_violent"] = 1.0
            break
    if _IF_THEN.search(sent) and _WILL.search(sent):
        feats["k:cond_future"] = 1.0
    if "?" in sent:
        feats["k:question"] = 1.0
    return feats


def sentence_features(text: str, sentence: tuple[int, int], sent: str, category: str, lead: tuple[int, int],
                      ms: list[Any], acts: list[re.Match[str]], violent: list[re.Match[str]],
                      extra_phrases: set[str]) -> dict[str, float]:
    """The features of a candidate sentence ``sent`` (at ``sentence`` in ``text``) of ``category``, its first cue
    at ``lead``, with the listed phrases ``ms``, speech acts and violent words found in it."""
    s0, s1 = sentence
    feats = context_features(text, (s0, s1), lead)
    feats.update(tags(f"cat:{category}", [f"phrase:{m.phrase.lower()}" for m in ms]))
    feats.update(_structure(sent, acts, violent))
    for flag, pattern in (("announced", _ANNOUNCED),
                          ("nonviolent", _NONVIOLENT), ("exercise", _EXERCISE), ("deescalate", _DEESCALATE),
                          ("past_event", _PAST_EVENT), ("private", _PRIVATE), ("alert", _ALERT),
                          ("chant", _CHANT), ("war_declared", _WAR_DECLARED)):
        if pattern.search(sent):
            feats["x:" + flag] = 1.0
    # Each category weighs its cues on its own (a future tense means more for a threat than for an alert).
    feats.update({f"{category}|{k}": v for k, v in list(feats.items()) if k[:2] in ("x:", "cu")})
    # The clause's structure is weighed alike in every category (crossing it with the category did not help).
    feats.update(_clause(sent, acts, violent))
    if any(m.phrase.lower() in extra_phrases for m in ms):
        feats["x:user_phrase"] = 1.0
    feats.update(_stemmed(feats))
    return feats


#: Endings stripped from a cue word so that its forms share a weight, longest first; a stem keeps four letters.
_ENDINGS = ("ening", "ened", "ens", "ing", "ed", "es", "s")


def _stem(word: str) -> str:
    """``threatens``, ``threatened``, ``threatening`` -> ``threat``; ``warns``, ``warned`` -> ``warn``."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[:-len(ending)]
    return word


def _stemmed(feats: dict[str, float]) -> dict[str, float]:
    """A copy of the cue word's features (``e:``, ``a2:``, ``phrase:``) under its stem (``e:~threat``,
    ``a2:~threat to``): a headline's "Russia threatens to ..." is the wire's "Russia threatened to ...", and the
    few hundred labelled threats teach each form only where they used it (out of fold, five splits, escalation
    0.523 -> 0.535, every split up; folds holding out whole sources 0.424 -> 0.440)."""
    out: dict[str, float] = {}
    for key, value in feats.items():
        prefix, _, words = key.partition(":")
        if (prefix == "e" and " " not in words) or prefix in ("a2", "phrase"):
            first, _, rest = words.partition(" ")
            stem = f"{prefix}:~{_stem(first)}" + (f" {rest}" if rest else "")
            out[stem] = max(out.get(stem, 0.0), value)
    return out
