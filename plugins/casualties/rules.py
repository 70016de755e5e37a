"""The rules that read a casualty figure in one sentence: subject + predicate, verb + object, tolls, "among
the dead", one person harmed, attackers killed by their own act — each reading a ``_Hit``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

from monitor.text import MONTH, Quantity, find_quantities, is_historical, is_hypothetical, is_negated

from ..lexicon import PERSON_SINGULAR
from .words import (
    _ACTIVE,
    _AUX,
    _NEAR_CUE,
    _NP_BREAK,
    _PREDICATE,
    _WORD,
    INJURED,
    KILLED,
    MISSING,
    ONE_PERSON_AND,
    _active_res,
    _category,
    _counts_things,
    _demonym,
    _generic_np,
    _has_person,
    _heads_one_person,
    _names_one_person,
    _noun_phrase,
    _pred_search,
)

_COORD_ACTIVE = re.compile(
    rf"\b(?:{_ACTIVE[KILLED]})\s+(?:and|or)\s+(?:{_ACTIVE[INJURED]})\s*$|"
    rf"\b(?:{_ACTIVE[INJURED]})\s+(?:and|or)\s+(?:{_ACTIVE[KILLED]})\s*$",
    re.IGNORECASE,
)
_COORD_PRED = re.compile(
    rf"{_AUX}(?:killed|dead)\s+(?:and|or)\s+(?:injured|wounded)\b|{_AUX}(?:injured|wounded)\s+(?:and|or)\s+"
    rf"(?:killed|dead)\b",
    re.IGNORECASE,
)
_TOLL = re.compile(
    # (a date may stand between the toll and its figure: "the toll since May 3 has reached 175")
    r"\b(?:death toll|toll|number of (?:the )?dead|number of deaths|fatalities|dead|deaths)\b"
    rf"(?:[^.;:\d]|\b(?i:{MONTH})\.?\s+\d{{1,2}}\b){{0,80}}?"
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
    r"\b(?:including|includes|included|among them|among whom|of whom|of them|of which|the other)"
    r"(?:\s+(?:were|was|are|is))?\s*$", re.IGNORECASE
)
_PARTITIVE_TOTAL = re.compile(r"^\s*of the (?:victims|dead|injured|wounded|casualties|deceased|fatalities)\b",
                              re.IGNORECASE)
_NOT_COUNT_AFTER = re.compile(r"^(?:-|\s*(?:%|percent\b|per cent\b|years? old\b|-year|year-old|km\b|"
                              r"kilometres\b|miles\b|times\b|a\.m\.|p\.m\.|am\b|pm\b|gmt\b|hrs\b|o'clock))",
                              re.IGNORECASE)
_NOT_COUNT_BEFORE = re.compile(r"(?:\$|€|£|¥|\bno\.|\bnumber|\baged?|\bage of|\bpage|\bin|\bsince|\bon|"
                               r"\buntil|\bby|\bfrom|\bout of|\bmagnitude(?: of)?|#|\bat)\s*$", re.IGNORECASE)
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

#: People reported missing and then found: no longer missing.
_FOUND_SAFE = re.compile(r"\b(?:found|turned up|rescued|located) (?:safe|alive|unharmed|well)\b", re.IGNORECASE)
#: A figure reported only to be refuted.
_DISPUTED = re.compile(r"\b(?:rumou?rs?|were false|was false|is false|are false|fake news|hoax|unfounded|untrue|"
                       r"not true)\b", re.IGNORECASE)
#: Asides inside a subject that do not end it: a bracket, "including two women", "identified as A and B".
#: Their numbers are not the subject's own ("ten others, including five policemen, were injured").
_ASIDE = re.compile(r"\([^)]*\)|,?\s*\b(?:including|among them|among whom|identified as)\b[^,]*,?|"
                    r",\s*(?:\w+ of (?:whom|them)|who|believed to be|said to be|suspected to be|reportedly)\b[^,.;]*,|"
                    # their ages: "Two children, aged 8 and 11, were killed"
                    r",?\s*\baged\s+\d{1,3}(?:\s*(?:,|and|or)\s*\d{1,3})*(?:\s+years(?: old)?)?\s*,?|"
                    # their unit, numbered: "Two jawans of 5 Sikh Light Infantry were injured"
                    r"\s+(?:of|from)\s+(?:the\s+)?\d{1,3}(?:st|nd|rd|th)?\s+(?-i:[A-Z][\w-]*)(?:\s+(?-i:[A-Z][\w-]*))*",
                    re.IGNORECASE)
#: A number that names a unit: "5 Sikh Light Infantry", "160 Battalion", "the 7 Assam Rifles".
_UNIT_AFTER = re.compile(r"(?:st|nd|rd|th)?\s+(?:[A-Z][\w-]*\s+){0,3}?(?:Infantry|LI|Battalion|Bn|Regiment|Rifles|"
                         r"Brigade|Division|Corps|Squadron|Company|Coy|Artillery)\b(?!\s+(?:personnel|soldiers|jawans|"
                         r"troopers|troops|men|officers|members|commandos)\b)")
#: A number in a list of ages: "aged 5, 7 and 9".
_AGE_LIST = re.compile(r"\baged?\s+(?:\d{1,3}\s*(?:,|and|or)\s*)+$", re.IGNORECASE)
#: The group a part is counted from: "three of the seven abducted labourers" (the seven are not all harmed).
_PART_OF = re.compile(r"\s+of\s+(?:the|these|those)\s+", re.IGNORECASE)
#: Other people joined to a subject's noun phrase, counted on their own or not at all: "Two SIMI members and a
#: policeman were shot dead", "10 Marines and an unknown number of Iraqi soldiers died".
_AND_OTHERS = re.compile(r"\s+and\s+(?:a|an|one|another|an unknown number of|several|some|dozens of|scores of)\s+"
                         r"[^,;]*$", re.IGNORECASE)
_AND_GAP = re.compile(r"[\s\w()'-]{0,50}?(?:,\s*)?\band\s+")
_COMMA_GAP = re.compile(r"[\s\w()'-]{0,40}?,\s+")
#: The whole itself harmed: "two of the three militants killed in the encounter were identified", "one of the
#: two terrorists who were shot dead".
_HARMED_WHOLE = re.compile(r"(?:\s+(?!(?:were|was|are|is|had|have|has|been|later|all)\b)[A-Za-z][\w'-]*){1,3}?"
                           r"(?:\s+(?:who|that)\s+(?:were|was|had been|have been))?\s+"
                           r"(?:shot dead|killed|dead|injured|wounded|slain)\b", re.IGNORECASE)
#: The noun phrase right after a head count, up to the first punctuation.
_HEAD = re.compile(r"(?:\s+(?!aged\b)[A-Za-z][\w'’]*){1,3}", re.IGNORECASE)
#: Ages, one for each person counted: "Two boys, 14 and 16, were", "three siblings, aged 5, 7 and 9".
_AGES = re.compile(r"(?:\s*,\s*(?:aged\s+)?|\s+aged\s+)(?P<ages>\d{1,2}(?:\s*,\s*\d{1,2})*,?\s+(?:and|or)\s+\d{1,2})"
                   r"(?:\s+years(?: old)?)?(?:\s*,|(?=\s*\)|\s+(?:were|was|are|had|have)\b))", re.IGNORECASE)
#: A total told part by part right after its noun: "27 persons, 18 civilians and nine soldiers, were killed",
#: "Fifteen people - nine men and six women - died" (the parts sum to the total, so it is a breakdown, not a list
#: of figures of their own). The spaces after each comma are taken whole (``\s*+``): were they shared with the part
#: after them, a long list that ends no breakdown ("one rifle, three magazines, 62 rounds, ...", thirty items) would
#: be tried every way of splitting its spaces, 2**n, and hold the daemon for minutes. A part is two characters or
#: more ("Twelve people, 10 and 2 others, were killed"), as it was when its space counted.
_PARTS = re.compile(r"\s*(?:,|\s[-–—(])\s*+(?P<parts>[^,;:.()–—-]{2,40}?(?:,\s*+[^,;:.()–—-]{2,40}?)*,?\s+and\s+"
                    r"[^,;:.()–—-]{3,40}?)\s*(?:,|[-–—)])")
#: A subgroup told in an aside after its total: "Five people, two of whom were women, died".
_SUBGROUP_ASIDE = re.compile(r"^\s+of (?:whom|them)\b[^,.;]*,", re.IGNORECASE)
_OBJECT_AFTER = re.compile(
    r"\s+(?:at least |more than |nearly |about |around |some |up to |as many as |over )?(?:\d|a |an |the |his |her |"
    r"their |its |several|dozens|hundreds|scores|many|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"twenty|thirty|forty|fifty|people|civilians|soldiers|children|him|her|them)",
    re.IGNORECASE,
)
_AND_ONE = re.compile(r"\s+(?:[\w-]+\s+){1,3}?and\s+(?P<one>(?:a|an|one)\s+(?P<noun>(?:[\w-]+\s+){0,2}[a-z]+))\b",
                      re.IGNORECASE)
#: One person named before "and" and a figure: "A constable and four passers-by were hurt" -> 4 and 1 (the person
#: noun ends the phrase: not "one person was killed and 13 others were hurt"), where the pair opens its clause or
#: follows "leaving": not the object of another verb ("police arrested a gunman and two officers were wounded").
_ONE_AND = re.compile(r"(?:^\s*|[,;:(]\s*|\b(?:and|but|while|leaving|left|said|says|that)\s+)(?:at least\s+|only\s+)?"
                      r"(?P<one>(?:a|an|one)\s+(?P<noun>(?:[\w-]+\s+){0,2}?[a-z-]+))\s+and\s+(?:his\s+|her\s+|their\s+)?$",
                      re.IGNORECASE)
#: A day of the month, not a head count: "shot on March 3, died", "Nov. 16".
_MONTH_BEFORE = re.compile(rf"\b(?!may\b)(?i:{MONTH})\.?\s*$")  # "May" only capitalised: "may" is a modal
#: A predicate of the figure's own after its noun phrase: the figure opens a new clause.
_OWN_PREDICATE = re.compile(r"(?:\s+(?!(?:were|was|are|is|had|have|has|who|which|that)\b)[\w'-]+){0,5}?\s+"
                            r"(?:were|was|are|is|had|have|has|escaped|fled|survived|managed|went|got|remain(?:ed)?)\b",
                            re.IGNORECASE)
#: A new noun phrase opening after a number: the number is not its count ("On March 4 a man was hurt").
_DETERMINER_AFTER = re.compile(r"\s*,?\s*(?:a|an|the|his|her|their|its|this|that)\s", re.IGNORECASE)
_ANOTHER = re.compile(r"\banother\s+" + _AUX + r"(?P<trig>killed|died|wounded|injured|hurt)\b", re.IGNORECASE)


#: One person's age: a figure set off by commas after a name ("Charles Lazarus, 94, dies", "Ahmed, 34, was shot"), or
#: the age a person died at ("Dead At 36", "died at the age of 81", "dies at 94 in Paris"). Not a count told after a
#: place, a day or a total ("In Quetta, 14, two of them children, were killed", "On Sunday, 14 ...", "Overall, 40,
#: nine of them children"), nor one a breakdown follows ("14, including two children"), nor a toll ("put the number
#: of dead at 36", "put the dead at 14"), nor a figure with a noun of its own ("dead at 36 sites").
_AGE_BY_NAME = re.compile(r"(?<![A-Za-z])(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Overall|"
                          r"Altogether|Yesterday|Today|Meanwhile|Nationwide|Elsewhere)\b)(?<!\b[Ii]n )(?<!\b[Aa]t )"
                          r"(?<!\b[Nn]ear )(?<!\b[Ff]rom )(?<!\b[Oo]f )(?<!\bIN )(?<!\bAT )[A-Z][\w'’-]+,\s*$")
_AGE_COMMA_AFTER = re.compile(r"\s*,(?!\s*(?:including|among|of whom|most|mostly|all|many|the|half|some|several|"
                              r"\d+|one|two|three|four|five|six|seven|eight|nine|ten|a\s+dozen)\b)", re.IGNORECASE)
#: One person named by a noun before an age: "A man, 25, was stabbed to death", "Ali, 25, and his brother, 30".
_PERSON_BEFORE_AGE = re.compile(r"\b(?:a|an|the|his|her|their|one)\s+(?:[\w-]+\s+)?(?P<noun>[a-z-]+),\s*$",
                                re.IGNORECASE)
#: The age closes its sentence: "Those killed included Ali, 25."
_AGE_AT_END = re.compile(r"\s*[.;]?\s*$")
_DIED_AT = re.compile(r"(?<!\bthe )(?<!\bof )\b(?:dead|died|dies|passed away|death)\s+at\s+(?:the\s+)?"
                      r"(?:age\s+(?:of\s+)?)?$", re.IGNORECASE)
_NOUN_AFTER_AGE = re.compile(r"\s+(?!(?:in|on|at|after|from|of|and|years?|with|as|following|last|this|today|"
                             r"yesterday|according|his|her)\b)[a-z]", re.IGNORECASE)


def _one_age(sent: str, q: Quantity) -> bool:
    """Whether the quantity ``q`` of ``sent`` is one person's age (``_AGE_BY_NAME``, ``_DIED_AT``), not a count."""
    if q.count is None or q.qualifier != "exact" or not q.text.isdigit() or not 1 <= q.count <= 120:
        return False
    before = sent[max(0, q.start - 60):q.start]
    person = _PERSON_BEFORE_AGE.search(before)
    named = _AGE_BY_NAME.search(before) or (person and person["noun"].lower() in PERSON_SINGULAR)
    if named and (_AGE_COMMA_AFTER.match(sent, q.end) or _AGE_AT_END.fullmatch(sent, q.end)):
        return True
    died = _DIED_AT.search(before)
    return bool(died and not _TOLL.search(before[:died.start()]) and not _NOUN_AFTER_AGE.match(sent, q.end))


