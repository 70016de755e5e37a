"""What a synthetic pipeline run leaves in the state database, normalised, to check that a change to the
daemon's own path leaves its outputs as they were.

    python bench/outputs.py [--feeds 18] [--entries 30] > after.txt    # then diff against the tree before

Runs ``bench/pipeline.py`` (same arguments) with its state directory kept, then prints the rows of articles,
findings, alerts, items, outbox and the events tables, sorted, with what differs between two runs of one tree
replaced: the newsroom's port, ids derived from it (each named by the page it comes from), timestamps, and
an outbox row's delivery progress (which alerts the run had delivered by its end). Articles are assigned to
events in order of arrival, which the concurrent fetches do not fix: in the events tables an article or event
is named by its story (its title without the page number), the headline's number is cut, and an event
article's source is left out (whose copy came first); ``--no-events`` leaves those tables out.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")
_PORT = re.compile(r"127\.0\.0\.1:\d+")
_HEX = re.compile(r"\b[0-9a-f]{16}\b")
_NUMBER = re.compile(r" \(\d+\)$")


def dump(db_path: Path, events: bool) -> list[str]:
    from monitor.model import stable_id

    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    names: dict[str, str] = {}
    stories: dict[str, str] = {}  # in the events tables: an article by its story (its title, the number cut)
    for r in db.execute("SELECT id, url, path, title FROM articles"):
        page = _PORT.sub("HOST", r["url"] or r["path"] or "")
        names[r["id"]] = f"A<{page}>"
        names[stable_id("event", r["id"])] = f"E<{page}>"
        story = _NUMBER.sub("", r["title"] or "")
        stories[r["id"]] = f"A<{story}>"
        stories[stable_id("event", r["id"])] = f"E<{story}>"
    for r in db.execute("SELECT id, route, article_id FROM alerts"):
        names[r["id"]] = f"AL<{r['route']}:{names.get(r['article_id'], r['article_id'])}>"
    tables = ["articles", "findings", "alerts", "items", "outbox", "failures"]
    if events:
        tables += ["events", "event_articles", "event_figures", "event_alerts"]
    out = []
    for table in tables:
        rows = []
        ids = stories if table.startswith("event") else names
        for r in db.execute(f"SELECT * FROM {table}"):
            row: dict[str, Any] = dict(r)
            if table == "outbox":
                for progress in ("status", "attempts", "next_attempt", "last_error", "delivered_at", "detail"):
                    row.pop(progress, None)
            if table == "event_articles":
                row.pop("source")  # which feed's copy of a story came first, and so is not a near-duplicate
            text = json.dumps(row, sort_keys=True, ensure_ascii=False)
            text = _PORT.sub("HOST", text)
            text = _TIME.sub("TIME", text)
            if table == "events":
                text = re.sub(r' \(\d+\)", "id"', '", "id"', text)
            text = _HEX.sub(lambda m: ids.get(m.group(0), m.group(0)), text)  # noqa: B023 - used at once
            rows.append(f"{table}\t{text}")
        out += sorted(rows)
    return out


def main() -> None:
    events = "--no-events" not in sys.argv
    sys.argv = [a for a in sys.argv if a != "--no-events"]
    kept = Path(tempfile.mkdtemp(prefix="outputs-"))

    class Kept:
        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def __enter__(self) -> str:
            return str(kept)

        def __exit__(self, *exc: object) -> None:
            pass

    from bench import pipeline

    pipeline.tempfile.TemporaryDirectory = Kept  # type: ignore[assignment,misc]
    real_stdout = sys.stdout
    sys.stdout = sys.stderr
    try:
        pipeline.main()
    finally:
        sys.stdout = real_stdout
    db = kept / "state" / "monitor.sqlite3"
    for line in dump(db, events):
        print(line)


if __name__ == "__main__":
    main()
