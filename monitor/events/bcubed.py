"""BCubed precision, recall and F1 of a clustering against gold clusters (Bagga and Baldwin 1998; Amigó et al.
2009), the measure Miranda et al. 2018 report for news stream clustering.

For each item: precision is the share of its predicted cluster that shares its gold cluster, recall the share of
its gold cluster that shares its predicted cluster; both are averaged over items, and F1 is their harmonic mean.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

__all__ = ["BCubed", "bcubed"]


@dataclass(frozen=True)
class BCubed:
    precision: float
    recall: float
    f1: float
    items: int


def bcubed(predicted: Mapping[Hashable, Hashable], gold: Mapping[Hashable, Hashable]) -> BCubed:
    """Score ``predicted`` (item -> cluster) against ``gold`` (item -> cluster); both must hold the same items."""
    if predicted.keys() != gold.keys():
        missing = sorted(map(str, gold.keys() - predicted.keys()))[:5]
        extra = sorted(map(str, predicted.keys() - gold.keys()))[:5]
        raise ValueError(f"predicted and gold clusterings differ in items: missing {missing}, extra {extra}")
    if not gold:
        raise ValueError("no items to score")
    both = Counter((predicted[item], gold[item]) for item in gold)
    sizes_predicted = Counter(predicted.values())
    sizes_gold = Counter(gold.values())
    # every item of a (predicted, gold) cell of n items has precision n / |predicted| and recall n / |gold|
    precision = sum(n * n / sizes_predicted[p] for (p, _), n in both.items()) / len(gold)
    recall = sum(n * n / sizes_gold[g] for (_, g), n in both.items()) / len(gold)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BCubed(precision, recall, f1, len(gold))
