"""How many personnel a movement moves: the number attached to a force noun in the movement's clause, a force's
stated strength ("a 2,800-strong contingent"), the level it is raised to ("boost its troops to 150,000"), a
bare number after the verb — and what is not a count (dates, vehicles, a unit's size)."""

from __future__ import annotations

import re

from monitor.text import MONTH, find_quantities, parse_quantity

from .words import _FORCE, _IRREGULAR, _PERSONNEL, _PERSONNEL_RE

#: A number's personnel noun: the first within six plain words after it (no punctuation, no verb between).
_COUNTED = re.compile(r"^\s*(?:(?:of (?:its|their|the|his|her) )|(?:(?!(?:were|was|are|is|have|has|had|will|would|"
                      r"people|persons|civilians|residents|villagers|children|women|(?!armed\b)\w+ed|companies|company|columns?|"
                      # a preposition: "two villages in Idlib from rebel fighters" counts villages
                      r"(?:in|into|from|at|on|near|with|by|for|to|across|outside|inside|after|before|than)(?![-'])|"
                      r"battalions?|brigades?|platoons?|units?|divisions?|regiments?|squadrons?|contingents?|"
                      r"troops|soldiers)\b)[\w'-]+\s+))"
                      r"{0,6}?(?P<f>military police(?:men)?|" + _PERSONNEL + r")\b", re.IGNORECASE)
#: Personnel nouns that are not force nouns themselves, counted when a force noun stands before them.
_COUNTED_ALSO = re.compile(r"^(?:members|men|officers|advisers|advisors|instructors|sailors|airmen|personnel)$",
                           re.IGNORECASE)
_VEHICLES = re.compile(r"^\s*(?:[\w-]+\s+){0,2}?(?:vehicles|tanks|ships|warships|aircraft|jets|planes|helicopters|"
                       r"drones|missiles|carriers|trucks|boats|vessels|batteries|launchers|convoys)\b", re.IGNORECASE)


def _personnel(sent: str, near: list[re.Match[str]], c0: int, c1: int, movement: str, ms: int, me: int,
               others: list[tuple[str, int, int]]) -> list[int]:
    """The number directly attached to a force noun in the clause ("about 750 more soldiers").

    A number whose force noun is separated from this movement by another movement verb, or that stands nearer
    another kind of movement, belongs to that one; so does a number far from the verb in a long clause. Dates
    ("15 October", "on July 29") are not counts. The first number is the count; a force's stated strength
    ("163 peacekeepers, the first group of a 331-strong contingent, arrived") is a second reading.
    """
    raised = _raised_to(sent, ms, me, c1)
    if raised is not None:
        return [raised]
    best = None
    strength = None
    for q in find_quantities(sent[c0:c1]):
        if q.count is None:
            continue
        qs, qe = c0 + q.start, c0 + q.end
        after = sent[qe:c1]
        if _VEHICLES.match(after) or _is_date(sent, qs, qe, q.count):
            continue
        gap = qs - me if qs >= me else ms - qe
        if gap > _COUNT_REACH or any(
            (o[1] - qe if o[1] >= qe else qs - o[2]) < gap for o in others
            if o[0] != movement and (o[2] <= qs or o[1] >= qe)
        ):
            continue
        if _bare_count(sent, me, qs, after, near):
            best = q.count if best is None else best
            continue
        strong = _STRONG.match(after)
        if strong and (strong.group("f").lower() == "force" or any(f.start() == qe + strong.start("f") for f in near)):
            strength = q.count if strength is None else strength
            continue
        # The first personnel noun within six plain words: "1,500 army and air force troops", "126 army men".
        m = _COUNTED.match(after)
        if m and any(min(ms, qs) < o[1] < max(ms, qs) for o in others):
            continue
        if m and re.match(r"\s+each\b", after[m.end():]):
            continue  # "nine columns (70-100 soldiers each)": a unit's size, not how many moved
        if m and (any(f.start() == qe + m.start("f") for f in near) or _COUNTED_ALSO.match(m.group("f"))):
            if _IRREGULAR.match(m.group("f")) and not re.search(r"mobili|withdr|retreat", sent, re.I):
                continue
            best = q.count if best is None else best
    return [c for c in (best, strength) if c is not None]


