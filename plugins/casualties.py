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

import math
import re
from bisect import bisect_left
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from monitor_plugins.lexicon import ANIMALS, NON_PERSON, PERSON_PLURAL, PERSON_SINGULAR
from pydantic import Field

from monitor import Article, DetectorOptions, Evidence, Finding, Severity, hookimpl
from monitor.hookspecs import RegisterDetector
from monitor.text import (
    LiteralStarts,
    Quantity,
    Span,
    find_quantities,
    is_historical,
    is_hypothetical,
    is_negated,
    lower_same_length,
    split_sentences,
    trie_pattern,
)
from monitor.text.learned import context_features, load_decision, tags

KILLED, INJURED, MISSING = "killed", "injured", "missing"
MODELS = Path(__file__).resolve().parent / "models"

_ACTIVE = {
    KILLED: r"kill(?:s|ed|ing)?|slaying|slew|massacr(?:ed|ing)|claim(?:ed|ing) the lives of|lynch(?:es|ed|ing)|"
    r"assassinat(?:ed|ing)|murder(?:ed|ing)|"
    r"shot dead|shooting dead|gunn(?:ed|ing) down|left dead|execut(?:ed|ing)|behead(?:ed|ing)|"
    r"(?:murder|killing|killings|massacre|slaughter|deaths?|execution|beheading|assassination)s? of(?: the)?",
    INJURED: r"wound(?:s|ed|ing)?|injur(?:es|ed|ing)|hurting|maim(?:ed|ing)",
    MISSING: r"disappearances? of(?: the)?",
}
_PREDICATE = {
    KILLED: r"killed|dead|died|die|dies|perished|shot dead|shot and killed|slain|lost their lives|"
    r"succumbed(?: to (?:their|his|her) (?:injuries|wounds))?|fatalities|deaths|bodies were (?:found|recovered)|"
    r"were found dead|confirmed dead|gunned down|massacred|executed|beheaded|lynched|drowned|burned to death|"
    r"crushed to death|assassinated|murdered|martyred|fell in combat|fallen in combat|"
    r"(?:shot|stabbed|beaten|hacked|bludgeoned|clubbed|tortured|burnt|hanged) to death|(?:burnt|burned) alive",
    INJURED: r"injured|wounded|hurt|hospitali[sz]ed|(?:being |were |was )?treated(?: for [\w\s]{0,30})?|"
    r"(?:taken|rushed|admitted|delivered|brought|airlifted) to (?:a |the )?(?:[\w-]+ )?hospitals?|"
    r"received (?:medical )?treatment|sustained (?:serious |minor |critical )?injuries|"
    r"suffered (?:serious |minor |critical )?injuries|injuries|casualties were treated|suffocated|"
    r"suffered (?:from )?(?:\w+ )?(?:burns|wounds|suffocation|respiratory problems|breathing difficulties)|"
    r"complained of (?:\w+ )?(?:respiratory problems|breathing difficulties|suffocation)",
    MISSING: r"missing|unaccounted for|still missing|remain missing|reported missing|left missing",
}
_COORD_ACTIVE = re.compile(
    rf"\b(?:{_ACTIVE[KILLED]})\s+(?:and|or)\s+(?:{_ACTIVE[INJURED]})\s*$|"
    rf"\b(?:{_ACTIVE[INJURED]})\s+(?:and|or)\s+(?:{_ACTIVE[KILLED]})\s*$",
    re.IGNORECASE,
)
_AUX = r"(?:(?:were|was|are|is|have|has|had|been|being|got|reportedly|also|all|later|each|either|already|now|" \
       r"since|subsequently|officially|confirmed|reported|feared|believed|thought|said to be|found|left|" \
       r"\w{1,20}ly)\s+)*"


def _pred_search(extra: dict[str, list[str]]) -> re.Pattern[str]:
    """Predicate verbs after a subject ("... were killed"), with the user's extra words per category."""
    groups = []
    for c, p in _PREDICATE.items():
        words = "|".join(re.escape(w) for w in extra.get(c, ()))
        groups.append(f"(?P<{c}>{p}{'|' + words if words else ''})")
    return re.compile(r"(?:(?<=\s)|(?<=^)|(?<=,))" + _AUX + "(?:" + "|".join(groups) + r")\b", re.IGNORECASE)


def _active_res(extra: dict[str, list[str]]) -> dict[str, re.Pattern[str]]:
    """Verbs before an object ("killing 14 ..."), with the user's extra words per category."""
    out = {}
    for c, p in _ACTIVE.items():
        words = "|".join(re.escape(w) for w in extra.get(c, ()))
        out[c] = re.compile(rf"\b(?:{p}{'|' + words if words else ''})\s*$", re.IGNORECASE)
    return out

