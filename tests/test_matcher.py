"""The phrase matcher and the literal-start scan: whole words, overlaps, offsets in characters (not bytes) on
text with accents and curly quotes, a phrase given twice, an automaton too large for a DFA."""

from __future__ import annotations

import re

from monitor.text import LiteralStarts, PhraseMatcher, lower_same_length, trie_pattern
from monitor.text import matcher as matcher_module


def spans(matcher: PhraseMatcher[str], text: str) -> list[tuple[int, int, str, str]]:
    return [(m.start, m.end, m.phrase, m.value) for m in matcher.find(text)]


def test_whole_words_only_and_overlaps_reported() -> None:
    m = PhraseMatcher({"cease fire": "calm", "fire": "force", "open fire": "force"})
    text = "They will open fire. Ceasefire held; cease fire now; firewall; misfire."
    found = spans(m, text)
    assert (10, 19, "open fire", "force") in found
    assert (15, 19, "fire", "force") in found
    assert [f for f in found if f[2].lower() == "cease fire"] == [(37, 47, "cease fire", "calm")]
    # "Ceasefire", "firewall" and "misfire" hold the letters but not the word
    assert all(text[s:e].lower() in {"open fire", "fire", "cease fire"} for s, e, _, _ in found)
    assert len(found) == 4
    assert [(x.start, x.end) for x in m.longest(text)] == [(10, 19), (37, 47)]


def test_offsets_count_characters_on_accented_text_and_curly_quotes() -> None:
    m = PhraseMatcher({"won't hesitate": "threat", "état d'urgence": "alert"})
    text = "Le président a déclaré l’état d’urgence. “We won’t hesitate,” said the général."
    found = spans(m, text)
    assert [text[s:e] for s, e, _, _ in found] == ["état d’urgence", "won’t hesitate"]
    assert [v for *_, v in found] == ["alert", "threat"]


def test_a_phrase_given_twice_keeps_its_last_value_and_case_is_ignored() -> None:
    m = PhraseMatcher([("Death to", "chant"), ("death  TO", "hostile")])
    assert m.size == 1
    assert spans(m, "Crowds chanted DEATH TO the invaders") == [(15, 23, "DEATH TO", "hostile")]
    assert PhraseMatcher({}).find("anything") == []


def test_an_automaton_past_the_dfa_size_or_in_another_script_finds_the_same(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    phrases = {f"word{i} strike": "x" for i in range(300)} | {"strike": "y"}
    text = "They said word17 strike and word299 strike, then a strike." * 3
    small = spans(PhraseMatcher(phrases), text)
    monkeypatch.setattr(matcher_module, "_DFA_BYTES", 10)
    assert spans(PhraseMatcher(phrases), text) == small
    assert len(small) == 15
    # a user's phrase in another script: an NFA, the same matches, offsets in characters
    cyrillic = PhraseMatcher({"удар возмездия": "threat", "strike": "y"})
    found = spans(cyrillic, "Обещали удар возмездия; a strike 😀 strike")
    assert [(s, e, v) for s, e, _, v in found] == [(8, 22, "threat"), (26, 32, "y"), (35, 41, "y")]


def test_literal_starts_on_accented_text_and_repeated_literals() -> None:
    words = ["kill", "killed", "die", "toll"]
    regex = re.compile(rf"\b(?:{trie_pattern(words)})\b")
    text = lower_same_length("Émeutes: «killed» 3; diehard; the toll — Toll, died? kill kill-killed é-die")
    starts = LiteralStarts(regex, [*words, "kill"]).starts(text)
    assert starts == [m.start() for m in regex.finditer(text)]
    assert [text[s:s + 4] for s in starts] == ["kill", "toll", "toll", "kill", "kill", "kill", "die"]
    # an empty literal: a match may begin anywhere, and the regex scans on its own
    assert LiteralStarts(regex, ["", "kill"]).starts(text) == starts
