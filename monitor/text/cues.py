"""Negation and hedging cues: is a statement denied, or only possible?

Both look at the words just before a trigger, inside its clause (a clause ends at ``; : ,`` or a
conjunction that starts a new statement), the way NegEx does for clinical text.
"""

from __future__ import annotations

import re

_CLAUSE_BREAK = re.compile(
    r"[;:()\[\]]|,\s|\s(?:but|while|whereas|although|though|after|before|when|as|which|who)\s|[.!?]\s"
)

NEGATION = re.compile(
    r"\b(?:no|not|never|none|nobody|no-one|neither|nor|without|denied|deny|denies|n't|cannot|"
    r"no one|zero|nothing|free of|ruled out|rather than)\b|n't\b",
    re.IGNORECASE,
)

HYPOTHETICAL = re.compile(
    r"\b(?:could|would|might|may|should|if|unless|risk|risks|threaten(?:s|ed)? to|threat to|"
    r"plan(?:s|ned)? to|intend(?:s|ed)? to|fear(?:s|ed)?(?: that)?|feared|warn(?:s|ed)?(?: that)?|"
    r"potential(?:ly)?|possible|possibly|in case of|in the event of|hypothetical|scenario|simulat\w+|"
    r"estimate(?:s|d)? (?:that )?(?:up to )?\w+ could|would have|could have|capable of|able to|"
    r"enough to|designed to|aim(?:s|ed)? to|try(?:ing)? to|tried to|attempt(?:s|ed)? to)\b",
    re.IGNORECASE,
)


#: History named outright: a year of the past centuries after "in", "of" or "since", a decade, "N years ago",
#: "decades ago", a century, the world wars.
PAST_TIME = re.compile(
    r"\b(?:(?:in|of|since) (?:the )?1[89]\d\d\b|the 1[89]\d0s|\d+ years ago|"
    r"(?:fifty|forty|thirty|twenty|ten|a hundred|hundred|[a-z]{1,12}(?:-[a-z]{1,12})?) years ago|decades ago|"
    r"centuries ago|\d{1,2}(?:st|nd|rd|th)[- ]century|world war (?:i|ii|one|two|1|2)\b)",
    re.IGNORECASE,
)
#: Remembrance: an anniversary, a memorial, a museum. A toll beside one is history; forces posted for one are news.
COMMEMORATION = re.compile(r"\b(?:anniversary|commemorat\w*|memorial|museum|in memory of|remembrance)",
                           re.IGNORECASE)


def is_historical(text: str, start: int, end: int, *, reach: int = 80, commemorations: bool = True) -> bool:
    """True when a cue of history (``PAST_TIME``, and ``COMMEMORATION`` unless told not to) stands within
    ``reach`` characters of ``text[start:end]``: a figure or a movement there is about history, not the news."""
    patterns = (PAST_TIME, COMMEMORATION) if commemorations else (PAST_TIME,)
    return any(abs(start - m.end()) < reach or abs(m.start() - end) < reach
               for pattern in patterns for m in pattern.finditer(text))


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
#: A time named as the time of what is told: "in 2009", "since 2014", "during 2011", "in mid-2015", "in March
#: 2003", "in May this year", "last May" ("of 2000 troops" and "by 2030" are not: a count and a deadline; "may"
#: alone is a verb).
_MONTH = "(?:" + "|".join(_MONTHS) + ")"
_NAMED_TIME = re.compile(
    r"\b(?:in|since|during|between|from|until)\s+(?:(?:early|late|mid)[- ])?(?:(?P<month>" + _MONTH + r")\s+)?"
    r"(?P<year>(?:19|20)\d\d)\b(?!\s+(?:\w+\s+)?(?:troops|soldiers|people|personnel|men|civilians|police|fighters))|"
    r"\b(?:in|since|during|from|until)\s+(?:(?:early|late|mid)[- ])?(?P<month2>" + _MONTH + r")\b(?![\s,]+\d)"
    r"(?:\s+(?P<rel>this year|last year))?|"
    r"\blast\s+(?P<last>" + _MONTH + r")\b",
    re.IGNORECASE,
)
#: What keeps a figure news whatever past time stands beside it: a time of days ("on Tuesday", "this week",
#: "yesterday") or a future ("will withdraw", "is expected to").
_NEWS_NOW = re.compile(
    r"\b(?:today|tonight|yesterday|this (?:week|month|morning|afternoon|evening|weekend)|last (?:night|week)|"
    r"(?:on |late |early )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|earlier today|"
    r"will|would|shall|'ll|(?:is|are) (?:set|expected|due|to) to|plans? to)\b",
    re.IGNORECASE,
)
_ISO_MONTH = re.compile(r"\s*((?:19|20)\d\d)-(\d\d)")