_COORD_PRED = re.compile(
    rf"{_AUX}(?:killed|dead)\s+(?:and|or)\s+(?:injured|wounded)\b|{_AUX}(?:injured|wounded)\s+(?:and|or)\s+"
    rf"(?:killed|dead)\b",
    re.IGNORECASE,
)
_TOLL = re.compile(
    r"\b(?:death toll|toll|number of (?:the )?dead|number of deaths|fatalities|dead|deaths)\b[^.;:\d]{0,80}?"
    r"\b(?:to|at|of|reached|reaching|crossed|crosses|passed|passes|exceeded|exceeds|hit|hits|is|was|now|stood|"
    r"stands|surpassed|tops|topped)\s*$",
    re.IGNORECASE,
)
_INJURED_TOLL = re.compile(
    r"\bnumber of (?:the )?(?:injured|wounded|injuries)\b[^.;:\d]{0,45}?\b(?:to|at|of|reached|is|was|stood|stands)\s*$",
    re.IGNORECASE,
)
_AMONG = re.compile(
    r"\bamong the (dead|killed|victims|fatalities|injured|wounded|missing)\s+(?:were|was|are|is|included|"
    r"include)\s*$",
    re.IGNORECASE,
)
_AMONG_CATEGORY = {"dead": KILLED, "killed": KILLED, "victims": KILLED, "fatalities": KILLED,
                   "injured": INJURED, "wounded": INJURED, "missing": MISSING}
_SUBGROUP = re.compile(
    r"\b(?:including|includes|included|among them|among whom|of whom|of them|of which|the other)\s*$", re.IGNORECASE
)
_PARTITIVE_TOTAL = re.compile(r"^\s*of the (?:victims|dead|injured|wounded|casualties|deceased|fatalities)\b",
                              re.IGNORECASE)
_NOT_COUNT_AFTER = re.compile(r"^(?:-|\s*(?:%|percent\b|per cent\b|years? old\b|-year|year-old|km\b|"
                              r"kilometres\b|miles\b|times\b|a\.m\.|p\.m\.|am\b|pm\b|gmt\b|hrs\b|o'clock))",
                              re.IGNORECASE)
