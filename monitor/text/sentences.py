"""Sentence splitting with character offsets.

A small rule-based splitter: the maintained libraries (pysbd, syntok) cost about a millisecond per
sentence or lack offsets, and detection must stay far below extraction time. Boundaries are line breaks
and ``.!?`` (plus closing quotes/brackets) followed by space and an upper-case letter, digit or opening
quote — unless the word before the period is a known abbreviation or an initial.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen lt col maj capt cpt sgt cpl pvt adm cmdr gov sen rep rev st mt ft jr sr co corp
    inc ltd no nos vs etc jan feb mar apr jun jul aug sep sept oct nov dec u.s u.n u.k e.g i.e a.m p.m approx
    dept est fig brig hon pres supt insp""".split()
)

#: A sentence ends at .!? (closing quotes kept) before space and a capital, digit or opening quote; at a line break
#: (headings, bylines, captions and paragraphs never join the next line); and at a full stop glued to the next
#: sentence's capitalised word ("Monday.The"), which pages lose spaces to.
_BOUNDARY = re.compile(
    r"""([.!?]+)(["'”’)\]]*)(\s+|(?<=[a-z][a-z]\.)(?=[A-Z][a-z]{2}))(?=["'“‘(\[]?[A-Z0-9])|\n+"""
)
_WORD_BEFORE = re.compile(r"([\w.]+)$")
#: Every boundary starts at one of these: ``_BOUNDARY`` is tried only there. Its own scan tried a match at every
#: character of the article; this one skips to the next candidate in C (a third of the splitting time).
_STOP = re.compile(r"[.!?\n]")


@dataclass(frozen=True, slots=True)
class Span:
    """``text[start:end]`` of the string it was computed on."""

    start: int
    end: int


def split_sentences(text: str) -> list[Span]:
    """Sentence spans of ``text``, whitespace trimmed, in order.

    Every detector splits the same article: the last few results are kept (a string's hash is cached, so
    the look-up costs nothing), and each caller gets its own list."""
    return list(_split(text))


@lru_cache(maxsize=8)
def _split(text: str) -> tuple[Span, ...]:
    spans: list[Span] = []
    start = pos = 0
    stop, boundary = _STOP.search, _BOUNDARY.match
    # The same boundaries, in the same order, as ``_BOUNDARY.finditer(text)``: no match can start elsewhere.
    while (c := stop(text, pos)) is not None:
        m = boundary(text, c.start())
        if m is None:
            pos = c.end()
            continue
        pos = m.end()
        if m.group(1):
            before = _WORD_BEFORE.search(text, max(0, m.start() - 20), m.start())
            word = before.group(1).lower() if before else ""
            if m.group(1) == "." and (word.rstrip(".") in ABBREVIATIONS or (len(word) == 1 and word.isalpha())):
                continue
            end = m.end(2)
        else:
            end = m.start()
        _add(text, start, end, spans)
        start = m.end()
    _add(text, start, len(text), spans)
    return tuple(spans)


#: The longest sentence a detector is given. No sentence of the 14,000 real news items is longer than 1,900
#: characters (the longest are incident reports that lost their full stops); a longer run (a list, a flattened
#: table, a page without a full stop) is cut at its last clause break before this length, else at a space, so that
#: rules that read a sentence once per number in it cost a bounded time per sentence, not the square of the page.
MAX_SENTENCE = 2500


def _add(text: str, start: int, end: int, spans: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > MAX_SENTENCE:
        cut = _cut(text, start, start + MAX_SENTENCE)
        _add(text, start, cut, spans)
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        spans.append(Span(start, end))


#: Where an over-long run may end, best first: after a clause break, at a dash between spaces, at any space.
_CUTS = (re.compile(r"[;,:](?=\s)"), re.compile(r"\s[-–—](?=\s)"), re.compile(r"\s"))


def _cut(text: str, start: int, limit: int) -> int:
    """Where to end an over-long run that starts at ``start``: after its last clause break (a semicolon, comma or
    colon, or a dash between spaces) in the second half before ``limit``, else at its last space, else at
    ``limit``."""
    half = start + (limit - start) // 2
    for pattern in _CUTS:
        ends = [m.end() for m in pattern.finditer(text, half, limit)]
        if ends:
            return ends[-1]
    return limit


def sentence_index(spans: list[Span], offset: int) -> int | None:
    """The index of the sentence containing character ``offset``, by binary search over ``split_sentences``
    output."""
    i = bisect_right([s.start for s in spans], offset) - 1
    if i >= 0 and spans[i].start <= offset < max(spans[i].end, spans[i].start + 1):
        return i
    return None


def sentence_at(spans: list[Span], offset: int) -> Span | None:
    """The sentence containing character ``offset``, by binary search over ``split_sentences`` output."""
    i = sentence_index(spans, offset)
    return None if i is None else spans[i]


#: A line that links to another story: "Read more: ...", "RELATED: ...", or, under a link box's heading ("DON'T
#: MISS", "RELATED"), headlines ending in a tag of their kind ("... [VIDEO]", "... [INSIGHT]|"), as news sites
#: leave them in extracted text.
_LINK_LABEL = re.compile(r"^\s*(?:read more|related|see also|more on this|don'?t miss|recommended)\s*[:|]",
                         re.IGNORECASE)
_LINK_TAG = re.compile(r"\[(?:video|pics?|photos?|gallery|insight|reaction|poll|watch|analysis|comment)\]\W*$",
                       re.IGNORECASE)
_LINK_HEADING = re.compile(r"^\W*(?:don'?t miss|related(?: stories| articles)?|read more|more on this|recommended|"
                           r"see also|top stories|most read|trending)\W*$", re.IGNORECASE)


def _headline(line: str) -> bool:
    line = line.strip()
    return bool(line) and len(line.split()) <= 20 and not line.endswith((".", "!", "?"))


def _line_edge(text: str, i: int, step: int) -> bool:
    """Whether only blanks stand between ``text[i]`` (going by ``step``) and a line break or the text's edge."""
    while 0 <= i < len(text) and text[i] in " \t\xa0":
        i += step
    return not 0 <= i < len(text) or text[i] == "\n"


def is_link_line(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` is a whole line of a link box: the headline of another story, not this one's
    text (no detector reads it): a short line without a full stop labelled "Read more:", or one ending in a tag
    ("[VIDEO]") under a link box's heading, alone or in a run of such lines. Read as before: a label glued to the
    story's own sentence ("Read more: ... killed 12 protesters on Monday."), a story line that ends with a tag
    outside a link box ("... the army said [VIDEO]"), a long line."""
    line = text[start:end]
    if not (_headline(line) and _line_edge(text, start - 1, -1) and _line_edge(text, end, 1)):
        return False
    if _LINK_LABEL.search(line):
        return True
    if not _LINK_TAG.search(line):
        return False
    previous = [ln for ln in text[max(0, start - 2000):start].split("\n")[-9:] if ln.strip()]
    for ln in reversed(previous):  # up the run of tagged headlines to its heading
        if _LINK_HEADING.match(ln):
            return True
        if not (_headline(ln) and _LINK_TAG.search(ln)):
            return False
    return False