#: How far (characters) a personnel number may stand from its movement verb in one clause.
_COUNT_REACH = 150
_MONTH = MONTH + r"\.?"
_MONTH_BEFORE = re.compile(rf"\b{_MONTH}\s+$", re.IGNORECASE)
_YEAR_BEFORE = re.compile(rf"\b{_MONTH}\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?$", re.IGNORECASE)
#: A bare year after a preposition of time ("by 2030", "since 2003", "until 2021").
_YEAR_PREPOSITION = re.compile(r"\b(?:by|since|until|till|during|before|after|from|in|of)\s+$", re.IGNORECASE)
_FORCE_AFTER = re.compile(rf"^\s+(?!(?:some|about|around|nearly|roughly|almost|approximately|over|under|more|"
                          rf"fewer|another|at)\b)(?:[a-z-]+\s+)?(?:{_FORCE})\b", re.IGNORECASE)
_MONTH_AFTER = re.compile(rf"^(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b", re.IGNORECASE)
#: "a 2,800-strong contingent", "a 5,000-strong force": the strength of the force that moves.
_STRONG = re.compile(rf"^-strong\s+(?:[\w-]+\s+){{0,3}}?(?P<f>force|{_FORCE})\b", re.IGNORECASE)
#: "sent another 4,000 to the state": a number right after the verb, its force noun named elsewhere.
_BARE_BEFORE = re.compile(r"^\s+(?:another|an(?: additional| extra)?|a further|a)?\s*$", re.IGNORECASE)
_BARE_AFTER = re.compile(r"^\s*(?:more\s+)?(?:(?:to|into|in|on|at|for|from)\b|[,.;]|$)", re.IGNORECASE)
#: "will boost its troops in Iraq to 150,000": the level the force is raised to.
_RAISED = re.compile(r"^(?:boost|increas|rais)", re.IGNORECASE)
_RAISED_TO = re.compile(r"^[^.;:]{0,60}?\bto\s+(?:about |around |some |nearly |almost |roughly )?(?P<n>\d[\d,.]*"
                        r"(?:\s+(?:thousand|million))?)(?!\s*(?:percent|per cent|%|\w+s? (?:dollars|euros)))\b",
                        re.IGNORECASE)


def _is_date(sent: str, qs: int, qe: int, count: int) -> bool:
    """'15 October', 'on July 29', 'the 3rd of May', 'October 2004', 'by 2030': a date, not a number of people
    ("sent in 2000 troops" stays a count: a force noun follows it)."""
    if 1800 <= count <= 2100:
        if _YEAR_BEFORE.search(sent[max(0, qs - 20):qs]) is not None:
            return True
        return (sent[qs:qe].isdigit() and _YEAR_PREPOSITION.search(sent[max(0, qs - 12):qs]) is not None
                and _FORCE_AFTER.match(sent[qe:qe + 40]) is None)
    return count <= 31 and bool(_MONTH_BEFORE.search(sent[max(0, qs - 12):qs]) or _MONTH_AFTER.match(sent[qe:qe + 14]))


def _bare_count(sent: str, me: int, qs: int, after: str, near: list[re.Match[str]]) -> bool:
    """A number that directly follows the movement verb and names no noun of its own, when the clause's force
    noun counts people ("the troops were a stopgap, but the government sent another 4,000 to the state")."""
    return (qs >= me and _BARE_BEFORE.match(sent[me:qs]) is not None and _BARE_AFTER.match(after) is not None
            and any(_PERSONNEL_RE.match(f.group()) for f in near))


def _raised_to(sent: str, ms: int, me: int, c1: int) -> int | None:
    """'boost its troops in Iraq to 150,000': the level reached, said after the force noun."""
    if not _RAISED.match(sent[ms:me]):
        return None
    m = _RAISED_TO.match(sent[me:c1])
    if m is None:
        return None
    q = parse_quantity(m.group("n"))
    return q.count if q is not None and q.count is not None and q.count >= 10 else None

