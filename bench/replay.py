"""Replay a synthetic day of wire news (tests/synthwire.py) through the real daemon and print the alerts per
event: what a per-article route sends against a route grouped by event (``group = "event"``), and what each
event alert said changed.

    python bench/replay.py [--syndicators 2] [--postgres URL]

Each batch of items is published on feeds served on 127.0.0.1 and read by one ``monitor run --once``
subprocess; alerts go to a signature-checking webhook receiver (payload version 2 on the event route).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.synthwire import EXPECTED
from tests.wire_replay import replay


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--syndicators", type=int, default=2, help="aggregators copying every first report")
    parser.add_argument("--postgres", default=None, help="a postgresql:// URL (an empty database) instead of SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = replay(Path(tmp), syndicators=args.syndicators, store_url=args.postgres)
    per_event = result.alerts_per_event()
    per_article = result.per_article_counts()
    items = Counter(i.event for i in result.items if i.event)
    print(f"{len(result.items)} items ({sum(items.values())} about {len(items)} events), {result.runs} daemon runs, "
          f"{result.seconds:.1f} s")
    print()
    print("| event | articles | per-article alerts | event alerts (target) | what each event alert said |")
    print("|---|---|---|---|---|")
    ok = True
    for event in sorted(items):
        docs = per_event.get(event, [])
        said = "; ".join(
            f"#{d['event']['sequence']} " + ", ".join(c["text"] if c["what"] != "first" else "first"
                                                      for c in d["event"]["changes"]) for d in docs)
        ok &= len(docs) == EXPECTED[event]
        print(f"| {event} | {items[event]} | {per_article.get(event, 0)} | {len(docs)} ({EXPECTED[event]}) | "
              f"{said} |")
    total = sum(len(d) for d in per_event.values())
    print(f"| all | {sum(items.values())} | {sum(per_article.values())} | {total} ({sum(EXPECTED.values())}) | |")
    print()
    print("every event on target" if ok else "MISSED the target (see the table)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
