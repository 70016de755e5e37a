"""Public helpers for detector authors: sentences, quantities, phrase matching, negation, hedging and history cues.

Everything here works on plain ``str`` and returns character offsets into that string, so findings can
carry exact evidence spans.
"""

from monitor.text.cues import (
    MONTH,
    is_before,
    is_historical,
    is_hypothetical,
    is_negated,
    published_month,
    published_when,
    published_year,
)
from monitor.text.matcher import LiteralStarts, Match, PhraseMatcher, lower_same_length, trie_pattern
from monitor.text.numbers import Quantity, find_quantities, parse_quantity
from monitor.text.sentences import Span, is_link_line, sentence_at, sentence_index, split_sentences

__all__ = [
    "MONTH",
    "LiteralStarts",
    "Match",
    "PhraseMatcher",
    "Quantity",
    "Span",
    "find_quantities",
    "is_before",
    "is_historical",
    "is_hypothetical",
    "is_link_line",
    "is_negated",
    "lower_same_length",
    "parse_quantity",
    "published_month",
    "published_when",
    "published_year",
    "sentence_at",
    "sentence_index",
    "split_sentences",
    "trie_pattern",
]
