"""The sentence's meaning in the learned decisions (monitor.text.vectors): what training fits on the dense mean
is exactly what inference reads from the projected word weights."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from monitor.text import vectors
from monitor.text.learned import Decision, context_features


def test_a_sentence_reads_as_shares_of_its_known_words() -> None:
    feats = vectors.sentence_features("the army would nuke the town xqzvbnm town".split())
    assert set(feats) == {"vec:army", "vec:would", "vec:nuke", "vec:town"}  # "the" weighs nothing; unknown dropped
    assert sum(feats.values()) == pytest.approx(1.0)
    assert feats["vec:nuke"] > feats["vec:army"]  # the rarer word weighs more
    assert vectors.sentence_features(["the", "xqzvbnm"]) == {}


def test_projected_word_weights_give_the_same_margin_as_the_dense_mean() -> None:
    rng = random.Random(7)
    embedding = [rng.uniform(-1, 1) for _ in range(50)]
    per_word = vectors.word_weights(embedding)
    text = "Rebel commanders vowed to retaliate with rockets unless the army withdrew from the valley."
    feats = context_features(text, (0, len(text)), (15, 26))
    dense = vectors.dense(feats)
    assert not any(k.startswith("vec:") for k in dense)
    assert [f"emb:{i}" in dense for i in range(50)] == [True] * 50
    via_dense = sum(w * dense[f"emb:{i}"] for i, w in enumerate(embedding))
    via_words = sum(per_word.get(k, 0.0) * v for k, v in feats.items() if k.startswith("vec:"))
    assert via_words == pytest.approx(via_dense, rel=1e-4, abs=1e-5)


def test_a_trained_model_carries_the_meaning_as_word_weights_with_the_same_margins() -> None:
    """``fit`` trains on the dense mean and ships one weight per word: the shipped file's margin is the model's."""
    pytest.importorskip("sklearn")
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    from monitor.learn import Dataset, fit

    threats = ["would crush the rebels", "vowed to bomb the city", "will attack the base", "threatened to shell towns",
               "warned it would strike the camps", "will destroy the enemy"]
    others = ["would cut interest rates", "vowed to win the final", "will open the museum", "threatened to sue firms",
              "warned it would raise taxes", "will launch the phone"]
    rows = []
    for i, text in enumerate(threats * 3 + others * 3):
        feats = context_features(text, (0, len(text)), (0, 5))
        rows.append((feats, int(i < len(threats) * 3), f"item-{i}"))
    model = fit(Dataset(rows), "toy", min_df=1)
    assert model["format"] == 1 and not any(k.startswith("emb:") for k in model["weights"])
    assert sum(k.startswith("vec:") for k in model["weights"]) > 20_000  # every word of the table, not the seen ones
    decision = Decision(detector="toy", weights=model["weights"], bias=model["bias"])
    # The same fit on the dense features, by hand: its margins are the shipped file's, up to the 4-decimal rounding.
    dense = [vectors.dense(r[0]) for r in rows]
    vec = DictVectorizer()
    x = vec.fit_transform(dense)
    reference = LogisticRegression(C=model["metrics"]["C"], max_iter=2000, random_state=0).fit(x, [r[1] for r in rows])
    for (feats, _, _), m in zip(rows, reference.decision_function(x), strict=True):
        assert decision.margin(feats) == pytest.approx(m, abs=0.01)
    unseen = "would invade the garrison"  # no word of it labelled, "invade" in the table
    assert "vec:invade" in context_features(unseen, (0, len(unseen)), (0, 5))
    assert decision.margin(context_features(unseen, (0, len(unseen)), (0, 5))) > decision.margin(
        context_features("would renovate the library", (0, 27), (0, 5)))


def test_the_shipped_escalation_model_weighs_words_its_bag_of_words_has_no_weight_for() -> None:
    """The point of the vectors: words the sentence's bag of words gave no weight (too rare in the labelled
    sentences, or absent) still carry their meaning's — force above a recipe."""
    path = Path(__file__).resolve().parent.parent / "plugins" / "models" / "escalation.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == 1
    seen = {k[2:] for k in data["weights"] if k.startswith("s:")}
    # (the probes were "airstrikes" and "nuke" until the sixteenth session's headlines gave both a weight of their own)
    probes = ("airstrike", "warheads", "recipe")
    assert not seen & set(probes), "a probe word has a weight of its own"
    w = {p: data["weights"]["vec:" + p] for p in probes}
    assert min(w["airstrike"], w["warheads"]) > w["recipe"]
