"""Readings wider than the rules, left to the learned decision to keep or drop: every number near a harm word,
one person for a bare harm predicate, a subject far from its predicate, "a couple", one person named by a noun."""

from __future__ import annotations

import re
from collections.abc import Container, Iterator

from monitor.text import is_hypothetical, is_negated

from ..lexicon import ANIMALS, PERSON_PLURAL, PERSON_SINGULAR
from .rules import _DISPUTED, _OBJECT_AFTER, Rules, _groups, _Hit, _quantities, _shift
from .words import (
    _DATE_BEFORE,
    _NEAR_CUE,
    _PREDICATE,
    _WORD,
    INJURED,
    KILLED,
    MISSING,
    _category,
    _names_one_person,
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
#: The dead counted by a noun of their own: "18 bodies were brought to the morgue", "a total of 11 bodies", "five
#: murders", "1,124 homicides registered last year" (killed, by the brief); not a rate ("60 murders per 100,000",
#: "11 homicides a day").
_DEAD_NOUN = re.compile(r"\s+(?:(?:more|other|dead|mutilated|decomposed|charred|decapitated|unidentified|"
                        r"bullet-riddled)\s+)?(?:bodies|corpses|homicides|murders|killings|deaths)\b"
                        r"(?!\s+(?:per|a day|each|every|for every)\b)", re.IGNORECASE)
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


def _near_hits(text: str, s0: int, s1: int, taken: set[tuple[str, int | None]]) -> list[_Hit]:
    """Every number within a few words of a harm word, and one person for a harm predicate with no number:
    broad candidates the rules did not read, left to the learned decision."""
    sent = text[s0:s1]
    cues = [(m.start(), m.end(), m.lastgroup or INJURED) for m in _NEAR_CUE.finditer(sent)]
    if not cues:
        return []
    out = []
    quantities = list(_quantities(sent))
    inner = _groups(sent)[0]  # ages, the whole a part is taken from, the parts of a total
    for i, q in enumerate(quantities):
        # ages and group totals are no figures; nor is a vague amount that only stands near a harm word ("his many
        # victims" beside "Epstein's death": one in five such readings was labelled, out of fold)
        if i in inner or q.count is None:
            continue
        near = [(min(abs(q.start - ce), abs(cs - q.end)), cat, cs, ce) for cs, ce, cat in cues]
        dist, cat, cs, ce = min(near)
        if dist > 60 or (cat, q.count) in taken or is_negated(sent, min(q.start, cs)):
            continue
        taken.add((cat, q.count))
        rule = "lives" if _LIVES.match(sent, q.end) and _TOOK.search(sent, max(0, q.start - 30), q.start) else \
            "bodies" if _DEAD_NOUN.match(sent, q.end) else "near"
        out.append(_Hit(KILLED if rule in ("lives", "bodies") else cat, _shift(q, s0), q.count,
                        s0 + min(q.start, cs), s0 + max(q.end, ce), rule))
    for cs, ce, cat in cues:
        if not (_BARE_PREDICATE.match(sent, cs) or (_INJURY_TAKEN.match(sent, cs) and _TAKES_INJURY.search(
                sent, max(0, cs - 30), cs))) or is_negated(sent, cs) or _BARE_IDIOM.match(sent, cs):
            continue  # one person harmed is said by a predicate ("was shot dead"), not a noun, a denial or an idiom
        if (cat, 1) not in taken and cat != MISSING:
            taken.add((cat, 1))
            out.append(_Hit(cat, None, 1, s0 + cs, s0 + ce, "bare"))
    return out


_AGE_OR_DATE = re.compile(_DATE_BEFORE.pattern + r"|\(\s*$", re.IGNORECASE)
_FALLBACK_RULES = frozenset({"far", "couple", "one_noun", "headline"})


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


#: One death in a headline's shorthand: a person's death without "of" ("fathers death rules keane out", "police probe
#: pedestrian death"), a body found ("body discovered in melbourne"), a fatal act ("police probe fatal stabbing",
#: "toddler fatally shoots father"; not "a non-fatal shooting"), and a double or triple murder (two, three dead).
#: Each start is a word's own start and each run bounded, so a long hyphenated token costs no more than its length.
_HEADLINE_DEATH = re.compile(
    r"\b(?P<times>double|triple|quadruple)\s+(?:murders?|homicides?|killings?|slayings?|fatality|fatalities)\b|"
    r"(?<![\w'’-])(?P<who>\w{2,30}?)(?:'s|’s|s'|s’)?\s+(?P<trig>death|murder)\b"
    r"(?!\s+(?:toll|threats?|sentences?|penalty|squads?|row|certificates?|warrants?|rates?|of|knell|wish|spiral|trap|"
    r"march|metal|valley|zone|camps?|counts?|figures?|numbers?|benefits?|statistics|stats|spree|suspects?|mystery|"
    r"plots?|scenes?|weapons?|rap|charges?|cult|wishes|match|grip|blow|drive|star|mask)\b)"
    r"|(?<![\w-])(?P<body>body|corpse)\s+(?:of\s+(?:a|an|the)\s+(?P<whose>(?:[\w'-]+\s+){0,2}?[\w'-]+)\s+)?"
    r"(?:(?:was|is|has\s+been|had\s+been|being)\s+)?"
    r"(?:found|discovered|recovered|unearthed|washed\s+up|pulled\s+from|dumped)\b(?:\s+(?P<after>[\w'-]+))?"
    r"|(?<![\w-])(?<!non )(?P<fatal>fatal(?:ly)?)\s+(?:stabb(?:ing|ed)|shoot(?:ing|s)?|shot|bashing|"
    r"beat(?:ing|en)|assault(?:ed)?|mauling|mauled|hit)\b",
    re.IGNORECASE,
)
_TIMES = {"double": 2, "triple": 3, "quadruple": 4}
#: "The governing body found that ...", "an independent body found no evidence": a body of people, not a corpse.
_BODY_OF_PEOPLE = frozenset(
    """governing independent advisory regulatory legislative oversight watchdog sovereign public government
    international professional peak statutory ruling umbrella representative elected expert scientific medical
    judicial examining executive local national industry trade church world global european parliamentary
    investigative disciplinary standards sporting sports football cricket rugby federal state apex nodal student
    students' students advisers policing research review""".split()
)
#: What a finding body finds, not where a corpse was found: "found that", "found no evidence", "found the club ...".
_FINDS = frozenset("that no nothing evidence fault it its itself the a an his her their them him guilty".split())
_NOT_PEOPLE = ANIMALS | frozenset(
    """whale dolphin shark seal turtle deer kangaroo koala fox bear lion tiger leopard calf puppy kitten cat crocodile
    snake bird eagle""".split()
)


def headline_hits(rules: Rules, text: str, s0: int, s1: int,
                  seen: Container[tuple[str, int | None]]) -> Iterator[_Hit]:
    """One death (or two, three) said in a headline's shorthand (:data:`_HEADLINE_DEATH`), not already read. A
    person's death needs a person noun before it ("mining death" names none); a body is not a finding body's
    ("the governing body found that ...") nor an animal's."""
    sent = text[s0:s1]
    for m in _HEADLINE_DEATH.finditer(sent):
        count = 1
        if m.group("who"):
            who = m.group("who").lower()
            if who not in PERSON_SINGULAR and who.rstrip("s") not in PERSON_SINGULAR:
                continue
        elif m.group("times"):
            count = _TIMES[m.group("times").lower()]
        elif m.group("body"):
            before = _WORD.findall(sent, max(0, m.start() - 30), m.start())
            whose = (m.group("whose") or "").lower().split()
            if (before and before[-1].lower() in _BODY_OF_PEOPLE) or (whose and whose[-1] in _NOT_PEOPLE) or (
                    (m.group("after") or "").lower() in _FINDS):
                continue
        if (KILLED, count) in seen or rules.denied(sent, m.start()) or is_hypothetical(sent, m.start()):
            continue
        yield _Hit(KILLED, None, count, s0 + m.start(), s0 + m.end(), "headline")


def fallback_hits(rules: Rules, text: str, s0: int, s1: int,
                  seen: Container[tuple[str, int | None]]) -> Iterator[_Hit]:
    """Readings too wide for the rules, each for a family the rules miss: a subject far from its predicate
    ("Two members of the ... faction, identified as A and B, were killed"), "a couple", one person named by
    a noun ("the murder of the judge", "his death"). Pairs already read (``seen``) are not looked for again.
    Harm with no figure ("the killings", "those killed") was tried and left out: one in four was labelled, and
    out-of-fold F1 fell."""
    sent = text[s0:s1]
    if _DISPUTED.search(sent):
        return
    inner = _groups(sent)[0]
    for i, q in enumerate(_quantities(sent)):
        if i in inner:
            continue
        if q.count is None or all((c, q.count) in seen for c in _PREDICATE) or not _person_after(sent, q.end):
            continue
        m = rules.pred.search(sent, q.end, min(len(sent), q.end + 300))
        if m is None or ";" in sent[q.end:m.start()]:
            continue
        before = sent[max(0, q.start - 120):q.start]
        if _AGE_OR_DATE.search(before) or sent[q.end:q.end + 2].strip().startswith(")") or any(
                rx.search(before) for rx in rules.active.values()):
            continue  # an age "(15)", a date, or the object of a verb before it ("killed ten people")
        if rules.not_a_head_count(q, sent[:q.start], sent[q.end:]):
            continue
        if _OBJECT_AFTER.match(sent, m.end()) and not re.search(r"\b(?:were|was|been|are|is)\b", m.group(), re.I):
            continue  # "... wounded 48 others": a verb with its own object, not this number's predicate
        if rules.denied(sent, q.start) or is_hypothetical(sent, m.start()):
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
            if trig is None or rules.denied(sent, m.start()) or is_hypothetical(sent, m.start()):
                continue
            cat = _category(trig)
            count = 2 if rule == "couple" else 1
            yield _Hit(cat, None, count, s0 + m.start(), s0 + m.end(), rule)
