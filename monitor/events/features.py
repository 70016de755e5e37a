"""What the clustering reads from one article: words, shingles for near-duplicates, named actors.

Plain functions over text, no state: the same article always gives the same features.
"""

from __future__ import annotations

import re
import sys
from collections import Counter

__all__ = ["HEAD_CHARS", "STOPWORDS", "entities", "shingles", "words"]

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
_NAME_BREAK = re.compile(r"[,;:()\"\n!?.]")


def words(text: str) -> list[str]:
    """Lower-case content words of ``text`` (stop words and one-letter words dropped, possessives cut)."""
    out: list[str] = []
    for match in _WORD.finditer(text[:HEAD_CHARS]):
        word = match.group().lower()
        if word.endswith(("'s", "’s")):
            word = word[:-2]
        if len(word) > 1 and word not in STOPWORDS:
            out.append(sys.intern(word))
    return out


def shingles(text: str, size: int = 3) -> set[str]:
    """Overlapping runs of ``size`` words (all words, lower case): what wire copies share and rewrites do not."""
    tokens = [m.group().lower() for m in _WORD.finditer(text[:HEAD_CHARS])]
    if len(tokens) < size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def entities(text: str) -> Counter[str]:
    """Named actors and places: runs of capitalised words that do not open a sentence, lower-cased.

    "the Red Cross said" gives ``red cross``; the opening word of a sentence counts only as part of a run of
    two or more ("Vladimir Putin said" gives ``vladimir putin``; "Officials said" gives nothing).
    """
    found: Counter[str] = Counter()
    matches = list(_WORD.finditer(text[:HEAD_CHARS]))
    i = 0
    while i < len(matches):
        word = matches[i].group()
        if not word[:1].isupper():
            i += 1
            continue
        opens = i == 0 or bool(_NAME_BREAK.search(text, matches[i - 1].end(), matches[i].start()))
        run = [word]
        j = i + 1
        while (
            j < len(matches)
            and matches[j].group()[:1].isupper()
            and not _NAME_BREAK.search(text, matches[j - 1].end(), matches[j].start())
        ):
            run.append(matches[j].group())
            j += 1
        while run and run[0].lower() in STOPWORDS:
            run.pop(0)
            opens = False
        if run and (len(run) > 1 or not opens):
            name = " ".join(run).lower()
            if name not in STOPWORDS:
                found[sys.intern(name)] += 1
        i = j
    return found
