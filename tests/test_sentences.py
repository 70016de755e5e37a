"""Sentences respect the page: a heading, a byline, a caption and a paragraph are never glued to the next line,
and a full stop that lost its space still ends a sentence; evidence stays inside one sentence."""

from __future__ import annotations

from monitor import Article
from monitor.pipeline import build_pipeline
from monitor.plugins import build_plugins
from monitor.text import split_sentences


def _sentences(text: str) -> list[str]:
    return [text[s.start:s.end] for s in split_sentences(text)]


def test_heading_byline_caption_and_paragraphs_are_their_own_sentences() -> None:
    text = ("Dispatch\nBy Jo Reporter, Staff Writer\nTroops were sent to the border on Monday.\n"
            "Photo: soldiers in 1991 during the withdrawal\nSecond paragraph starts here.")
    assert _sentences(text) == ["Dispatch", "By Jo Reporter, Staff Writer", "Troops were sent to the border on Monday.",
                                "Photo: soldiers in 1991 during the withdrawal", "Second paragraph starts here."]


def test_a_full_stop_that_lost_its_space_still_ends_a_sentence() -> None:
    text = "Police said the market was calm on Monday.The army later said troops had killed five militants."
    assert _sentences(text) == ["Police said the market was calm on Monday.",
                                "The army later said troops had killed five militants."]
    # Abbreviations, initials and decimals are not glued sentences.
    assert len(_sentences("The U.S. Army sent 2.5 brigades, Gen. J. Smith said.")) == 1


def test_evidence_never_spans_two_sentences() -> None:
    pipeline = build_pipeline(build_plugins())
    text = ("Four people were killed in the attack, officials said.The army deployed 3,000 troops.\n"
            "Rebels vowed to strike again within days.\nThe toll rose to nine on Tuesday.")
    article = Article.create(text)
    spans = split_sentences(text)
    _, findings = pipeline.run(article)
    assert findings
    for f in findings:
        for ev in f.evidence:
            assert any(s.start <= ev.start and ev.end <= s.end for s in spans), (f.summary, ev.text)


def test_a_run_without_full_stops_is_cut_at_clause_breaks_under_the_cap() -> None:
    """A page without full stops (a list, a flattened table) is not one sentence of the whole page: it is cut after
    its last comma or semicolon before ``MAX_SENTENCE`` characters, else at a space, else at the cap."""
    from monitor.text.sentences import MAX_SENTENCE

    listing = "; ".join(f"item {i}, two rifles and {i} rounds" for i in range(400))
    spans = split_sentences(listing)
    assert len(spans) > 1
    assert all(s.end - s.start <= MAX_SENTENCE for s in spans)
    assert all(listing[s.end - 1] in ",;" for s in spans[:-1])  # each cut after a clause break
    assert "".join(listing[s.start:s.end] for s in spans).replace(" ", "") == listing.replace(" ", "")
    word = "x" * (MAX_SENTENCE * 2 + 10)
    assert [(s.start, s.end) for s in split_sentences(word)] == [
        (0, MAX_SENTENCE), (MAX_SENTENCE, 2 * MAX_SENTENCE), (2 * MAX_SENTENCE, len(word))]
    long_real = "Reports say " + ", ".join(["the army sent troops"] * 40) + "."  # ~900 characters: not cut
    assert len(split_sentences(long_real)) == 1
