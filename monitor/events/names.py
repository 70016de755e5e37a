"""Runs of capitalised words in text — where names are — found by one regular expression.

Both the places (:mod:`monitor.events.places`) and the named actors (:func:`monitor.events.features.entities`)
read names from these runs. A run is broken by punctuation, so "Kharkiv, Ukraine" is two runs; "of", "and",
"de", "the" ... between capitalised words join them ("Democratic Republic of the Congo", "Bosnia and
Herzegovina"). Each run comes with the word before it, or "" when it opens a sentence or a clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Run", "capitalised_runs"]

# every upper-case letter of the Latin, Greek and Cyrillic blocks
_UPPER = re.escape("".join(chr(c) for c in range(0x41, 0x530) if chr(c).isupper()))
_CAPITALISED = rf"(?:[A-Z]\.){{2,}}|[{_UPPER}](?:[\w'’\-]*\w)?"
_JOINERS = r"(?:of|and|de|del|la|le|da|do|du|al|el|the)"
_RUN = re.compile(rf"(?<![\w'’\-])(?:{_CAPITALISED})(?:[ \t]+(?:{_JOINERS}[ \t]+)*(?:{_CAPITALISED}))*")


@dataclass(frozen=True, slots=True)
class Run:
    words: tuple[str, ...]
    before: str  # the word before, lower case; "" at the start of a sentence or clause
    start: int

    @property
    def opens(self) -> bool:
        """The run opens a sentence or clause (its first word is capitalised by grammar, not as a name)."""
        return not self.before


def capitalised_runs(text: str) -> list[Run]:
    runs = []
    for match in _RUN.finditer(text):
        start = match.start()
        runs.append(Run(tuple(match.group().split()), _word_before(text, start), start))
    return runs


def _word_before(text: str, start: int) -> str:
    """The word just before ``start`` on the same clause, lower case; "" after punctuation or a line break."""
    chunk = text[max(0, start - 40) : start]
    stripped = chunk.rstrip(" \t")
    if stripped == chunk or not stripped or not stripped[-1].isalpha():
        return ""
    return stripped.rsplit(None, 1)[-1].lstrip("\"'‘“(").lower()
