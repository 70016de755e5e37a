"""The event index's cost per article with 100,000 open articles, and its memory as old events close.

    python bench/events.py                      # 100,000 open stories, then 6 days of steady stream
    python bench/events.py --open 20000 --days 2  # a quicker run

The stories are synthetic (no third-party text is committed): each event has a place from the gazetteer, three
actors and a dozen words of its own; each article mixes ~40 of its event's words with ~200 background words
drawn with a Zipf law from the vocabulary of this repository's own documentation, and one in five is a wire copy
of an earlier article of its event with a line changed. Timestamps spread the stories evenly over ``--span``
hours, so with the default 96 h every story is inside the window of every other: the worst case for candidates.

Three phases, printed as they finish:

1. **fill**: assign stories until ``--open`` are held, none closed; the cost of ``assign`` over the last
   ``--sample`` of them (mean, median, 95th percentile), with the index full;
2. **close**: the process's resident memory (RSS) with the index full, and after ``close_before`` drops the
   events of the oldest day;
3. **steady**: ``--days`` more days of stories at the same rate, closing events older than ``--span`` hours every
   simulated hour: stories held and RSS at the end of each day, which should stay flat. Python keeps freed
   memory for reuse rather than returning it, so RSS shows the bound by not growing, not by falling.

Times are given as CPU time of the process and as wall time: on a shared machine the wall time's tail is other
processes' (the scheduler's time slices), not the index's.
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.events import EventIndex, Story  # noqa: E402
from monitor.events.places import _gazetteer  # noqa: E402

START = datetime(2026, 1, 5, tzinfo=UTC)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def vocabulary() -> list[str]:
    words: set[str] = set()
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        words.update(w.lower() for w in re.findall(r"[A-Za-z]{3,}", path.read_text(encoding="utf-8")))
    return sorted(words)


class Newsroom:
    """An endless stream of synthetic stories, ``per_hour`` an hour, about events of a few articles each."""

    def __init__(self, per_hour: float, seed: int = 7) -> None:
        self.random = random.Random(seed)
        self.vocabulary = vocabulary()
        self.weights = [1.0 / (rank + 1) for rank in range(len(self.vocabulary))]
        self.places = sorted(name for name, entries in _gazetteer().items() if entries[0].population > 300_000)
        self.per_hour = per_hour
        self.count = 0

    def _name(self) -> str:
        syllables = ["ka", "lo", "mi", "ren", "sa", "tor", "vi", "del", "na", "gor", "bel", "is", "an", "ru"]
        return "".join(self.random.choices(syllables, k=3)).capitalize()

    def _event(self) -> dict[str, list[str]]:
        return {
            "place": [self.random.choice(self.places)],
            "actors": [f"{self._name()} {self._name()}" for _ in range(3)],
            "words": [f"{self.random.choice(self.vocabulary)}{self.random.choice('xqzjk')}" for _ in range(12)],
        }

    def _article(self, event: dict[str, list[str]]) -> tuple[str, str]:
        background = self.random.choices(self.vocabulary, weights=self.weights, k=200)
        own = self.random.choices(event["words"], k=30) + event["actors"] * 2 + event["place"] * 3
        words = background + own
        self.random.shuffle(words)
        sentences = [" ".join(words[i : i + 20]).capitalize() + "." for i in range(0, len(words), 20)]
        for actor in event["actors"]:
            sentences.insert(self.random.randrange(len(sentences)), f"{actor} said in {event['place'][0]}.")
        title = f"{event['actors'][0]} {' '.join(self.random.sample(event['words'], 4))} in {event['place'][0]}"
        return title, " ".join(sentences)

    def stories(self) -> Iterator[Story]:
        events: list[tuple[dict[str, list[str]], list[tuple[str, str]]]] = []
        while True:
            when = START + timedelta(hours=self.count / self.per_hour)
            self.count += 1
            if not events or self.random.random() < 0.35:
                events.append((self._event(), []))
                events = events[-2000:]
            event, written = self.random.choice(events[-300:])
            if written and self.random.random() < 0.2:
                title, body = self.random.choice(written)
                body = body.replace(".", ". Copyright the wire.", 1)
            else:
                title, body = self._article(event)
                written.append((title, body))
            yield Story(f"s{self.count}", when, title, body)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--open", type=int, default=100_000, help="stories held when the cost is measured")
    parser.add_argument("--sample", type=int, default=2_000, help="assignments timed with the index full")
    parser.add_argument("--span", type=float, default=96.0, help="hours the open stories cover (the window)")
    parser.add_argument("--days", type=int, default=6, help="days of steady stream after the fill")
    args = parser.parse_args()

    per_hour = args.open / args.span
    newsroom = Newsroom(per_hour)
    stream = newsroom.stories()
    index = EventIndex(window_hours=args.span)
    gc.collect()
    base = rss_mb()
    print(f"RSS before: {base:.0f} MB (gazetteer and libraries loaded)")

    started = time.perf_counter()
    wall: list[float] = []
    cpu: list[float] = []
    for n in range(args.open):
        story = next(stream)
        w0, c0 = time.perf_counter(), time.process_time()
        index.assign(story)
        if n >= args.open - args.sample:
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
    fill = time.perf_counter() - started
    print(f"fill: {len(index):,} open stories in {index.events:,} events, {fill:.0f} s (story generation included)")
    for name, timings in (("CPU", cpu), ("wall", wall)):
        timings.sort()
        print(
            f"      assign with the index full, last {len(timings):,}, {name} time: mean "
            f"{statistics.fmean(timings):.2f} ms, median {timings[len(timings) // 2]:.2f} ms, "
            f"p95 {timings[int(len(timings) * 0.95)]:.2f} ms, max {timings[-1]:.1f} ms"
        )

    gc.collect()
    full = rss_mb()
    latest = START + timedelta(hours=args.open / per_hour)
    t0 = time.perf_counter()
    closed = index.close_before(latest - timedelta(hours=args.span - 24))
    took = (time.perf_counter() - t0) * 1000
    gc.collect()
    print(
        f"close: RSS with the index full {full:.0f} MB (+{full - base:.0f} MB); closing the oldest day: "
        f"{len(closed):,} events in {took:.0f} ms, {len(index):,} stories left, RSS {rss_mb():.0f} MB"
    )

    for day in range(1, args.days + 1):
        spent = 0.0
        for _hour in range(24):
            batch = [next(stream) for _ in range(round(per_hour))]
            t0 = time.perf_counter()
            for story in batch:
                index.assign(story)
            now = START + timedelta(hours=newsroom.count / per_hour)
            index.close_before(now - timedelta(hours=args.span))
            spent += time.perf_counter() - t0
        gc.collect()
        print(
            f"steady day {day}: {len(index):,} open stories in {index.events:,} events, RSS {rss_mb():.0f} MB, "
            f"{spent / (24 * round(per_hour)) * 1000:.2f} ms per assign (wall, hourly closing included)"
        )
    index.close_before(START + timedelta(days=10_000))
    gc.collect()
    print(f"end: every event closed, {len(index):,} stories left, RSS {rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