_NOT_COUNT_BEFORE = re.compile(r"(?:\$|€|£|¥|\bno\.|\bnumber|\baged?|\bage of|\bpage|\bin|\bsince|\bon|"
                               r"\buntil|\bby|\bfrom|\bout of|\bmagnitude(?: of)?|#|\bat)\s*$", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][\w'-]*")
_NP_BREAK = re.compile(
    r"\b(?:said|says|say|told|claimed|reported|attacked|opened|fired|hit|struck|stormed|launched|carried|"
    r"who|which|that|when|after|while|before|as|because|but|where|than|since|by|to|into|with|for)\b|[.;:!?]",
    re.IGNORECASE,
)
_SINGLE_PRED = re.compile(
    r"\b(?:a|an|one|another|the)\s+(?:[\w'-]+\s+){0,3}?(?P<noun>[a-z]+)\s+(?:of [\w\s'-]{1,40}?\s)?" + _AUX
    + r"(?P<trig>killed|shot dead|died|was killed|wounded|injured|hurt|hospitali[sz]ed|assassinated|murdered|"
    r"(?:shot|stabbed|beaten|hacked) to death|(?:sustained|suffered|received) (?:\w+ )?injur(?:y|ies))\b",
    re.IGNORECASE,
)
_SINGLE_ACTIVE = re.compile(
    r"\b(?P<trig>(?i:kill(?:s|ed|ing)|wound(?:s|ed|ing)|injur(?:es|ed|ing)|shooting dead|shot dead|lynch(?:es|ed|ing)|"
    r"assassinat(?:ed|ing)|murder(?:ed|ing)|"
    r"(?:murder|killing|death|assassination|execution|beheading) of))\s+"
    r"(?:(?:(?:a|an|one|another)\s+(?P<noun>(?:[\w'-]+\s+){0,3}[a-z]+)|(?P<named>(?:[A-Z][\w'-]+\s+){1,2}[a-z]+))\b"
    r"|(?P<pron>him|her)\b)",
)
#: Up to four words after a number that are not prepositions or conjunctions: its noun phrase's head.
_HEAD_NOUNS = re.compile(
    r"(?:\s+(?!(?:in|on|at|near|from|during|after|when|as|and|or|while|by|to|with|for|the|a|an|of|"
    r"including|who|which|that)\b)[\w'’-]+){0,4}",
    re.IGNORECASE,
)
_SELF_KILL = re.compile(
    r"\b(?:blew (?:themselves|himself|herself) up|blew up (?:themselves|himself|herself)|blow (?:themselves|himself|"
    r"herself) up|(?:killing|killed) (?:themselves|himself|herself)|exploded (?:themselves|himself|herself)|"
    r"detonated (?:their|his|her) (?:explosive )?(?:vests?|belts?)|detonated explosives|self-detonated)\b",
    re.IGNORECASE,
)
_ATTACKERS = re.compile(r"\s+(?:[\w-]+\s+){0,2}?(?:suicide bombers|bombers|militants|attackers|assailants)\b",
                        re.IGNORECASE)
_BARE_ATTACKERS = re.compile(r"(?:^|\.\s+)(?:the\s+)?(?:[\w-]+\s+)?suicide bombers\b", re.IGNORECASE)
#: Word stems and words without which a sentence cannot report a casualty figure (a cheap pre-filter).
_HARM_STEMS = (
    "kill death wound injur hurt fatal hospital lynch murder perish suffocat detonat massacr behead execut drown "
    "succumb unaccounted casualt gunn respirat breath burn crush slay slain slew blew blow dying bodies missing "
    "assassin homicid martyr disappear"
).split()
_HARM_WORDS = "dead die died dies toll shot lives treated treatment among".split()


#: Harm words by category, for the broad candidates the learned decision sorts ("near" and "bare" hits).
_NEAR_CUE = re.compile(
    r"\b(?P<killed>kill\w*|dead|died|dies|death\w*|bodies|body|lives|fatal\w*|slain|murder\w*|lynch\w*|behead\w*|"
    r"massacr\w*|perish\w*|succumb\w*|toll|hacked to death|burnt alive|burned alive|tortured to death|"
    r"assassinat\w*|execut(?:ed|ion|ions|ing)|drown\w*|homicid\w*|martyr\w*)|"
    r"(?P<injured>injur\w*|wound\w*|hurt|hospitali[sz]\w*|burn injuries|casualt\w*)|"
    r"(?P<missing>missing|unaccounted|disappearances?)\b",
    re.IGNORECASE,
)
_BARE_PREDICATE = re.compile(
    r"(?:fatally (?:stabbed|shot|wounded|injured|hit|attacked|beaten)|kill(?:ed|ing)|died|dies|dead|"
    r"slain|murdered|lynched|beheaded|executed|assassinated|drowned|perished|"
    r"succumbed|hacked to death|burnt alive|burned alive|tortured to death|shot dead|injur(?:ed|ing)|"
    r"wound(?:ed|ing)|hurt|hospitali[sz]ed|martyred|(?<=shot to )death|(?<=stabbed to )death|(?<=beaten to )death)\b",
    re.IGNORECASE,
)
#: "sustained critical injuries", "suffered bullet injuries": one person hurt, said with a noun.
_INJURY_TAKEN = re.compile(r"injur(?:y|ies|es)\b", re.IGNORECASE)
_TAKES_INJURY = re.compile(r"\b(?:sustain|suffer|receiv)(?:ed|ing|es|s)?(?:\s+[\w-]+){0,2}\s+$", re.IGNORECASE)
#: "took 14 lives", "claimed 90,000 lives", "has cost 300 lives": a toll read off its object.
_LIVES = re.compile(r"\s+(?:more |other |innocent |civilian |human )?lives\b", re.IGNORECASE)
_TOOK = re.compile(r"\b(?:took|taken|taking|takes|claimed|claiming|claims|cost|costing|costs|lost)\s+"
                   r"(?:the\s+|some\s+|at least\s+|more than\s+|nearly\s+|about\s+|over\s+)?$", re.IGNORECASE)
_ANIMALS = (r"rabbits?|hares?|deer|animals?|dogs?|cats?|birds?|chickens?|pigs?|cows?|cattle|sheep|goats?|rats?|mice|"
            r"mosquito(?:e?s)?|insects?|bugs?|fish|bears?|wol(?:f|ves)|snakes?|sharks?|whales?|elephants?|lions?|"
            r"tigers?|marmots?|squirrels?|livestock|poultry|boars?|foxes|fox")
#: A harm predicate that harms no person: idioms, animals, orders carried out, titles ("Red Dead Redemption").
_BARE_IDIOM = re.compile(rf"kill(?:ed|ing|s)?(?: and (?:ate|eaten|cooked|skinned))? (?:a |an |the |two |three |\d+ )?"
                         rf"(?:wild |stray |pet |feral |young )?(?:{_ANIMALS})\b|"
                         r"executed (?:a |an |the )?(?:search |arrest |court )?(?:warrants?|orders?|plans?|contracts?|"
                         r"trades?|strateg(?:y|ies)|transactions?|deals?|moves?|programm?e?s?|code|scripts?|commands?|"
                         r"swaps?|agreements?)\b|(?<=red )dead\b|(?<=walking )dead\b|(?<=grateful )dead\b|dead sea\b|"
                         r"kill(?:ing|ed) (?:time|the (?:mood|bill|deal|idea|story|game|lights|engine))\b|"
                         r"dead (?:end|heat|line|wood|ringer|weight|serious|set)\b|hurt (?:feelings|pride)\b",
                         re.IGNORECASE)
_DATE_BEFORE = re.compile(r"\b(?:on|since|until|by|in|of|jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|"
                          r"sep\w*|oct\w*|nov\w*|dec\w*)\.?\s*$", re.IGNORECASE)


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


@lru_cache(maxsize=64)
def _quantities(sent: str) -> tuple[Quantity, ...]:
    """The sentence's numbers, read once for the rules and the broad candidates alike."""
    return tuple(find_quantities(sent))


def _near_hits(text: str, s0: int, s1: int, taken: set[tuple[str, int | None]]) -> list[_Hit]:
    """Every number within a few words of a harm word, and one person for a harm predicate with no number:
    broad candidates the rules did not read, left to the learned decision."""
    sent = text[s0:s1]
    cues = [(m.start(), m.end(), m.lastgroup or INJURED) for m in _NEAR_CUE.finditer(sent)]
    if not cues:
        return []
    out = []
    quantities = list(_quantities(sent))
    for q in quantities:
        near = [(min(abs(q.start - ce), abs(cs - q.end)), cat, cs, ce) for cs, ce, cat in cues]
        dist, cat, cs, ce = min(near)
        if dist > 60 or (cat, q.count) in taken or is_negated(sent, min(q.start, cs)):
            continue
        taken.add((cat, q.count))
        rule = "lives" if _LIVES.match(sent, q.end) and _TOOK.search(sent, max(0, q.start - 30), q.start) else "near"
        out.append(_Hit(KILLED if rule == "lives" else cat, _shift(q, s0), q.count, s0 + min(q.start, cs),
                        s0 + max(q.end, ce), rule))
    for cs, ce, cat in cues:
        if not (_BARE_PREDICATE.match(sent, cs) or (_INJURY_TAKEN.match(sent, cs) and _TAKES_INJURY.search(
                sent, max(0, cs - 30), cs))) or is_negated(sent, cs) or _BARE_IDIOM.match(sent, cs):
            continue  # one person harmed is said by a predicate ("was shot dead"), not a noun, a denial or an idiom
        if (cat, 1) not in taken and cat != MISSING:
            taken.add((cat, 1))
            out.append(_Hit(cat, None, 1, s0 + cs, s0 + ce, "bare"))
    return out


def _harm_cues(extra: list[str]) -> LiteralStarts:
    """One pass over the lower-cased article finds every sentence worth reading."""
    words = [*_HARM_WORDS, *(w.lower() for w in extra)]
    regex = re.compile(rf"\b(?:{trie_pattern(_HARM_STEMS)}|(?:{trie_pattern(words)})\b)")
    return LiteralStarts(regex, [*_HARM_STEMS, *words])


#: People reported missing and then found: no longer missing.
_FOUND_SAFE = re.compile(r"\b(?:found|turned up|rescued|located) (?:safe|alive|unharmed|well)\b", re.IGNORECASE)
#: A figure reported only to be refuted.
_DISPUTED = re.compile(r"\b(?:rumou?rs?|were false|was false|is false|are false|fake news|hoax|unfounded|untrue|"
                       r"not true)\b", re.IGNORECASE)
#: Asides inside a subject that do not end it: a bracket, "including two women", "identified as A and B".
#: Their numbers are not the subject's own ("ten others, including five policemen, were injured").
_ASIDE = re.compile(r"\([^)]*\)|,?\s*\b(?:including|among them|among whom|identified as)\b[^,]*,?", re.IGNORECASE)
_OBJECT_AFTER = re.compile(
    r"\s+(?:at least |more than |nearly |about |around |some |up to |as many as |over )?(?:\d|a |an |the |his |her |"
    r"their |its |several|dozens|hundreds|scores|many|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"twenty|thirty|forty|fifty|people|civilians|soldiers|children|him|her|them)",
    re.IGNORECASE,
)
_AND_ONE = re.compile(r"\s+(?:[\w-]+\s+){1,3}?and\s+(?P<one>(?:a|an|one)\s+(?P<noun>(?:[\w-]+\s+){0,2}[a-z]+))\b",
                      re.IGNORECASE)
