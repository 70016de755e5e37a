"""Durations in config: "30s", "5m", "1h30m", "2d", or a number of seconds.

:data:`Duration` is the one option type for them, in the daemon's config and in every plugin's options: the
value is kept as written (so ``config check`` shows ``"5m"``) and checked when the config is read;
:func:`parse_duration` turns it into seconds where it is used.
"""

from __future__ import annotations

import functools
import re
from typing import Annotated

from pydantic import AfterValidator

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)")
_UNIT = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


@functools.lru_cache(maxsize=256)  # the daemon reads its timeouts from the config for every document
def parse_duration(value: str | float | int) -> float:
    """Seconds in ``value``; ValueError naming the value when it is not a duration."""
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"duration must not be negative, got {value!r}")
        return float(value)
    text = value.strip().lower()
    if not text:
        raise ValueError("empty duration")
    pos, total = 0, 0.0
    for m in _PART.finditer(text):
        if text[pos:m.start()].strip():
            break
        total += float(m.group(1)) * _UNIT[m.group(2)]
        pos = m.end()
    if pos == 0 or text[pos:].strip():
        raise ValueError(f"not a duration: {value!r} (use e.g. 30s, 5m, 1h30m, 2d)")
    return total


def _valid(value: str | float) -> str | float:
    parse_duration(value)
    return value


def _positive(value: str | float) -> str | float:
    if parse_duration(value) <= 0:
        raise ValueError("must be longer than 0 s")
    return value


#: A duration option: ``"30s"``, ``"5m"``, ``"1h30m"``, ``"2d"`` or a number of seconds, checked on validation.
Duration = Annotated[str | float, AfterValidator(_valid)]
#: A duration that must be longer than zero (a timeout).
PositiveDuration = Annotated[str | float, AfterValidator(_positive)]
