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
    # "may" the modal, not the month: "the May 5 bombing", "in May, gunmen killed 12", "since May"
    r"\b(?:could|would|might|(?<!\bin )(?<!\bsince )(?<!\blast )(?<!\bthis )(?<!\bof )(?<!\buntil )(?<!\bby )"
    r"(?<!\bearly )(?<!\blate )(?<!\bnext )(?<!\bmid-)may(?!\s*\d)(?!,)|should|if|unless|risk|risks|"
    r"threaten(?:s|ed)? to|threat to|"
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
#: A month's name, whole or abbreviated ("March", "mar", "Sept", "september"; any dot after it is not included),
#: for patterns compiled case-insensitively. Detectors that read dates build on this one pattern.
MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|" \
        r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_MONTH_NAME = "(?:" + "|".join(_MONTHS) + ")"
#: A past year named as the time of what is told: "in 2009", "during 2011", "in March 2003", "in mid-2015" ("of
#: 2000 troops" and "by 2030" are not: a count and a deadline; "since 2011" dates a span, not the figure).
_NAMED_YEAR = re.compile(
    r"\b(?:in|during)\s+(?:(?:early|late|mid)[- ])?(?:" + _MONTH_NAME + r"\s+)?((?:19|20)\d\d)\b"
    r"(?!\s+(?:\w+\s+)?(?:troops|soldiers|people|personnel|men|civilians|police|fighters))",
    re.IGNORECASE,
)
#: What keeps a figure news whatever past year stands in its sentence: a time of days ("on Tuesday", "this week",
#: "yesterday", "on November 16", "last month") or a future ("will withdraw", "is to", "next year").
_NEWS_NOW = re.compile(
    r"\b(?:today|tonight|yesterday|this (?:week|month|morning|afternoon|evening|weekend|year)|"
    r"last (?:night|week|month)|next (?:week|month|year)|(?:on |late |early )?(?:monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday)|earlier today|" + _MONTH_NAME + r"\s+\d{1,2}\b|\d{1,2}\s+" + _MONTH_NAME + r"\b|"
    r"will|would|shall|'ll|(?:is|are) (?:set |expected |due )?to|"
    r"plans? to|ahead of|upcoming|overnight|hours? ago|(?:at|over) the weekend|(?:in )?recent days|"
    r"(?:in )?the (?:past|last) (?:\d+|few|two|three|twenty-four) (?:hours|days|weeks)|"
    r"(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.\s*\d{1,2}|\d{1,2}\s+(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?)\b",
    re.IGNORECASE,
)
#: Between a year and its figure, what starts another clause (the year then dates something else).
_CLAUSE_GAP = re.compile(r"[,;:()]|\b(?:and|but|which|that|who|whose|where|after|before|when|while|since)\b",
                         re.IGNORECASE)
#: "The last outbreak was in 2009, when several people died": the year, then the figure's "when" clause.
_WHEN = re.compile(r"^,?\s+when\b", re.IGNORECASE)
_ISO_YEAR = re.compile(r"\s*((?:19|20)\d\d)-(\d\d)")
#: Between an opening month and the figure, what starts another clause (the month then dates something else;
#: "after", "when" and "before" clauses are told at the same time).
_MONTH_CLAUSE_GAP = re.compile(r"[,;:()]|\b(?:and|but|which|that|who|whose|where|while|whereas|since)\b",
                               re.IGNORECASE)
#: After an opening month, what says the figure is current or still running ("has since risen to 40").
_STILL_NEWS = re.compile(r"\b(?:now|so far|since|latest|has|have)\b", re.IGNORECASE)
#: A sentence opening with a month of this year or last: "In May this year, ...", "Back in December last year, ...".
_OPENING_MONTH = re.compile(r"\s*(?:back )?(?:in|during)\s+(?:(?:early|late|mid)[- ])?(" + _MONTH_NAME
                            + r")\s+(this|last)\s+year\s*,", re.IGNORECASE)


def published_year(published: str | None) -> int | None:
    """The year of an article's ``published`` date (ISO 8601, as sources and page metadata give it), if any."""
    m = _ISO_YEAR.match(published or "")
    return int(m.group(1)) if m else None


def published_month(published: str | None) -> int | None:
    """The month (1-12) of an article's ``published`` date (ISO 8601), if any."""
    m = _ISO_YEAR.match(published or "")
    return int(m.group(2)) if m and 1 <= int(m.group(2)) <= 12 else None


def published_when(published: str | None) -> tuple[int | None, int | None]:
    """(year, month) of an article's ``published`` date: what :func:`is_before` weighs a figure's date against."""
    return published_year(published), published_month(published)


def is_before(text: str, start: int, end: int, year: int | None, month: int | None = None) -> bool:
    """True when ``text`` (a sentence) dates the figure at ``text[start:end]`` to a year at least two before the
    article's own (``year``, see :func:`published_year`), and nothing in the sentence keeps it news (a time of
    days, a date, a future). The year must be the figure's own: opening the sentence ("In 2009, several people
    died"), beside it in its clause ("died in 2009", "killed in March 2003"), or heading its "when" clause ("the
    last outbreak was in 2009, when several people died"). Not: "killed 12 on Sunday" beside "founded in 2002",
    "killed 12 people, the deadliest attack since 2015", "troops will withdraw under the deal signed in 2016".
    Without the article's year nothing is (a 2009 article tells 2009's news); the 20th century is
    :func:`is_historical`'s whatever the date.

    Given the article's ``month`` too, a figure in the clause that a month of this year or last opens, at least
    two months before the article's ("In May this year, an outbreak killed a couple", in a November article), is
    dated by it — not one in a later clause ("In April this year, the offensive began, and air strikes killed
    11"), nor in a sentence that says it is current or running ("overnight", "at the weekend", "Nov. 16", "has
    since risen to 40", "so far")."""
    if year is None:
        return False
    if month is not None and (opening := _OPENING_MONTH.match(text)) is not None:
        told = (year - (opening.group(2).lower() == "last")) * 12 + _MONTHS.index(opening.group(1).lower())
        if (year * 12 + month - 1 - told >= 2 and opening.end() <= start
                and not _MONTH_CLAUSE_GAP.search(text, opening.end(), start)
                and not _NEWS_NOW.search(text, opening.end()) and not _STILL_NEWS.search(text, opening.end())):
            return True
    if _NEWS_NOW.search(text):
        return False
    for m in _NAMED_YEAR.finditer(text):
        if int(m.group(1)) > year - 2:
            continue
        if not text[:m.start()].strip() and text[m.end():].lstrip().startswith(","):
            return True  # a year opening the sentence dates all of it
        if m.end() <= start:
            gap = text[m.end():start]
            when = _WHEN.match(gap)
            if when and len(gap) <= 40 and not _CLAUSE_GAP.search(gap, when.end()):
                return True
        elif m.start() >= end:
            gap = text[end:m.start()]
        else:
            continue
        if len(gap) <= 25 and not _CLAUSE_GAP.search(gap):
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
