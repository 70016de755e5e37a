"""Quantities the way an analyst reads them.

``find_quantities`` finds counts in text with their offsets: digits with separators ("5,200"; "23 000" with a
space or a thin space, as European and BBC copy writes thousands; "1.2 million"), number words ("two hundred
and twelve", "twenty-three" — via the maintained ``text2num`` library), "a dozen", qualifiers ("at least",
"more than", "nearly", "up to", "some"), ranges ("30 to 40", "between 30 and 40") and vague amounts
("dozens", "scores", "hundreds", "tens of thousands"), which get ``count=None`` and a conservative
``min_count`` in the way ACLED codes them (tens → 10, dozens → 12, scores → 20, hundreds → 100,
thousands → 1000).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from text_to_num import find_numbers

#: Qualifier words before a number, longest first; value is the ``qualifier`` attribute.
QUALIFIERS: dict[str, str] = {
    "at least": "at_least", "no fewer than": "at_least", "no less than": "at_least", "a minimum of": "at_least",
    "not less than": "at_least", "a total of": "exact", "as many as": "up_to", "up to": "up_to",
    "at most": "up_to", "fewer than": "up_to", "less than": "up_to", "under": "up_to", "just under": "about",
    "more than": "more_than", "over": "more_than", "upwards of": "more_than", "in excess of": "more_than",
    "above": "more_than", "nearly": "about", "almost": "about", "close to": "about", "about": "about",
    "around": "about", "approximately": "about", "roughly": "about", "some": "about", "an estimated": "about",
    "estimated": "about", "approx.": "about", "circa": "about", "the approximately": "about",
    "its approximately": "about", "its estimated": "about", "some estimated": "about",
}
_QUALIFIER_RE = re.compile(
    r"(?:\b(" + "|".join(sorted((re.escape(q) for q in QUALIFIERS), key=len, reverse=True)) + r")\s+)$",
    re.IGNORECASE,
)

#: Vague amounts: phrase -> conservative minimum (ACLED-style).
VAGUE: dict[str, int] = {
    "tens of thousands": 10000, "hundreds of thousands": 100000, "thousands": 1000, "hundreds": 100,
    "dozens": 12, "scores": 20, "tens": 10, "several dozen": 24, "a few dozen": 24, "many dozens": 24,
    "several hundred": 200, "a few hundred": 200, "several thousand": 2000, "a few thousand": 2000,
    "millions": 1000000, "several": 3, "a few": 2, "a number of": 2, "many": 10, "numerous": 10,
    "an unspecified number of": 2, "an unknown number of": 2, "a handful of": 2,
}
_VAGUE_RE = re.compile(
    r"\b(" + "|".join(sorted((re.escape(v) for v in VAGUE), key=len, reverse=True)) + r")\b", re.IGNORECASE
)

_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000, "lakh": 100_000}
_DIGITS = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d.,]|\s\d)|\d+)"
    r"(\.\d+)?(?:\s*(hundred|thousand|million|billion|lakh)\b)?(?![\w])"
)
_DOZEN = re.compile(r"\b(?:(a|one|two|three|four|five|half a)\s+)?dozen\b(?!s)", re.IGNORECASE)
_DOZEN_MULT = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "half a": 0.5, None: 1}
_A_SCALE = re.compile(r"\b(?:a|one)\s+(hundred|thousand)\b(?!s)", re.IGNORECASE)
_NUMBER_WORD = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|"
    r"billion)",
    re.IGNORECASE,
)
_ONE = re.compile(r"(?<!no )(?<!\w-)\bone\b(?!-)", re.IGNORECASE)
_SMALL_VALUES = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())} | {w: 10 * i for i, w in enumerate(
    "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}
_SMALL = re.compile(
    r"\b(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:one|two|three|four|five|six|seven|"
    r"eight|nine))?|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen)\b(?![-\s]+(?:hundred|thousand|million|billion))",
    re.IGNORECASE,
)
_WORD_TOKEN = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*|\d[\d,.]*|[^\sA-Za-z\d]")
_RANGE_SEP = re.compile(r"^\s*(?:to|-|–|—|or)\s*$", re.IGNORECASE)
_BETWEEN = re.compile(r"\bbetween\s+$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A count found in text: ``text[start:end]`` is the whole expression, qualifier included."""

    start: int
    end: int
    text: str
    count: int | None
    qualifier: str = "exact"
    upper: int | None = None
    min_count: int | None = None

    @property
    def value(self) -> int:
        """The count, or the conservative minimum of a vague amount."""
        return self.count if self.count is not None else (self.min_count or 0)


class _Tok:
    __slots__ = ("e", "s", "t")

    def __init__(self, m: re.Match[str]) -> None:
        self.t = m.group().lower()
        self.s = m.start()
        self.e = m.end()

    def text(self) -> str:
        return self.t

    def nt_separated(self, previous: _Tok) -> bool:
        return False

    def not_a_number_part(self) -> bool:
        return False


