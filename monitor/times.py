"""Times as the daemon stores and compares them: ISO 8601 strings in UTC.

Stored times are written by these functions only, so string comparison orders them (``next_due > utcnow()``).
"""

from __future__ import annotations

import calendar
import time
from datetime import UTC, datetime, timedelta
from typing import Any

_SECOND: tuple[int, str] = (-1, "")


def utcnow() -> str:
    """Now, as an ISO 8601 UTC timestamp with seconds precision (formatted once a second: the daemon asks for it
    several times per article)."""
    global _SECOND
    second = int(time.time())
    known = _SECOND
    if known[0] == second:
        return known[1]
    text = datetime.fromtimestamp(second, UTC).isoformat()
    _SECOND = (second, text)
    return text


def now_dt() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


def iso_in(seconds: float, *, precise: bool = False) -> str:
    """``seconds`` from now (negative: ago); ``precise`` keeps milliseconds (outbox due times, leases)."""
    at = datetime.now(UTC) + timedelta(seconds=seconds)
    return at.isoformat(timespec="milliseconds") if precise else at.replace(microsecond=0).isoformat()


def iso_ago(seconds: float) -> str:
    """``seconds`` ago, seconds precision (throttle and digest windows)."""
    return iso_in(-seconds)


def timestamp(iso: str) -> float:
    """Unix time of an ISO 8601 timestamp (``Z`` accepted); ValueError when it is not one."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00") if iso.endswith("Z") else iso).timestamp()


def age(iso: str | None) -> float | None:
    """Seconds since ``iso`` (never negative); None when it is missing or not a timestamp."""
    if not iso:
        return None
    try:
        return max(0.0, time.time() - timestamp(iso))
    except ValueError:
        return None


def from_struct(struct: Any) -> str | None:
    """ISO 8601 UTC of a ``time.struct_time`` in UTC (feedparser's ``*_parsed``); None when absent or invalid."""
    if not struct:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(struct), UTC).replace(microsecond=0).isoformat()
    except (OverflowError, ValueError, TypeError):
        return None
