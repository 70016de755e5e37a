"""How alike a story and an event are, one signal at a time: the names they share, and whether what both state
(countries, kinds of incident) agrees. Plain functions; :class:`monitor.events.cluster.EventIndex` weighs them."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection


def name_overlap(names: frozenset[str], held: Collection[str]) -> float:
    """Cosine of the story's names with the event's most frequent ones (as sets)."""
    if not names or not held:
        return 0.0
    shared = sum(1 for name in names if name in held)
    return shared / math.sqrt(len(names) * len(held))


def agreement(mine: frozenset[str], held: Counter[str]) -> float:
    """+1 when the story and the event share one, -1 when both state some and share none, else 0."""
    if not mine or not held:
        return 0.0
    return 1.0 if any(item in held for item in mine) else -1.0