_ANOTHER = re.compile(r"\banother\s+" + _AUX + r"(?P<trig>killed|died|wounded|injured|hurt)\b", re.IGNORECASE)


_AGE_OR_DATE = re.compile(_DATE_BEFORE.pattern + r"|\(\s*$", re.IGNORECASE)
_FALLBACK_RULES = frozenset({"far", "couple", "one_noun"})


def _person_after(sent: str, end: int) -> bool:
    """A person noun within the first few words after a number ("Two Police Constables", "five members")."""
    words = [w.lower() for w in _WORD.findall(sent, end, min(len(sent), end + 60))[:4]]
    return any(w in PERSON_PLURAL or w in PERSON_SINGULAR for w in words)


_COUPLE = re.compile(r"\b(?:a|an|the)\s+(?:[\w-]+\s+)?couple\b(?!\s+of)", re.IGNORECASE)
#: One person named by a harm noun: "the murder of the judge", "the assassination of Senator Galan", "his death".
_ONE_NOUN_WORDS = ("murder", "death", "assassination", "killing", "slaying", "beheading", "execution", "lynching")
_ONE_NOUN = re.compile(
    r"\b(?P<trig>(?i:murder|death|assassination|killing|slaying|beheading|execution|lynching))\s+(?i:of)\s+"
    r"(?:(?i:a|an|the)\s+(?P<noun>(?:[\w'-]+\s+){0,3}[\w'-]+)\b|(?P<named>(?:[A-Z][\w'-]+\b\s*){1,3}))"
    r"|\b(?i:his|her)\s+(?P<trig2>(?i:death|murder|assassination|killing|slaying|beheading))\b"
    r"(?!\s+(?i:threats?|sentence|penalty|squads?|row|certificate|warrant))"
)


