"""What the clustering reads from one article: words, shingles for near-duplicates, named actors.

Plain functions over text, no state: the same article always gives the same features.
"""

from __future__ import annotations

import functools
import re
import sys

from monitor.events.names import Run, capitalised_runs

__all__ = ["HEAD_CHARS", "STOPWORDS", "content", "entities", "entities_in_runs", "shingles", "tokens", "words"]

#: Only the head of an article is read: news puts the event first, and the tail (related links, boilerplate
#: trafilatura kept) is where unrelated articles look alike.
HEAD_CHARS = 4000

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself yourselves
    said says say told according also new one two three would could may might must shall us mr mrs ms
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow week weeks year years
    january february march april may june july august september october november december
    time times people reuters ap afp news report reports reported update updated last first year's
    """.split()
)

_WORD = re.compile(r"[^\W\d_][\w'’\-]*\w|[^\W\d_]", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Every word of the head of ``text``, lower case, in order (what shingles are made of)."""
    return _WORD.findall(text[:HEAD_CHARS].lower())


def words(text: str) -> list[str]:
    """Content words of ``text``: lower case, stop words and one-letter words dropped, possessives and plurals
    cut."""
    return content(tokens(text))


def content(tokens: list[str]) -> list[str]:
    """The content words among ``tokens`` (see :func:`words`)."""
    return [term for term in map(_term, tokens) if term]


@functools.lru_cache(maxsize=1 << 16)
def _term(token: str) -> str:
    """A token as an index term ("" for a stop word); cached: news repeats its words."""
    if token.endswith(("'s", "’s")):
        token = token[:-2]
    if len(token) < 2 or token in STOPWORDS:
        return ""
    # a light plural stripper: "missiles" and "missile" are one term; "ss", "us", "is" endings are kept
    if len(token) > 4 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        token = token[:-3] + "y" if token.endswith("ies") else token[:-1]
    return sys.intern(token)


def shingles(tokens: list[str], size: int = 3) -> set[str]:
    """Overlapping runs of ``size`` tokens: what wire copies share and rewrites do not."""
    if len(tokens) < size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def entities(text: str) -> set[str]:
    """Named actors and places: runs of capitalised words, lower-cased, that are names and not just the
    capital letter of a sentence.

    "the Red Cross said" gives ``red cross``; a run opening a sentence counts only with two words or more
    ("Vladimir Putin said" gives ``vladimir putin``; "Officials said" gives nothing).
    """
    return entities_in_runs(capitalised_runs(text[:HEAD_CHARS]))


def entities_in_runs(runs: list[Run]) -> set[str]:
    """:func:`entities` for a text whose capitalised runs are already found."""
    found = set()
    for run in runs:
        words = list(run.words)
        opens = run.opens
        while words and words[0].lower() in STOPWORDS:
            words.pop(0)
            opens = False
        if words and (len(words) > 1 or not opens):
            name = " ".join(words).lower()
            if name not in STOPWORDS:
                found.add(sys.intern(name))
    return found
