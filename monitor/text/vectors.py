"""What a sentence's words mean, for the learned decisions: a model trained on "destroy" also weighs "obliterate".

A bag of words learns only the words its labelled sentences used, and threats are rare: a few hundred positives
cannot teach every way to say one. Word vectors carry what the words mean from billions of words of other text.
The table (``words50.npz``, about 1.5 MB) is GloVe 6B, 50 dimensions (Pennington, Socher and Manning, 2014;
Wikipedia and Gigaword; public domain under the ODC PDDL), its 30,000 most frequent words, quantised to int8 —
made by ``tests/eval/real/vectors.py``.

A sentence's meaning is the weighted mean of its words' vectors, each word weighed by ``log(1 + rank / 1000)``
so that frequent words count less (``the`` and a few like it not at all). The detectors see it as sparse
features, ``vec:<word>`` = the word's share of the weight (:func:`sentence_features`), so a candidate's
features stay a plain dict. Training turns them into the 50-dimensional mean (:func:`dense`, features
``emb:0`` … ``emb:49``); the fitted weights of those 50 are shipped, and :func:`word_weights` projects them
back onto every word (``w · v``), where the linear model's margin is the same sum.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

TABLE = Path(__file__).with_name("words50.npz")
WORD = "vec:"
DIM = "emb:"
_STOP = frozenset("the a an of to and in for on at by with from as is was were be been are that this it its".split())


@lru_cache(maxsize=1)
def _table() -> tuple[tuple[str, ...], Any, Any]:
    """The words (most frequent first), their int8 vectors and the per-dimension scale, kept quantised."""
    import numpy as np

    with np.load(TABLE) as data:
        words = tuple(bytes(data["words"]).decode("utf-8").split("\n"))
        return words, data["vectors"], data["scale"].astype(np.float32)


@lru_cache(maxsize=1)
def _keys() -> tuple[str, ...]:
    """Each word's feature name, built once: every model's projection shares the same key strings."""
    return tuple(WORD + w for w in _table()[0])


@lru_cache(maxsize=1)
def _index() -> dict[str, int]:
    return {w: i for i, w in enumerate(_table()[0])}


@lru_cache(maxsize=1)
def _weights() -> dict[str, float]:
    return {w: math.log1p(i / 1000) for i, w in enumerate(_table()[0]) if w not in _STOP}


def sentence_features(words: Iterable[str]) -> dict[str, float]:
    """``vec:<word>`` → the word's share of the sentence's weight, for the words in the table (repeats add up)."""
    weight = _weights()
    shares: dict[str, float] = {}
    for w in words:
        a = weight.get(w)
        if a:
            shares[w] = shares.get(w, 0.0) + a
    total = sum(shares.values())
    return {WORD + w: a / total for w, a in shares.items()} if total else {}


def dense(features: Mapping[str, float]) -> dict[str, float]:
    """The features with their ``vec:`` words replaced by the weighted mean vector (``emb:i``), for training."""
    _, vectors, scale = _table()
    index = _index()
    out = {k: v for k, v in features.items() if not k.startswith(WORD)}
    rows = [(index[k[len(WORD):]], v) for k, v in features.items() if k.startswith(WORD)]
    if rows:
        mean = sum(vectors[i] * share for i, share in rows) * scale
        out.update({f"{DIM}{d}": float(x) for d, x in enumerate(mean)})
    return out


def word_weights(embedding: Sequence[float]) -> dict[str, float]:
    """The weights of a model's ``emb:`` dimensions projected onto each word: ``vec:<word>`` → ``w · v``."""
    import numpy as np

    _, vectors, scale = _table()
    scores = vectors @ (np.asarray(embedding, dtype=np.float32) * scale)  # int8 @ float32: no float copy
    return dict(zip(_keys(), scores.tolist(), strict=True))
