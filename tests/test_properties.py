"""Property-based tests for the parts that take text from outside: number parsing, URL canonicalisation,
config loading, feed entry mapping, and the detectors on arbitrary text."""

from __future__ import annotations

import itertools
import re

import feedparser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.config import parse_config
from monitor.errors import ConfigError
from monitor.model import Article
from monitor.sources.feed import entry_document
from monitor.testing import detect
from monitor.text import LiteralStarts, find_quantities, lower_same_length, split_sentences, trie_pattern
from monitor.text.sentences import _BOUNDARY
from monitor.urls import canonical_url

NEWSY = st.lists(
    st.sampled_from([*"abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ.,;:-'\"0123456789\n",
                     "killed ", "wounded ", "at least ", "dozens ", "two hundred and ", "troops ", "deployed ",
                       "1,200 ", "twenty-three ", "no one ", "could ", "including ", "death toll ", "é", "☃",
                     "\u200b", "people were ", "soldiers ", "will withdraw ", "vowed revenge "]),
    max_size=120,
).map("".join)


@given(NEWSY)
@settings(max_examples=300, deadline=None)
def test_quantities_point_into_the_text_and_are_sane(text: str) -> None:
    for q in find_quantities(text):
        assert text[q.start:q.end] == q.text
        assert q.count is None or q.count >= 0
        assert q.upper is None or q.count is None or q.upper > q.count
        assert (q.count is None) == (q.qualifier == "vague")


@given(NEWSY)
@settings(max_examples=200, deadline=None)
def test_sentences_cover_the_text_in_order(text: str) -> None:
    spans = split_sentences(text)
    assert all(0 <= s.start < s.end <= len(text) for s in spans)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


@given(NEWSY)
@settings(max_examples=300, deadline=None)
def test_sentence_boundaries_are_tried_where_the_regex_alone_finds_them(text: str) -> None:
    """The splitter tries ``_BOUNDARY`` only at ``.!?`` and line breaks: the boundaries it considers are exactly
    ``_BOUNDARY.finditer``'s."""
    tried: list[tuple[int, int]] = []
    real = _BOUNDARY.match

    class Spy:
        def match(self, s: str, pos: int) -> object:
            m = real(s, pos)
            if m is not None:
                tried.append(m.span())
            return m

    import monitor.text.sentences as sentences
    original = sentences._BOUNDARY
    sentences._BOUNDARY = Spy()  # type: ignore[assignment]
    try:
        sentences._split.__wrapped__(text)
    finally:
        sentences._BOUNDARY = original
    assert tried == [m.span() for m in _BOUNDARY.finditer(text)]


CUE_WORDS = ["kill", "killed", "wound", "dead", "die", "troop", "troops", "at least", "no one", "é"]


@given(NEWSY, st.lists(st.sampled_from(CUE_WORDS), min_size=1, max_size=6))
@settings(max_examples=300, deadline=None)
def test_literal_starts_are_the_regex_own_starts(text: str, words: list[str]) -> None:
    low = lower_same_length(text)
    for regex in (re.compile(rf"\b(?:{trie_pattern(words)})"), re.compile(rf"\b(?:{trie_pattern(words)})\b")):
        assert LiteralStarts(regex, words).starts(low) == [m.start() for m in regex.finditer(low)]


@given(NEWSY)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_detectors_never_raise_and_evidence_is_exact(text: str) -> None:
    for name in ("casualties", "deployments", "escalation"):
        detect(name, text)  # detect() checks every evidence span against the text


URLS = st.builds(
    lambda scheme, host, port, path, query, frag: f"{scheme}://{host}{port}{path}{query}{frag}",
    st.sampled_from(["http", "https", "HTTP", "HtTpS"]),
    st.sampled_from(["example.org", "EXAMPLE.org", "news.example.co.uk", "127.0.0.1", "[::1]", "xn--bcher-kva.ch"]),
    st.sampled_from(["", ":80", ":443", ":8080", ":99999", ":abc"]),
    st.text(alphabet="/abcXYZ%-_.~", max_size=30),
    st.lists(st.sampled_from(["utm_source=rss", "id=7", "fbclid=xyz", "a=1", "b=", "utm_medium=x", "Z=9"]),
             max_size=5).map(lambda qs: "?" + "&".join(qs) if qs else ""),
    st.sampled_from(["", "#top", "#"]),
)


@given(URLS)
@settings(max_examples=300, deadline=None)
def test_canonical_url_is_idempotent_and_drops_tracking(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once
    assert "utm_" not in once and "fbclid" not in once and "#" not in once


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_config_loading_either_parses_or_names_the_problem(text: str) -> None:
    try:
        parse_config(text, "fuzz.toml", env={})
    except ConfigError as exc:
        assert str(exc).startswith("fuzz.toml")


TOML_VALUES = st.one_of(
    st.integers().map(str), st.sampled_from(["true", "false", "[]", '["a"]', "1.5", '"5m"', '"high"']),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FFF, exclude_characters='"\\'),
            max_size=10).map(lambda s: f'"{s}"'),
)


@given(st.sampled_from(["daemon", "detectors.casualties", "detectors.escalation", "plugins"]),
       st.sampled_from(["state_dir", "min_count", "enabled", "min_severity", "dirs", "extra_killed", "nonsense"]),
       TOML_VALUES)
@settings(max_examples=300, deadline=None)
def test_config_tables_with_wrong_types_name_file_and_key(table: str, key: str, value: str) -> None:
    from monitor.pipeline import build_pipeline
    from monitor.plugins import build_plugins

    text = f"[{table}]\n{key} = {value}\n"
    try:
        build_pipeline(build_plugins(), parse_config(text, "c.toml", env={}))
    except ConfigError as exc:
        # a schema error names the key; a TOML syntax error (e.g. a DEL character) names the line
        assert str(exc).startswith("c.toml") and (key in str(exc) or "line" in str(exc))


ENTRY_FIELDS = st.fixed_dictionaries({}, optional={
    "id": st.text(max_size=40), "link": st.text(max_size=60), "title": st.text(max_size=60),
    "summary": st.text(max_size=200), "updated": st.text(max_size=30),
    "content": st.lists(st.fixed_dictionaries({"value": st.text(max_size=200)}), max_size=2),
})


@given(ENTRY_FIELDS)
@settings(max_examples=300, deadline=None)
def test_feed_entry_mapping_never_raises(fields: dict) -> None:  # type: ignore[type-arg]
    entry = feedparser.FeedParserDict(fields)
    doc = entry_document("fuzz", entry)
    if doc is not None:
        assert doc.key and doc.source == "fuzz"
        if doc.fallback_text:
            Article.create(doc.fallback_text)  # the text is usable as an article
