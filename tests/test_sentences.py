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
