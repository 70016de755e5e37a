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


def test_a_format_2_model_loads_its_embedding_onto_the_words(tmp_path: Path) -> None:
    model = {"format": 2, "detector": "x", "bias": -1.0, "weights": {"s:war": 0.5}, "embedding": [0.1] * 50,
             "calibration": {"a": 1.0, "b": 0.0}, "threshold": 0.5}
    path = tmp_path / "x.json"
    path.write_text(json.dumps(model), encoding="utf-8")
    decision = Decision.load(path)
    assert decision.weights["s:war"] == 0.5
    assert decision.weights["vec:army"] == pytest.approx(vectors.word_weights([0.1] * 50)["vec:army"])
    margin = decision.margin({"s:war": 1.0, "vec:army": 1.0})
    assert margin == pytest.approx(-1.0 + 0.5 + decision.weights["vec:army"])
    path.write_text(json.dumps({**model, "format": 3}), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown model format 3"):
        Decision.load(path)


def test_the_shipped_escalation_model_weighs_words_it_never_saw_labelled() -> None:
    """The point of the vectors: words absent from every labelled sentence still carry their meaning's weight —
    force above a recipe."""
    path = Path(__file__).resolve().parent.parent / "plugins" / "models" / "escalation.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == 2 and len(data["embedding"]) == 50
    seen = {k[2:] for k in data["weights"] if k.startswith("s:")}
    probes = ("airstrikes", "nuke", "recipe")
    assert not seen & set(probes), "a probe word was in the labelled sentences"
    w = {p: Decision.load(path).weights["vec:" + p] for p in probes}
    assert min(w["airstrikes"], w["nuke"]) > w["recipe"]