@lru_cache(maxsize=64)
def _groups(sent: str) -> tuple[frozenset[int], dict[int, tuple[tuple[int, int], ...]]]:
    """Numbers that count a group rather than the harmed, and the spans a head count's noun phrase skips over:
    the whole a part is taken from ("three of *the seven* labourers": 3, not 7), the ages of those counted ("two
    boys, *14 and 16*, were injured"), and the parts of a total ("27 persons, *18 civilians and nine soldiers*, were
    killed": 27, not 18 and 9)."""
    quantities = _quantities(sent)
    inner: set[int] = set()
    skips: dict[int, tuple[tuple[int, int], ...]] = {}
    for i, q in enumerate(quantities):
        if i in inner:
            continue
        if _one_age(sent, q):
            inner.add(i)
            continue
        nxt = quantities[i + 1] if i + 1 < len(quantities) else None
        if nxt is not None and _PART_OF.fullmatch(sent, q.end, nxt.start):
            if _HARMED_WHOLE.match(sent, nxt.end):
                inner.add(i)  # the part of those harmed is told for something else: "two of them were foreigners"
            else:
                inner.add(i + 1)
                skips[i] = ((q.end, nxt.end),)
            continue
        head = _HEAD.match(sent, q.end)
        if head is None or q.count is None or q.qualifier != "exact":
            continue
        ages = _AGES.match(sent, head.end())
        if ages and len(re.findall(r"\d+", ages.group("ages"))) == q.count:
            inner.update(j for j, p in enumerate(quantities) if ages.start("ages") <= p.start < ages.end("ages"))
            skips[i] = ((ages.start(), ages.end()),)
            continue
        parts = _PARTS.match(sent, head.end())
        if parts is None:
            continue
        members = [j for j, p in enumerate(quantities) if parts.start("parts") <= p.start < parts.end("parts")]
        counts = [quantities[j].count for j in members]
        if len(members) >= 2 and None not in counts and sum(c for c in counts if c is not None) == q.count:
            inner.update(members)
            skips[i] = ((parts.start(), parts.end()),)
    return frozenset(inner), skips


