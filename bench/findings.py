"""Every finding the built-in detectors raise on a folder of news pages, for reading by hand.

    python bench/findings.py --pages DIR [--out findings.jsonl]

Each page (*.html or *.html.gz; the public ScrapingHub article-extraction benchmark's html/ folder is the set
the README reports on) is extracted with media-monitor's trafilatura settings and run through the detectors.
One JSON line per finding: page, detector, severity, score, background, summary and the evidence in its
sentence. Issue 11's general-news target is the share of the findings outside background that a reader judges
right by ``shared/eval/LABELLING.md``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path

import trafilatura

from monitor import Article
from monitor.extract import TRAFILATURA_OPTIONS, page_metadata
from monitor.pipeline import build_pipeline
from monitor.plugins import build_plugins


def _html(path: Path) -> str:
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8", "replace")


def _sentence(text: str, start: int, end: int) -> str:
    s = max(text.rfind(".", 0, start) + 1, start - 300)
    e = text.find(".", end)
    return text[s:min(len(text) if e < 0 else e + 1, end + 300)].strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=Path, required=True)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    pipeline = build_pipeline(build_plugins())
    rows = []
    for path in sorted([*args.pages.glob("*.html"), *args.pages.glob("*.html.gz")]):
        html = _html(path)
        text = trafilatura.extract(html, **TRAFILATURA_OPTIONS) or ""
        # The page's own date, as the daemon reads it (a year before it named beside a figure makes it history).
        published = page_metadata(html).get("published")
        for f in pipeline.run(Article.create(text, title="", path=path.name, published=published))[1]:
            ev = f.evidence[0]
            rows.append({"page": path.name, "detector": f.detector, "severity": str(f.severity), "score": f.score,
                         "background": bool(f.attributes.get("background", False)), "summary": f.summary,
                         "sentence": _sentence(text, ev.start, ev.end)})
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts = Counter((r["detector"], "background" if r["background"] else "alerting") for r in rows)
    print(f"{len(rows)} findings: " + ", ".join(f"{d} {k} {n}" for (d, k), n in sorted(counts.items())),
          file=sys.stderr)


if __name__ == "__main__":
    main()