class CasualtyOptions(DetectorOptions):
    #: Figures below this count (or vague minimum) are dropped.
    min_count: int = Field(default=1, ge=0)
    #: Extra words or phrases meaning "killed" / "injured" (e.g. regional usage), added to the built-in lists.
    extra_killed: list[str] = Field(default_factory=list)
    extra_injured: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class _Hit:
    category: str
    quantity: Quantity | None
    count: int | None
    start: int
    end: int
    rule: str = "number"
    historical: bool = False


@dataclass(frozen=True)
class Candidate:
    """A (category, count) the rules read, every place they read it, and the features the decision weighs."""

    category: str
    count: int | None
    hits: tuple[_Hit, ...]
    features: dict[str, float]


def _category(match_text: str) -> str:
    low = match_text.lower()
    if re.search(r"kill|dead|die|slay|slew|massacr|lives|death|fatal|bodies|slain|perish|gunn|execut|behead|lynch|"
                 r"drown|murder|assassin|martyr|homicid", low):
        return KILLED
    if "missing" in low or "unaccounted" in low or "disappear" in low:
        return MISSING
    return INJURED


def _noun_phrase(after: str) -> tuple[str, list[str]]:
    """The noun phrase right after a number, up to the first verb-like or clause-breaking word."""
    stop = _NP_BREAK.search(after)
    np = after[: stop.start()] if stop else after
    paren = re.sub(r"\([^)]*\)", " ", np)
    words = [w.lower() for w in _WORD.findall(paren)]
    return np, words


