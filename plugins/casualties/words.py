"""The words casualty reports are made of: the three categories, the harm verbs and predicates (with the
user's extra words), the harm cues that pre-filter sentences, and whether a noun phrase names people or things."""

from __future__ import annotations

import re

from monitor.text import MONTH, LiteralStarts, trie_pattern

from ..lexicon import ANIMALS, NON_PERSON, PERSON_PLURAL, PERSON_SINGULAR

KILLED, INJURED, MISSING = "killed", "injured", "missing"

_ACTIVE = {
    KILLED: r"kill(?:s|ed|ing)?|slaying|slew|massacr(?:ed|ing)|claim(?:ed|ing) the lives of|lynch(?:es|ed|ing)|"
    r"assassinat(?:ed|ing)|murder(?:ed|ing)|"
    r"shot dead|shooting dead|gunn(?:ed|ing) down|left dead|execut(?:ed|ing)|behead(?:ed|ing)|"
    r"(?:murder|killing|killings|massacre|slaughter|deaths?|execution|beheading|assassination)s? of(?: the)?|"
    r"bodies of(?: the)?",
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
#: (No adverb in "-ly" is listed on its own: "reportedly" matched both its own name and ``\w{1,20}ly``, so a run of
#: them was tried 2**n ways, "Five people officially officially ... left" held the detector for minutes.)
_AUX = r"(?:(?:were|was|are|is|have|has|had|been|being|got|also|all|later|each|either|already|now|" \
       r"since|confirmed|reported|feared|believed|thought|said to be|found|left|" \
       r"\w{1,20}ly)\s+)*"


def _pred_search(extra: dict[str, list[str]]) -> re.Pattern[str]:
    """Predicate verbs after a subject ("... were killed"), with the user's extra words per category."""
    groups = []
    for c, p in _PREDICATE.items():
        words = "|".join(re.escape(w) for w in extra.get(c, ()))
        groups.append(f"(?P<{c}>{p}{'|' + words if words else ''})")
    return re.compile(r"(?:(?<=\s)|(?<=^)|(?<=,))" + _AUX + "(?:" + "|".join(groups) + r")\b", re.IGNORECASE)


def _active_res(extra: dict[str, list[str]], tail: str = "") -> dict[str, re.Pattern[str]]:
    """Verbs before an object ("killing 14 ..."), with the user's extra words per category; ``tail`` is what may
    stand between the verb and the object."""
    out = {}
    for c, p in _ACTIVE.items():
        words = "|".join(re.escape(w) for w in extra.get(c, ()))
        # ("... and injured another eight", "wounding a further 12")
        out[c] = re.compile(rf"\b(?:{p}{'|' + words if words else ''}){tail}(?:\s+(?:another|a further|an additional))?"
                            r"\s*$", re.IGNORECASE)
    return out


#: One person named between the verb and a figure of its coordinated object: "killed a policeman and two
#: passers-by" (or "and his two bodyguards") reads the two as killed too (the one is read by the single-person rule).
ONE_PERSON_AND = r"\s+(?:a|an|one)\s+(?P<noun>(?:[\w-]+\s+){0,2}?[a-z-]+)\s+and(?:\s+(?:his|her|their))?"

#: Word stems and words without which a sentence cannot report a casualty figure (a cheap pre-filter).
_HARM_STEMS = (
    "kill death wound injur hurt fatal hospital lynch murder perish suffocat detonat massacr behead execut drown "
    "succumb unaccounted casualt gunn respirat breath burn crush slay slain slew blew blow dying bodies missing "
    "assassin homicid martyr disappear"
).split()
_HARM_WORDS = "dead die died dies toll shot lives treated treatment among body corpse".split()


def _harm_cues(extra: list[str]) -> LiteralStarts:
    """One pass over the lower-cased article finds every sentence worth reading."""
    words = [*_HARM_WORDS, *(w.lower() for w in extra)]
    regex = re.compile(rf"\b(?:{trie_pattern(_HARM_STEMS)}|(?:{trie_pattern(words)})\b)")
    return LiteralStarts(regex, [*_HARM_STEMS, *words])


_WORD = re.compile(r"[A-Za-z][\w'-]*")
_NP_BREAK = re.compile(
    # "passers-by" is a noun, not "passers" before "by" (other hyphened words still break: "killed 3 in drive-by
    # attacks" reads "3 in drive", not the things "attacks")
    r"\b(?:said|says|say|told|claimed|reported|attacked|opened|fired|hit|struck|stormed|launched|carried|"
    r"who|which|that|when|after|while|before|as|because|but|where|than|since|(?<!passers-)by|to|into|with|for)\b|"
    # a full stop, not an abbreviation's ("two U.S. soldiers", "St. Louis", "Gen. Ali")
    r"[;:!?]|(?<!\b[a-z])(?<!\bst)(?<!\bmr)(?<!\bmrs)(?<!\bdr)(?<!\bgen)(?<!\blt)(?<!\bcol)(?<!\bsgt)(?<!\bcapt)"
    r"(?<!\bmaj)(?<!\bjr)\.",
    re.IGNORECASE,
)
#: Harm words by category, for the broad candidates the learned decision sorts ("near" and "bare" hits).
_NEAR_CUE = re.compile(
    r"\b(?P<killed>kill\w*|dead|died|dies|death\w*|bodies|body|lives|fatal\w*|slain|murder\w*|lynch\w*|behead\w*|"
    r"massacr\w*|perish\w*|succumb\w*|toll|hacked to death|burnt alive|burned alive|tortured to death|"
    r"assassinat\w*|execut(?:ed|ion|ions|ing)|drown\w*|homicid\w*|martyr\w*)|"
    r"(?P<injured>injur\w*|wound\w*|hurt|hospitali[sz]\w*|burn injuries|casualt\w*)|"
    r"(?P<missing>missing|unaccounted|disappearances?)\b",
    re.IGNORECASE,
)
_DATE_BEFORE = re.compile(rf"\b(?:on|since|until|by|in|of|{MONTH})\.?\s*$", re.IGNORECASE)


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


_PREPOSITIONS = frozenset("in on at during across near after from into inside since while".split())


def _counts_things(words: list[str]) -> bool:
    if not words:
        return False
    head = [w for w in words[:4] if w not in {"of", "the", "more", "other", "others"}]
    # A preposition ends the head: "twelve wounded in attacks" counts people, not attacks.
    head = head[:next((i for i, w in enumerate(head) if w in _PREPOSITIONS), len(head))]
    for i, w in enumerate(head[:3]):
        if w in PERSON_PLURAL or w in PERSON_SINGULAR:
            return False
        if (w in NON_PERSON or w in ANIMALS) and not _unit_name(head, i):
            return True
    return False


def _unit_name(head: list[str], i: int) -> bool:
    """A thing's noun that names a unit before its people: "two Assam Rifles personnel", "Rashtriya Rifles
    soldiers"."""
    after = head[i + 1] if i + 1 < len(head) else ""
    return head[i] == "rifles" and (after in PERSON_PLURAL or after in PERSON_SINGULAR)


def _has_person(words: list[str]) -> bool:
    return any(w in PERSON_PLURAL or w in PERSON_SINGULAR or w.rstrip("s") in PERSON_SINGULAR for w in words)


def _names_one_person(phrase: str) -> bool:
    """True when the last word of a short phrase ("a fellow prisoner", "a police officer") is a person."""
    return any(w in PERSON_SINGULAR for w in phrase.lower().split()[:4])


def _heads_one_person(phrase: str) -> bool:
    """True when a short phrase ends in a person noun ("a constable", "an Army soldier"): a noun phrase, not a
    clause ("one person was killed")."""
    words = phrase.lower().split()
    return bool(words) and words[-1] in PERSON_SINGULAR


def _demonym(raw: list[str]) -> bool:
    """Capitalised plurals inside a noun phrase name groups of people ("Armenians", "Iraqis", "Kurds"); a
    headline published lower-cased ("12 kashmiris killed") is read by the demonyms ``PERSON_SINGULAR`` lists."""
    return any(w[:1].isupper() and w.endswith("s") and len(w) > 3 and w.lower() not in NON_PERSON for w in raw[:4])


def _generic_np(words: list[str]) -> bool:
    """Noun phrases that stand for people without naming them ("others", "more", "of them")."""
    return all(w in {"of", "them", "others", "other", "more", "the", "those", "and", "a", "further",
                     "additional", "including"} or w[:1].isupper() for w in words)


