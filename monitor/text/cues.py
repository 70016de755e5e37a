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
