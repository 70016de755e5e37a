"""TF-IDF over recent news: document frequencies that forget.

Event Registry and Miranda et al. compare an article with an event's centroid of TF-IDF vectors. Here the
document frequencies count the stories seen, halved every ``half_life`` stories (terms whose count falls below
one are dropped), so they follow the news of the last days and their memory is bounded by the vocabulary of
that news, not by the history.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable

__all__ = ["DocumentFrequencies", "Vector", "cosine", "top_terms"]

Vector = dict[str, float]


class DocumentFrequencies:
    """How many open stories contain each term."""

    def __init__(self, *, half_life: int = 20_000) -> None:
        if half_life < 1:
            raise ValueError(f"half_life must be at least one story, not {half_life}")
        self.half_life = half_life
        self.documents = 0.0
        self.counts: dict[str, float] = {}
        self._since_halving = 0

    def add(self, terms: Iterable[str]) -> None:
        """Count one story's distinct terms."""
        counts = self.counts
        for term in terms:
            counts[term] = counts.get(term, 0.0) + 1.0
        self.documents += 1.0
        self._since_halving += 1
        if self._since_halving >= self.half_life:
            self._halve()

    def _halve(self) -> None:
        self._since_halving = 0
        self.documents /= 2.0
        self.counts = {term: n / 2.0 for term, n in self.counts.items() if n >= 2.0}

    def idf(self, term: str) -> float:
        # smoothed, as scikit-learn's TfidfVectorizer(smooth_idf=True): a term no story has yet weighs most
        return math.log((1.0 + self.documents) / (1.0 + self.counts.get(term, 0.0))) + 1.0

    def vector(self, tokens: Iterable[str], *, keep: int) -> Vector:
        """The L2-normalised TF-IDF vector of ``tokens`` (sublinear tf), cut to its ``keep`` heaviest terms."""
        tf = Counter(tokens)
        weights = {term: (1.0 + math.log(n)) * self.idf(term) for term, n in tf.items()}
        if len(weights) > keep:
            weights = dict(heapq.nlargest(keep, weights.items(), key=lambda kv: kv[1]))
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {term: w / norm for term, w in weights.items()}


def cosine(vector: Vector, centroid: Vector, centroid_norm: float) -> float:
    """Cosine of a normalised vector with a centroid of known norm."""
    if not centroid_norm:
        return 0.0
    if len(vector) > len(centroid):
        vector, centroid = centroid, vector
    dot = 0.0
    for term, weight in vector.items():
        other = centroid.get(term)
        if other is not None:
            dot += weight * other
    return dot / centroid_norm


def top_terms(vector: Vector, n: int) -> list[str]:
    return [t for t, _ in heapq.nlargest(n, vector.items(), key=lambda kv: kv[1])]