def published_month(published: str | None) -> int | None:
    """An article's ``published`` date (ISO 8601, as sources and page metadata give it) as a count of months
    (``year * 12 + month - 1``), if it has one."""
    m = _ISO_MONTH.match(published or "")
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return int(m.group(1)) * 12 + int(m.group(2)) - 1


def published_year(published: str | None) -> int | None:
    """The year of an article's ``published`` date, if it has one."""
    month = published_month(published)
    return None if month is None else month // 12


def _months_ago(m: re.Match[str], now: int) -> int | None:
    """How many months before ``now`` the named time ends; None for a month named alone with no year we can
    place it in ("in May" reads as the last May before the article)."""
    month = m.group("month") or m.group("month2") or m.group("last")
    year = m.group("year")
    if year is not None:
        # a bare year is over at its December; a month of a year, at that month
        end = int(year) * 12 + (_MONTHS.index(month.lower()) if month else 11)
        return now - end
    if month is None:
        return None
    index = _MONTHS.index(month.lower())
    this_year = now // 12
    rel = (m.group("rel") or "").lower()
    if rel == "last year" or (m.group("last") and index >= now % 12):
        return now - ((this_year - 1) * 12 + index)
    if rel == "this year" or index <= now % 12:
        return now - (this_year * 12 + index)
    return now - ((this_year - 1) * 12 + index)  # "in November" in a May article: the last November


def is_before(text: str, start: int, end: int, published: int | None, *, reach: int = 80) -> bool:
    """True when ``text`` (a sentence) names as a time, within ``reach`` characters of ``text[start:end]`` or at
    its opening, one
    well before the article's own (``published``, see :func:`published_month`) — a year at least two before its
    year, a month at least three before its month — and no time of days or future keeps it news: "the last
    outbreak was in 2009, when several people died" in a 2019 article, "400,000 killed since 2011", "in May this
    year ... plague killed a couple" in November. Not: "killed 30 villagers on Sunday" beside "founded in 2002",
    "troops will withdraw under the deal signed in 2016", "In December 2018, 40 were killed" in a January 2019
    article. Without the article's date nothing is (a 2009 article tells 2009's news); the 20th century is
    :func:`is_historical`'s whatever the date."""
    if published is None or _NEWS_NOW.search(text):
        return False
    for m in _NAMED_TIME.finditer(text):
        # a time that opens the sentence ("In May this year, ...") is the time of all of it
        if not (abs(start - m.end()) < reach or abs(m.start() - end) < reach or not text[:m.start()].strip()):
            continue
        ago = _months_ago(m, published)
        if ago is None:
            continue
        if m.group("year") is not None and not m.group("month"):
            if int(m.group("year")) <= published // 12 - 2:
                return True
        elif ago >= 3:
            return True
    return False


def clause_before(text: str, pos: int, max_chars: int = 80) -> str:
    """The text of the clause before ``pos`` (at most ``max_chars``)."""
    window = text[max(0, pos - max_chars):pos]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    return window[breaks[-1].end():] if breaks else window


def is_negated(text: str, pos: int, max_chars: int = 60) -> bool:
    """True when a negation cue stands in the same clause before ``pos``."""
    return NEGATION.search(clause_before(text, pos, max_chars)) is not None


def is_hypothetical(text: str, pos: int, max_chars: int = 60) -> bool:
    """True when a modal, conditional or intention cue stands in the same clause before ``pos``."""
    return HYPOTHETICAL.search(clause_before(text, pos, max_chars)) is not None
