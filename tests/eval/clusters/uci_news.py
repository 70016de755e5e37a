"""Replay the UCI News Aggregator's titles through the event index and score it with BCubed.

The UCI News Aggregator set (Gasparetti 2016; archive.ics.uci.edu/dataset/359) lists 422,937 news pages of
March-August 2014 with the aggregator's story id — the gold cluster of pages about one story — and a timestamp.
It has titles, not texts, so this clusters titles. Its full file is held by public repositories only as a Git LFS
pointer; the real rows this script reads are the first 6,366 of the set as committed in
github.com/pratikaher88/IPythonNotebooks (``uci-news-aggregator.csv``, commit 8482bf77...), 10-12 March 2014.
Nothing of the set is committed here: only this script and the ids of the frozen test stories.

Stories are split by a hash of their story id (``part_of``), fixed before any tuning: ``dev`` for tuning,
``test`` for the reported figure (its story ids are listed in ``uci_test_stories.txt``). Each part is replayed
alone, in timestamp order.

    python tests/eval/clusters/uci_news.py /work/.mirror/pratikaher88+IPythonNotebooks/repo --part test

The first argument is the CSV file, or a git directory holding ``uci-news-aggregator.csv`` at HEAD.
Index parameters can be given as ``--set name=value`` (e.g. ``--set threshold=0.3``) to tune on ``dev``.
Near-duplicates are found with Python's per-process string hash (see ``monitor/events/duplicates.py``), so two
runs can differ in the third decimal; ``PYTHONHASHSEED=1`` repeats a run exactly.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from monitor.events import EventIndex, Story
from monitor.events.bcubed import bcubed

FILE_IN_REPO = "uci-news-aggregator.csv"
HERE = Path(__file__).resolve().parent
TEST_STORIES = HERE / "uci_test_stories.txt"


@dataclass(frozen=True)
class Row:
    id: str
    title: str
    story: str
    published: datetime


def part_of(story: str) -> str:
    """``test`` for half of the stories, ``dev`` for the other half, by a hash of the story id."""
    return "test" if hashlib.sha256(story.encode("utf-8")).digest()[0] % 2 == 0 else "dev"


def read_rows(source: Path) -> tuple[list[Row], int]:
    """The complete rows of the set, and how many incomplete ones were skipped."""
    if source.is_dir():
        text = subprocess.run(
            ["git", "--git-dir", str(source), "show", f"HEAD:{FILE_IN_REPO}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    else:
        text = source.read_text(encoding="utf-8")
    rows: list[Row] = []
    skipped = 0
    for line, record in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        stamp = (record.get("TIMESTAMP") or "").strip()
        if not (record.get("STORY") and record.get("TITLE") and stamp.isdigit()):
            skipped += 1  # the copy ends in a cut-off row
            print(f"{source}: line {line}: incomplete row skipped", file=sys.stderr)
            continue
        published = datetime.fromtimestamp(int(stamp) / 1000, tz=UTC)
        rows.append(Row(record["ID"], record["TITLE"], record["STORY"], published))
    return rows, skipped


def replay(rows: list[Row], **params: float) -> dict[str, str]:
    """Every row's event, assigned in timestamp order."""
    index = EventIndex(**params)  # type: ignore[arg-type]
    return {
        row.id: index.assign(Story(row.id, row.published, row.title, "")).event_id
        for row in sorted(rows, key=lambda r: (r.published, int(r.id)))
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="the CSV, or a git dir with uci-news-aggregator.csv at HEAD")
    parser.add_argument("--part", choices=["dev", "test", "all"], default="dev")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="an EventIndex argument")
    parser.add_argument("--write-test-stories", action="store_true", help="(re)write uci_test_stories.txt")
    args = parser.parse_args(argv)
    params = {}
    for item in args.set:
        name, _, value = item.partition("=")
        params[name] = int(value) if value.isdigit() else float(value)
    rows, skipped = read_rows(args.source)
    if args.write_test_stories:
        ids = sorted({row.story for row in rows if part_of(row.story) == "test"})
        TEST_STORIES.write_text("\n".join(ids) + "\n", encoding="utf-8")
    if args.part != "all":
        rows = [row for row in rows if part_of(row.story) == args.part]
    started = time.perf_counter()
    predicted = replay(rows, **params)
    elapsed = time.perf_counter() - started
    gold = {row.id: row.story for row in rows}
    score = bcubed(predicted, gold)
    # what the figures are worth: every title alone, and every title in one event
    alone = bcubed({row.id: row.id for row in rows}, gold)
    together = bcubed(dict.fromkeys(gold, "all"), gold)
    print(
        json.dumps(
            {
                "part": args.part,
                "titles": score.items,
                "skipped_rows": skipped,
                "gold_stories": len({row.story for row in rows}),
                "events": len(set(predicted.values())),
                "precision": round(score.precision, 3),
                "recall": round(score.recall, 3),
                "f1": round(score.f1, 3),
                "ms_per_title": round(1000 * elapsed / max(1, len(rows)), 3),
                "baseline_f1_each_alone": round(alone.f1, 3),
                "baseline_f1_all_in_one": round(together.f1, 3),
                "params": params,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
