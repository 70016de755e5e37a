"""Small bar charts drawn on the server: findings per day, one chart per detector or source.

Only geometry is computed here; ``templates/_chart.html`` draws it as inline SVG (autoescaped, no script, no
external request), so the page works with no internet and under a strict Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

#: Geometry of one chart, in SVG user units.
BAR_WIDTH, GAP, HEIGHT = 8, 2, 40


@dataclass(frozen=True)
class Bar:
    day: str
    count: int
    x: int
    y: int
    height: int


@dataclass(frozen=True)
class Chart:
    name: str
    bars: tuple[Bar, ...]
    total: int
    peak: int
    width: int
    height: int = HEIGHT


def days_back(days: int, today: date | None = None) -> list[str]:
    """The last ``days`` UTC days, oldest first, as YYYY-MM-DD."""
    end = today or datetime.now(UTC).date()
    return [(end - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]


def charts(rows: Iterable[tuple[str, str, int]], days: list[str]) -> list[Chart]:
    """One chart per name from ``(day, name, count)`` rows, a bar per day of ``days`` (missing days are 0);
    bars share nothing across charts: each is scaled to its own peak, which the page prints beside it."""
    counts: dict[str, dict[str, int]] = {}
    for day, name, n in rows:
        counts.setdefault(name, {})[day] = counts.get(name, {}).get(day, 0) + n
    out = []
    for name in sorted(counts):
        series = [counts[name].get(day, 0) for day in days]
        peak = max(series, default=0)
        bars = []
        for i, (day, n) in enumerate(zip(days, series, strict=True)):
            h = 0 if not peak else max(1, round(n / peak * (HEIGHT - 2))) if n else 0
            bars.append(Bar(day, n, i * (BAR_WIDTH + GAP), HEIGHT - h, h))
        out.append(Chart(name or "(none)", tuple(bars), sum(series), peak, len(days) * (BAR_WIDTH + GAP) - GAP))
    return out