def _raw_numbers(text: str, vague: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(start, end, value) of plain numbers: digits, number words, dozens, 'a hundred'."""
    found: list[tuple[int, int, int]] = []
    for m in _DIGITS.finditer(text):
        whole = re.sub(r"[,\s]", "", m.group(1))
        if len(whole) > 15:
            continue  # a serial, a hash or a run of digits ("100 101 102 ..." read as one): no head count, and
            # past 308 digits no float either
        value = float(whole + (m.group(2) or ""))
        if m.group(3):
            value *= _SCALES[m.group(3).lower()]
        elif m.group(2):
            continue  # a bare decimal ("5.1", "2.44") is a measure, not a head count
        found.append((m.start(), m.end(), round(value)))
    for m in _DOZEN.finditer(text):
        mult = _DOZEN_MULT[m.group(1).lower() if m.group(1) else None]
        found.append((m.start(), m.end(), round(12 * mult)))
    for m in _A_SCALE.finditer(text):
        found.append((m.start(), m.end(), _SCALES[m.group(1).lower()]))
    # text2num leaves a lone "one" alone (it is often a pronoun) and skips a small number right after "and"
    # ("died and two others were hurt"); for head counts both are numbers.
    found.extend((m.start(), m.end(), 1) for m in _ONE.finditer(text))
    for m in _SMALL.finditer(text):
        tens, _, unit = m.group().lower().partition("-")
        value = _SMALL_VALUES[tens] + (_SMALL_VALUES.get(unit, 0) if unit else 0)
        found.append((m.start(), m.end(), value))
    # Tokenising for text2num is the costly part: only pay it when a number word is present.
    tokens = (
        [_Tok(m) for m in _WORD_TOKEN.finditer(text) if not m.group()[0].isdigit()]
        if _NUMBER_WORD.search(text) else []
    )
    if tokens:
        for occ in find_numbers(tokens, "en"):
            if occ.is_ordinal:
                continue
            start, end = tokens[occ.start].s, tokens[occ.end - 1].e
            word = text[start:end].lower()
            if word in {"a", "an"}:
                continue
            found.append((start, end, round(occ.value)))
    found.sort(key=lambda t: (t[0], -t[1]))
    out: list[tuple[int, int, int]] = []
    for item in found:
        if (out and item[0] < out[-1][1]) or any(s < item[1] and item[0] < e for s, e in vague):
            continue
        out.append(item)
    return out


def find_quantities(text: str) -> list[Quantity]:
    """Every count in ``text`` (numbers, ranges, vague amounts) with its qualifier, in order."""
    vague = [m for m in _VAGUE_RE.finditer(text) if not _vague_is_number_part(text, m)]
    nums = _raw_numbers(text, [m.span() for m in vague])
    quantities: list[Quantity] = []
    i = 0
    while i < len(nums):
        start, end, value = nums[i]
        upper = None
        qualifier = "exact"
        if i + 1 < len(nums) and _RANGE_SEP.match(text[end:nums[i + 1][0]]) and nums[i + 1][2] > value:
            between = _BETWEEN.search(text, max(0, start - 10), start)
            sep = text[end:nums[i + 1][0]].strip().lower()
            if sep != "or" or between is None:
                upper = nums[i + 1][2]
                end = nums[i + 1][1]
                qualifier = "range"
                i += 1
        elif i + 1 < len(nums) and text[end:nums[i + 1][0]].strip().lower() == "and":
            between = _BETWEEN.search(text, max(0, start - 10), start)
            if between and nums[i + 1][2] > value:
                start = between.start()
                upper = nums[i + 1][2]
                end = nums[i + 1][1]
                qualifier = "range"
                i += 1
        if qualifier != "range":
            q = _QUALIFIER_RE.search(text, max(0, start - 25), start)
            if q:
                qualifier = QUALIFIERS[q.group(1).lower()]
                start = q.start()
        quantities.append(Quantity(start, end, text[start:end], value, qualifier, upper))
        i += 1
    spans = [(q.start, q.end) for q in quantities]
    for m in vague:
        if any(s < m.end() and m.start() < e for s, e in spans):
            continue  # "as many as 200" is one quantity, up to 200, not also a vague "many"
        phrase = m.group(1).lower()
        quantities.append(Quantity(m.start(), m.end(), m.group(), None, "vague", None, VAGUE[phrase]))
    quantities.sort(key=lambda q: q.start)
    return quantities


def _vague_is_number_part(text: str, m: re.Match[str]) -> bool:
    """'some' and 'many' are only vague amounts when no number follows ('some 40 homes')."""
    word = m.group(1).lower()
    if word in {"some", "many", "several", "a few"}:
        return _STARTS_WITH_NUMBER.match(text, m.end()) is not None
    return False


_STARTS_WITH_NUMBER = re.compile(
    r"\s+(?:\d|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred|thousand|dozen|a dozen|a hundred)\b)",
    re.IGNORECASE,
)


def parse_quantity(text: str) -> Quantity | None:
    """The first quantity in ``text`` (e.g. ``parse_quantity("at least 14")``), or None."""
    found = find_quantities(text)
    return found[0] if found else None


def shift(q: Quantity, offset: int) -> Quantity:
    """The same quantity with its offsets moved by ``offset`` (for text found inside a sentence)."""
    return replace(q, start=q.start + offset, end=q.end + offset)