def _counts_things(words: list[str]) -> bool:
    if not words:
        return False
    head = [w for w in words[:4] if w not in {"of", "the", "more", "other", "others"}]
    for w in head[:3]:
        if w in PERSON_PLURAL or w in PERSON_SINGULAR:
            return False
        if w in NON_PERSON or w in ANIMALS:
            return True
    return False


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
        self._pred = _pred_search(extra)
        self._cue = _harm_cues([*options.extra_killed, *options.extra_injured])
        self._active = _active_res(extra)
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
        for span in split_sentences(text):
            i = bisect_left(cues, span.start)
            if i == len(cues) or cues[i] >= span.end:
                continue
            hits = list(self._sentence_hits(text, span.start, span.end))
            hits += _near_hits(text, span.start, span.end, {(h.category, h.count) for h in hits})
            for hit in hits:
                key = (hit.category, hit.count)
                seen.setdefault(key, []).append(hit)
                sentences.setdefault(key, (span.start, span.end))
            fallback += [(h, span) for h in self._fallback_hits(text, span.start, span.end, seen)]
        # The widest readings only where nothing else read the pair: they add new candidates and leave the
        # features of the others as they were.
        for hit, span in fallback:
            key = (hit.category, hit.count)
            if key not in seen or seen[key][0].rule in _FALLBACK_RULES:
                seen.setdefault(key, []).append(hit)
                sentences.setdefault(key, (span.start, span.end))
        out = []
        for key, hits in seen.items():
            s0, s1 = sentences[key]
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
            feats.update(_number_features(text, s0, s1, first))
            if first.rule == "bare":
                feats.update(_bare_features(text, s0, s1, first))
            # The same cue means different things to different rules: let each rule weigh it on its own.
            feats.update({f"{first.rule}|{k}": v for k, v in list(feats.items())
                          if k[:2] in ("n:", "b:", "x:", "cu", "l:")})
            out.append(Candidate(key[0], key[1], tuple(hits), feats))
        return out

    def detect(self, article: Article) -> Iterable[Finding]:
        text = article.text
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
            # History and long-run statistics: the rules' own reading, or the learned one.
            background = c.hits[0].historical or (
                self.background.probability(c.features) >= max(self.background.threshold, 0.5)
                if self.background is not None
                else "cue:period" in c.features)
            finding = self._finding(text, c.category, c.count, list(c.hits), p, background, why)
            if finding is not None:
                yield finding

    def _finding(self, text: str, category: str, count: int | None, hits: list[_Hit], p: float | None,
                 background: bool, why: list[str]) -> Finding | None:
        first = hits[0]
        q = first.quantity
        value = count if count is not None else (q.min_count if q and q.min_count else 1)
        if value < self.options.min_count:
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
            detector=self.name,
            severity=severity,
            score=round(p, 3) if p is not None else score_for(category, value),
            summary=summary[0].upper() + summary[1:],
            evidence=evidence,
            attributes=attributes,
        )

    # -- one sentence -------------------------------------------------------------------------------

    def _fallback_hits(self, text: str, s0: int, s1: int, seen: Container[tuple[str, int | None]]) -> Iterator[_Hit]:
        """Readings too wide for the rules, each for a family the rules miss: a subject far from its predicate
        ("Two members of the ... faction, identified as A and B, were killed"), "a couple", one person named by
        a noun ("the murder of the judge", "his death"). Pairs already read (``seen``) are not looked for again.
        Harm with no figure ("the killings", "those killed") was tried and left out: one in four was labelled, and
        out-of-fold F1 fell."""
        sent = text[s0:s1]
        if _DISPUTED.search(sent):
            return
        for q in _quantities(sent):
            if q.count is None or all((c, q.count) in seen for c in _PREDICATE) or not _person_after(sent, q.end):
                continue
            m = self._pred.search(sent, q.end, min(len(sent), q.end + 300))
            if m is None or ";" in sent[q.end:m.start()]:
                continue
            before = sent[max(0, q.start - 120):q.start]
            if _AGE_OR_DATE.search(before) or sent[q.end:q.end + 2].strip().startswith(")") or any(
                    rx.search(before) for rx in self._active.values()):
                continue  # an age "(15)", a date, or the object of a verb before it ("killed ten people")
            if self._not_a_head_count(q, sent[:q.start], sent[q.end:]):
                continue
            if _OBJECT_AFTER.match(sent, m.end()) and not re.search(r"\b(?:were|was|been|are|is)\b", m.group(), re.I):
                continue  # "... wounded 48 others": a verb with its own object, not this number's predicate
            if self._denied(sent, q.start) or is_hypothetical(sent, m.start()):
                continue
            cat = next(c for c in _PREDICATE if m.group(c))
            yield _Hit(cat, _shift(q, s0), q.count, s0 + q.start, s0 + m.end(), "far")
        low = sent.lower()
        for rx, rule in ((_COUPLE, "couple"), (_ONE_NOUN, "one_noun")):
            if "couple" not in low if rule == "couple" else (KILLED, 1) in seen or not any(
                    w in low for w in _ONE_NOUN_WORDS):
                continue
            for m in rx.finditer(sent):
                groups = m.groupdict()
                if groups.get("noun") and not _names_one_person(groups["noun"]):
                    continue
                trig = groups.get("trig") or groups.get("trig2")
                if rule == "couple":
                    cue = _NEAR_CUE.search(sent, max(0, m.start() - 60), m.end() + 60)
                    trig = cue.group() if cue else None
                if trig is None or self._denied(sent, m.start()) or is_hypothetical(sent, m.start()):
                    continue
                cat = _category(trig)
                count = 2 if rule == "couple" else 1
                yield _Hit(cat, None, count, s0 + m.start(), s0 + m.end(), rule)

    def _sentence_hits(self, text: str, s0: int, s1: int) -> Iterator[_Hit]:
        sent = text[s0:s1]
        if _DISPUTED.search(sent):
            return
        found_safe = _FOUND_SAFE.search(sent)
        for hit in self._hits_in(sent, s0):
            if hit.category == MISSING and found_safe and found_safe.start() > hit.start - s0:
                continue
            if is_historical(sent, hit.start - s0, hit.end - s0):
                hit = replace(hit, historical=True)
            yield hit

    def _hits_in(self, sent: str, s0: int) -> Iterator[_Hit]:
        quantities = list(_quantities(sent))
        pending: dict[int, set[str]] = {}
        for i, q in enumerate(quantities):
            before = sent[: q.start]
            after = sent[q.end:]
            if self._not_a_head_count(q, before, after):
                continue
            cats = self._categories(q, before, after, quantities[i + 1:], sent)
            if cats and self._denied(sent, q.start):
                continue
            for cat in cats:
                pending.setdefault(i, set()).add(cat)
        # "two members and five soldiers (were) killed": the predicate reaches back over "and".
        for i in sorted(pending, reverse=True):
            if i == 0:
                break
            prev = quantities[i - 1]
            if i - 1 not in pending and re.fullmatch(r"[\s\w()'-]{0,50}?\band\s+", sent[prev.end:quantities[i].start]):
                gap_words = [w.lower() for w in _WORD.findall(sent[prev.end:quantities[i].start])]
                if not self._not_a_head_count(prev, sent[: prev.start], sent[prev.end:]) and not _counts_things(
                    gap_words
                ) and not self._denied(sent, prev.start) and self._is_subject(i, quantities, sent, pending[i]):
                    pending[i - 1] = set(pending[i])
        for i, cats in sorted(pending.items()):
            q = quantities[i]
            start, end = self._evidence(sent, q)
            for cat in sorted(cats):
                yield _Hit(cat, _shift(q, s0), q.count, s0 + start, s0 + end)
            # "four children and a police officer": a single person added to the figure counts on its own.
            limit = quantities[i + 1].start if i + 1 < len(quantities) else len(sent)
            extra = _AND_ONE.match(sent, q.end, limit)
            if extra and _names_one_person(extra.group("noun")):
                for cat in sorted(cats):
                    yield _Hit(cat, None, 1, s0 + extra.start("one"), s0 + extra.end(), "and_one")
        yield from self._single_people(sent, s0, [(q.start, q.end) for q in quantities])
        yield from self._self_inflicted(sent, s0, quantities)

    def _self_inflicted(self, sent: str, s0: int, quantities: list[Quantity]) -> Iterator[_Hit]:
        """Attackers who die by their own act: "two suicide bombers blew themselves up" -> 2 killed."""
        act = _SELF_KILL.search(sent)
        if act is None or self._denied(sent, act.start()):
            return
        for q in quantities:
            if q.end <= act.start() and _ATTACKERS.match(sent, q.end):
                yield _Hit(KILLED, _shift(q, s0), q.count, s0 + q.start, s0 + act.end(), "self")
                return
        bare = _BARE_ATTACKERS.search(sent, 0, act.start())
        if bare:
            yield _Hit(KILLED, None, None, s0 + bare.start(), s0 + act.end(), "self")

    def _is_subject(self, i: int, quantities: list[Quantity], sent: str, cats: set[str]) -> bool:
        """True when quantity ``i`` got its category from a predicate after it (not from a verb before it)."""
        q = quantities[i]
        before = sent[: q.start]
        return not any(r.search(before) for r in self._active.values())

    def _not_a_head_count(self, q: Quantity, before: str, after: str) -> bool:
        if _NOT_COUNT_AFTER.match(after):
            return True
        if q.qualifier == "exact" and q.count is not None and _NOT_COUNT_BEFORE.search(before):
            return True
        if _SUBGROUP.search(before[-40:]):
            return True
        if _PARTITIVE_TOTAL.match(after):
            return True
        _, words = _noun_phrase(after[:80])
        if _counts_things(words):
            return True
        # A bare year ("in 2019", "2,004"): four digits in the calendar range with no person noun after it.
        return bool(
            q.count is not None and 1900 <= q.count <= 2100 and q.qualifier == "exact"
            and re.fullmatch(r"\d{4}", q.text)
        )

    def _categories(self, q: Quantity, before: str, after: str, later: list[Quantity], sent: str) -> set[str]:
        tail = before[-120:]
        cats: set[str] = set()
        coord = _COORD_ACTIVE.search(tail)
        if coord:
            return {KILLED, INJURED}
        for cat, rx in self._active.items():
            m = rx.search(tail)
            if m and not is_hypothetical(sent, len(before) - len(tail) + m.start()):
                cats.add(cat)
        if _TOLL.search(tail):
            cats.add(KILLED)
        if _INJURED_TOLL.search(tail):
            cats.add(INJURED)
        among = _AMONG.search(tail)
        if among:
            cats.add(_AMONG_CATEGORY[among.group(1).lower()])
        if cats:
            return cats
        # Subject + predicate: the number, its noun phrase, then the verb.
        window = after[:250]
        asides = [a.span() for a in _ASIDE.finditer(window)] if "(" in window or "," in window else []
        for lq in later:
            at = lq.start - q.end
            if not any(a0 <= at < a1 for a0, a1 in asides):
                window = window[:at]
                break
        m = self._pred.search(window)
        if m is None or is_hypothetical(window, m.start()):
            return set()
        np = window[: m.start()]
        # A predicate used actively ("two bombers killed at least 10 people") makes the number the attackers.
        if _OBJECT_AFTER.match(after, m.end()) and not re.search(r"\b(?:were|was|been|are|is)\b", m.group(), re.I):
            return set()
        core = _ASIDE.sub(" ", np)
        if _NP_BREAK.search(core):
            return set()
        raw = _WORD.findall(core)
        words = [w.lower() for w in raw]
        if len(words) > 8 or (np and not np[:1].isspace() and not np.startswith(",")):
            return set()
        if _COORD_PRED.match(window, m.start()):
            cats = {KILLED, INJURED}
        else:
            cats = {next(c for c in _PREDICATE if m.group(c))}
        if words and not _has_person(words) and not _generic_np(words) and not _demonym(raw):
            return set()
        return cats

    def _denied(self, sent: str, pos: int) -> bool:
        return is_negated(sent, pos) or is_hypothetical(sent, pos)

    def _evidence(self, sent: str, q: Quantity) -> tuple[int, int]:
        """The words that give the figure its meaning: "killing at least 14 people", "the death toll rose to
        87", "more than 50 people died"."""
        offset = max(0, q.start - 120)
        tail = sent[offset:q.start]
        starts = [m.start() for rx in (*self._active.values(), _COORD_ACTIVE, _TOLL, _INJURED_TOLL, _AMONG)
                  if (m := rx.search(tail))]
        head = _HEAD_NOUNS.match(sent, q.end)
        end = head.end() if head else q.end
        if starts:
            return offset + min(starts), end
        m = self._pred.search(sent, q.end, q.end + 100)
        return q.start, (m.end() if m else end)

    def _single_people(self, sent: str, s0: int, taken: list[tuple[int, int]]) -> Iterator[_Hit]:
        for rx in (_SINGLE_PRED, _SINGLE_ACTIVE, _ANOTHER):
            for m in rx.finditer(sent):
                if any(s < m.end() and m.start() < e for s, e in taken):
                    continue
                groups = m.groupdict()
                noun = (groups.get("noun") or groups.get("named") or "").lower()
                if rx is not _ANOTHER and not groups.get("pron") and not _names_one_person(noun):
                    continue
                if _SUBGROUP.search(sent[max(0, m.start() - 40):m.start()]):
                    continue
                if rx is _SINGLE_PRED and re.match(r"the\b", m.group(0), re.IGNORECASE) and noun.split()[-1] not in {
                    "bomber", "attacker", "gunman", "assailant", "driver", "victim", "suspect"
                }:
                    continue
                if self._denied(sent, m.start()) or is_negated(sent, m.start("trig")):
                    continue
                yield _Hit(_category(m.group("trig")), None, 1, s0 + m.start(), s0 + m.end(), "single")


