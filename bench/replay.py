"""Replay a synthetic day of wire news (tests/synthwire.py) through the real daemon and print the alerts per
event: what a per-article route sends against a route grouped by event (``group = "event"``), and what each
event alert said changed.

    python bench/replay.py [--syndicators 2] [--postgres URL]
    python bench/replay.py --tracker --syndicators 200   # the tracker's own cost per article, in process (SQLite)

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
    parser.add_argument("--tracker", action="store_true",
                        help="instead: time EventTracker.track alone over the wire, in process, on SQLite")
    args = parser.parse_args()
    if args.tracker:
        return tracker_cost(args.syndicators)
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


def tracker_cost(syndicators: int) -> int:
    """Detection first, then the tracker (engine, figures, store reads and the event write) timed alone on each
    article of the wire, in order: its cost as an event grows to hundreds of copies."""
    import statistics
    import time

    from monitor.alerts.routing import routes_for
    from monitor.events.tracker import EventTracker
    from monitor.model import Article
    from monitor.pipeline import build_pipeline
    from monitor.plugins import build_plugins
    from monitor.store import open_store
    from tests.synthwire import wire
    from tests.test_events import _config

    config = _config()
    pipeline, routes = build_pipeline(build_plugins([]), config), routes_for(config)
    read = [(item, *pipeline.run(Article.create(item.text, url=f"https://{item.source}.example/{item.slug}",
                                                title=item.title, source=item.source,
                                                published=item.published.isoformat(),
                                                fetched_at=item.published.isoformat())))
            for item in wire(syndicators)]
    times: list[float] = []
    alerts = 0
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(tmp)
        tracker = EventTracker()
        for item, article, findings in read:
            store.record_article(item.slug, "v", article, findings, [])
            started = time.perf_counter()
            alerts += len(tracker.track(store, config, routes, article, findings))
            times.append(time.perf_counter() - started)
        events = len(store.events())
        store.close()
    first, rest = times[0], sorted(times[1:])
    print(f"{len(times)} articles, {events} events, {alerts} event alerts")
    print(f"first article {first * 1000:.0f} ms (loads the engine's gazetteer); then median "
          f"{statistics.median(rest) * 1000:.2f} ms, p95 {rest[int(len(rest) * 0.95)] * 1000:.2f} ms, "
          f"max {rest[-1] * 1000:.2f} ms per article")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
