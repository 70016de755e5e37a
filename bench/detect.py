"""Detection cost beside extraction cost, on the same pages.

    python bench/detect.py --pages DIR   # DIR of *.html or *.html.gz news pages
    python bench/detect.py               # synthetic pages built from the seed article and the eval set

For each page: trafilatura's extraction (media-monitor's settings, and trafilatura's defaults), then the
three built-in detectors on the extracted text. Prints medians and p95 per article and per 1,000 words,
and detection as a fraction of extraction. The public ScrapingHub article-extraction benchmark
(181 real news pages, html/*.html.gz) is a good DIR.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import time
from pathlib import Path

import trafilatura

from monitor import Article
from monitor.extract import TRAFILATURA_OPTIONS
from monitor.pipeline import build_pipeline
from monitor.plugins import build_plugins

ROOT = Path(__file__).resolve().parent.parent


def load_pages(directory: Path | None) -> list[str]:
    if directory is None:
        return synthetic_pages()
    pages = []
    for path in sorted(directory.iterdir()):
        if path.name.endswith(".html.gz"):
            pages.append(gzip.decompress(path.read_bytes()).decode("utf-8", "replace"))
        elif path.suffix in {".html", ".htm"}:
            pages.append(path.read_text(encoding="utf-8", errors="replace"))
    return pages


def synthetic_pages() -> list[str]:
    """News-like pages: navigation, a story of several paragraphs, related links, a footer."""
    stories = [(ROOT / "seeds" / "000_776c1127264d44d4.txt").read_text(encoding="utf-8")]
    items = [json.loads(line) for line in (ROOT / "tests" / "eval" / "project.jsonl").open(encoding="utf-8")]
    for i in range(0, len(items), 8):
        stories.append("\n\n".join(" ".join(it["sentences"]) for it in items[i:i + 8]))
    nav = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(40))
    related = "".join(f'<li><a href="/story/{i}">Related story number {i} with a headline</a></li>' for i in range(30))
    pages = []
    for n, story in enumerate(stories):
        paras = "".join(f"<p>{p}</p>" for p in story.split("\n\n") if p.strip())
        pages.append(
            f"<!doctype html><html><head><title>Story {n}</title><meta name='author' content='Desk'></head><body>"
            f"<header><nav><ul>{nav}</ul></nav></header><main><article><h1>Story {n}</h1>{paras}</article>"
            f"<aside><ul>{related}</ul></aside></main><footer><p>Copyright. All rights reserved.</p></footer>"
            "</body></html>"
        )
    return pages


def timed(fn, repeat: int = 1) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=Path, help="directory of .html / .html.gz pages")
    parser.add_argument("--repeat", type=int, default=5, help="detection repeats per page (best is kept)")
    args = parser.parse_args()

    pages = load_pages(args.pages)
    pipeline = build_pipeline(build_plugins(load_entrypoints=True), None,
                              only=("casualties", "deployments", "escalation"))
    extract_ours, extract_default, detect, per_kword, words_total = [], [], [], [], 0
    findings = 0
    for html in pages:
        doc = None

        def ours(html: str = html) -> None:
            nonlocal doc
            doc = trafilatura.bare_extraction(html, **TRAFILATURA_OPTIONS)

        extract_ours.append(timed(ours))
        extract_default.append(timed(lambda html=html: trafilatura.extract(html)))
        text = (doc.text if doc is not None else "") or ""
        if not text.strip():
            continue
        article = Article.create(text)
        words = len(text.split())
        words_total += words
        t = timed(lambda article=article: pipeline.run(article), args.repeat)
        findings += len(pipeline.run(article)[1])
        detect.append(t)
        per_kword.append(t / words * 1000)

    ms = 1000.0
    print(f"pages: {len(pages)} ({'synthetic' if args.pages is None else args.pages}), "
          f"{words_total} words extracted, {findings} findings")
    print(f"{'stage':<44} {'median':>9} {'p95':>9}")
    rows = [
        ("trafilatura.extract, defaults", extract_default),
        ("trafilatura, media-monitor settings", extract_ours),
        ("3 detectors, per article", detect),
        ("3 detectors, per 1,000 words", per_kword),
    ]
    for label, values in rows:
        print(f"{label:<44} {statistics.median(values) * ms:>7.2f}ms {pct(values, 0.95) * ms:>7.2f}ms")
    ratios = [d / e for d, e in zip(detect, extract_default, strict=False)]
    print(f"detection / extraction (defaults), median per page: {statistics.median(ratios):.3f}; "
          f"total: {sum(detect) / sum(extract_default):.3f}")


if __name__ == "__main__":
    main()