def _has_person(words: list[str]) -> bool:
    return any(w in PERSON_PLURAL or w in PERSON_SINGULAR or w.rstrip("s") in PERSON_SINGULAR for w in words)


def _names_one_person(phrase: str) -> bool:
    """True when the last word of a short phrase ("a fellow prisoner", "a police officer") is a person."""
    return any(w in PERSON_SINGULAR for w in phrase.lower().split()[:4])


def _demonym(raw: list[str]) -> bool:
    """Capitalised plurals inside a noun phrase name groups of people ("Armenians", "Iraqis", "Kurds")."""
    return any(w[:1].isupper() and w.endswith("s") and len(w) > 3 and w.lower() not in NON_PERSON for w in raw[:4])


def _generic_np(words: list[str]) -> bool:
    """Noun phrases that stand for people without naming them ("others", "more", "of them")."""
    return all(w in {"of", "them", "others", "other", "more", "the", "those", "and", "a", "further",
                     "additional", "including"} or w[:1].isupper() for w in words)


def _shift(q: Quantity, offset: int) -> Quantity:
    return Quantity(q.start + offset, q.end + offset, q.text, q.count, q.qualifier, q.upper, q.min_count)


@hookimpl
def monitor_register_detectors(register: RegisterDetector) -> None:
    register(CasualtiesDetector)
