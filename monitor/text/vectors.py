"""What a sentence's words mean, for the learned decisions: a model trained on "destroy" also weighs "flatten".

A bag of words learns only the words its labelled sentences used, and threats are rare: a few hundred positives
cannot teach every way to say one. Word vectors carry what the words mean from billions of words of other text:
GloVe 6B, 50 dimensions (Pennington, Socher and Manning, 2014; Wikipedia and Gigaword; public domain under the
ODC PDDL), its 30,000 most frequent words — ``words.txt`` (most frequent first) and ``words50.npz`` (their
vectors, quantised to int8), both made by ``tests/eval/real/vectors.py``.

A sentence's meaning is the weighted mean of its words' vectors, each word weighed by ``log(1 + rank / 1000)``
so that frequent words count less (``the`` and a few like it not at all). The detectors see it as sparse
features, ``vec:<word>`` = the word's share of the sentence's weight (:func:`sentence_features`), read from the
word list alone. Training turns them into the 50-dimensional mean (:func:`dense`, features ``emb:0`` …
``emb:49``, which needs numpy and the vectors), fits a weight for each dimension, and :func:`word_weights`
projects those onto every word (``vec:<word>`` = w · v): the linear margin is the same sum, so a shipped model
is a plain map of feature weights and the daemon reads it without numpy or the vectors.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

WORDS = Path(__file__).with_name("words.txt")
VECTORS = Path(__file__).with_name("words50.npz")
WORD = "vec:"
DIM = "emb:"
_STOP = frozenset("the a an of to and in for on at by with from as is was were be been are that this it its".split())


@lru_cache(maxsize=1)
def _words() -> tuple[str, ...]:
    return tuple(WORDS.read_text(encoding="utf-8").splitlines())


@lru_cache(maxsize=1)
def _weights() -> dict[str, float]:
    return {w: math.log1p(i / 1000) for i, w in enumerate(_words()) if w not in _STOP}


def warm() -> None:
    """Read the word table now (a model with ``vec:`` features is being loaded), not on the first article the
    model decides (about 20 ms, paid by the daemon's first findings)."""
    _weights()


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


@lru_cache(maxsize=1)
def _vectors() -> tuple[Any, Any, dict[str, int]]:
    """The int8 vectors (one row per word of ``words.txt``), the per-dimension scale, and each word's row."""
    import numpy as np

    with np.load(VECTORS) as data:
        vectors, scale = data["vectors"], data["scale"].astype(np.float32)
    words = _words()
    if len(vectors) != len(words):
        raise ValueError(f"{VECTORS}: {len(vectors)} vectors for the {len(words)} words of {WORDS}")
    return vectors, scale, {w: i for i, w in enumerate(words)}


def dense(features: Mapping[str, float]) -> dict[str, float]:
    """The features with their ``vec:`` words replaced by the weighted mean vector (``emb:i``), for training."""
    vectors, scale, index = _vectors()
    out = {k: v for k, v in features.items() if not k.startswith(WORD)}
    rows = [(index[k[len(WORD):]], v) for k, v in features.items() if k.startswith(WORD)]
    if rows:
        mean = sum(vectors[i] * share for i, share in rows) * scale
        out.update({f"{DIM}{d}": float(x) for d, x in enumerate(mean)})
    return out


def word_weights(embedding: Sequence[float]) -> dict[str, float]:
    """The weights of a model's ``emb:`` dimensions projected onto each word: ``vec:<word>`` → ``w · v``."""
    import numpy as np

    vectors, scale, _ = _vectors()
    scores = (vectors @ (np.asarray(embedding, dtype=np.float32) * scale)).tolist()
    return {WORD + w: s for w, s in zip(_words(), scores, strict=True) if w not in _STOP}