@dataclass(frozen=True)
class _Hit:
    category: str
    quantity: Quantity | None
    count: int | None
    start: int
    end: int
    rule: str = "number"
    historical: bool = False


@lru_cache(maxsize=64)
def _quantities(sent: str) -> tuple[Quantity, ...]:
    """The sentence's numbers, read once for the rules and the broad candidates alike."""
    return tuple(find_quantities(sent))


def _shift(q: Quantity, offset: int) -> Quantity:
    return Quantity(q.start + offset, q.end + offset, q.text, q.count, q.qualifier, q.upper, q.min_count)


class Rules:
    """The rules of one configuration: the harm verbs and predicates with the user's extra words."""

    def __init__(self, extra: dict[str, list[str]]) -> None:
        self.pred = _pred_search(extra)
        self.active = _active_res(extra)
        self.active_over_one = _active_res(extra, ONE_PERSON_AND)

    def sentence_hits(self, text: str, s0: int, s1: int) -> Iterator[_Hit]:
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
        inner, skips = _groups(sent)
        pending: dict[int, set[str]] = {}
        for i, q in enumerate(quantities):
            before = sent[: q.start]
            after = sent[q.end:]
            if i in inner or self.not_a_head_count(q, before, after):
                continue
            cats = self._categories(q, before, after, quantities[i + 1:], sent, skips.get(i, ()))
            if cats and self.denied(sent, q.start):
                continue
            for cat in cats:
                pending.setdefault(i, set()).add(cat)
        # "two members and five soldiers (were) killed": the predicate reaches back over "and", and on over the
        # commas of a list that ends in it ("one lieutenant, four soldiers, and three civilians were killed").
        chained: set[int] = set()
        for i in range(len(quantities) - 1, 0, -1):
            if i not in pending or i - 1 in pending or i - 1 in inner:
                continue
            prev = quantities[i - 1]
            gap = sent[prev.end:quantities[i].start]
            if _AND_GAP.fullmatch(gap) or (i in chained and _COMMA_GAP.fullmatch(gap)):
                gap_words = [w.lower() for w in _WORD.findall(gap)]
                if not self.not_a_head_count(prev, sent[: prev.start], sent[prev.end:]) and not _counts_things(
                    gap_words
                ) and not self.denied(sent, prev.start) and self._is_subject(i, quantities, sent, pending[i]):
                    pending[i - 1] = set(pending[i])
                    chained.add(i - 1)
        # "killed 31 villagers and seven soldiers": a harm verb's object goes on over "and" to a second figure of
        # people, not where the second has a verb of its own ("and two others were arrested").
        for i in range(len(quantities) - 1):
            if i not in pending or i + 1 in pending or i + 1 in inner or self._is_subject(i, quantities, sent,
                                                                                          pending[i]):
                continue
            nxt = quantities[i + 1]
            gap = sent[quantities[i].end:nxt.start]
            if not _AND_GAP.fullmatch(gap) or _NEAR_CUE.search(gap) or _counts_things(
                    [w.lower() for w in _WORD.findall(gap)]):
                continue
            if self.not_a_head_count(nxt, sent[: nxt.start], sent[nxt.end:]) or self.denied(sent, nxt.start):
                continue
            words = _noun_phrase(sent[nxt.end:nxt.end + 80])[1][:4]
            if (_has_person(words) or _generic_np(words[:2])) and not _OWN_PREDICATE.match(sent, nxt.end):
                pending[i + 1] = set(pending[i])
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
            # "a constable and four passers-by were hurt": the one before the figure counts on its own too.
            lead = _ONE_AND.search(sent, max(0, q.start - 60), q.start)
            if lead and _heads_one_person(lead.group("noun")) and not self.denied(sent, lead.start("one")):
                for cat in sorted(cats):
                    yield _Hit(cat, None, 1, s0 + lead.start("one"), s0 + q.end, "one_and")
        yield from self._single_people(sent, s0, [(q.start, q.end) for q in quantities])
        yield from self._self_inflicted(sent, s0, quantities)

    def _self_inflicted(self, sent: str, s0: int, quantities: list[Quantity]) -> Iterator[_Hit]:
        """Attackers who die by their own act: "two suicide bombers blew themselves up" -> 2 killed."""
        act = _SELF_KILL.search(sent)
        if act is None or self.denied(sent, act.start()):
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
        return not any(r.search(before) for r in self.active.values())

    def not_a_head_count(self, q: Quantity, before: str, after: str) -> bool:
        if _NOT_COUNT_AFTER.match(after) or _AGE_LIST.search(before[-40:]) or (
                q.text[:1].isdigit() and _UNIT_AFTER.match(after)):
            return True
        if q.qualifier == "exact" and q.count is not None and _NOT_COUNT_BEFORE.search(before) and not (
                _TOLL.search(before[-120:]) or _INJURED_TOLL.search(before[-120:])):
            return True  # "at 18" is an age or a time, but "the toll stood at 18" a count
        if before.rstrip().endswith(",") and _SUBGROUP_ASIDE.match(after):
            return True
        if q.qualifier == "exact" and q.count is not None and 1 <= q.count <= 31 and q.text.isdigit() and (
                _MONTH_BEFORE.search(before[-12:])) and (_DETERMINER_AFTER.match(after) or not _has_person(
                    _noun_phrase(after[:80])[1][:3])):
            return True  # "shot on March 3, died", "on March 4 a man was hurt"; not "in March 12 people were killed"
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

    def _categories(self, q: Quantity, before: str, after: str, later: list[Quantity], sent: str,
                    skip: tuple[tuple[int, int], ...] = ()) -> set[str]:
        tail = before[-120:]
        cats: set[str] = set()
        coord = _COORD_ACTIVE.search(tail)
        if coord:
            return {KILLED, INJURED}
        for cat, rx in self.active.items():
            m = rx.search(tail)
            if m is None and (m := self.active_over_one[cat].search(tail)) and (
                    not _heads_one_person(m["noun"]) or _OWN_PREDICATE.match(after)):
                m = None  # not "killed a militant and two of his associates escaped": a clause of its own
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
        asides = [a.span() for a in _ASIDE.finditer(window)]
        asides += [(a0 - q.end, a1 - q.end) for a0, a1 in skip]
        for lq in later:
            at = lq.start - q.end
            if not any(a0 <= at < a1 for a0, a1 in asides):
                window = window[:at]
                break
        m = self.pred.search(window)
        if m is None or is_hypothetical(window, m.start()):
            return set()
        np = window[: m.start()]
        # A predicate used actively ("two bombers killed at least 10 people") makes the number the attackers.
        if _OBJECT_AFTER.match(after, m.end()) and not re.search(r"\b(?:were|was|been|are|is)\b", m.group(), re.I):
            return set()
        for a0, a1 in sorted(skip, reverse=True):
            np = np[: a0 - q.end] + " " * (a1 - a0) + np[a1 - q.end:] if a1 - q.end <= len(np) else np
        core = _AND_OTHERS.sub(" ", _ASIDE.sub(" ", np))
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

    def denied(self, sent: str, pos: int) -> bool:
        return is_negated(sent, pos) or is_hypothetical(sent, pos)

    def _evidence(self, sent: str, q: Quantity) -> tuple[int, int]:
        """The words that give the figure its meaning: "killing at least 14 people", "the death toll rose to
        87", "more than 50 people died"."""
        offset = max(0, q.start - 120)
        tail = sent[offset:q.start]
        starts = [m.start() for rx in (*self.active.values(), *self.active_over_one.values(), _COORD_ACTIVE, _TOLL,
                                       _INJURED_TOLL, _AMONG)
                  if (m := rx.search(tail))]
        head = _HEAD_NOUNS.match(sent, q.end)
        end = head.end() if head else q.end
        if starts:
            return offset + min(starts), end
        m = self.pred.search(sent, q.end, q.end + 100)
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
                if self.denied(sent, m.start()) or is_negated(sent, m.start("trig")):
                    continue
                yield _Hit(_category(m.group("trig")), None, 1, s0 + m.start(), s0 + m.end(), "single")


