"""Print the README's detector-quality rows: precision / recall / F1 per group of sources, for one split.

    python tests/eval/real/rows.py [--split test|dev] [--texts tests/eval/real/texts] [--ids FILE] [--ci]

Groups are by id prefix (the source), so a row means the same items from one round to the next; ``--ids`` scores
only the ids listed in FILE (e.g. an earlier ``test_ids.txt``, to compare models on the items both rounds had).
``--ci`` adds each F1's 95 % interval, from a bootstrap over the group's items (2,000 resamples, seeded): how far a
figure may move on another draw of as many items from the same sources, so that a change between two rounds can be
told from the luck of the draw.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from monitor.evaluation import Case, Report, evaluate, load_cases, read_ids  # noqa: E402
from monitor.pipeline import Pipeline, build_pipeline  # noqa: E402
from monitor.plugins import build_plugins  # noqa: E402

#: The rule-chosen sentence sources; every other source was read whole or by seeded sample ("conflict news").
CHOSEN = ("bbc", "bbcs", "muc4s", "muc4d", "muc4t", "insights", "insightt", "ipes", "re3d", "agnews", "agl", "agk",
          "conll", "isot", "reuters", "huff", "huff22", "fwd", "abc", "toi", "ipet")
GROUPS: dict[str, tuple[str, ...]] = {
    "conflict news": (),
    "BBC general-news candidate sentences": ("bbc", "bbcs"),
    "MUC-4 candidate sentences": ("muc4s", "muc4d", "muc4t"),
    "crime, police and defence candidate sentences": ("insights", "insightt", "ipes", "re3d"),
    "AG's News candidate items": ("agnews", "agl", "agk"),
    "sources added in the fourth round (MUC-4 TST3/4, BBC dev/test, InSight Crime dev/test, AG's News "
    "samples)": ("muc4t", "bbcs", "insightt", "agl", "agk"),
    "CoNLL-2003 Reuters candidate sentences (added in the fifth round)": ("conll",),
    "ISOT Reuters politics candidate sentences (added in the sixth round)": ("isot",),
    "Reuters-21578 candidate sentences (added in the tenth round)": ("reuters",),
    "HuffPost candidate items (added in the fourteenth round)": ("huff",),
    "HuffPost 2018-22 candidate items (added in the fifteenth round)": ("huff22",),
    "news headlines of 2021-22, candidate items (added in the sixteenth round)": ("fwd",),
    "ABC News headlines of 2003, lower-cased, candidate items (added in the sixteenth round)": ("abc",),
    "Times of India headlines of 2001, candidate items (added in the sixteenth round)": ("toi",),
    "IndiaPoliceEvents test-file candidate sentences (added in the eighteenth round)": ("ipet",),
    "all": ("*",),
}


def _source(item_id: str) -> str:
    return item_id.split("-", 1)[0]


DETECTORS = ("casualties", "deployments", "escalation")
RESAMPLES = 2000


def _cell(report: Report, name: str, interval: tuple[float, float] | None = None) -> str:
    s = report.scores[name]
    if s.tp + s.fn == 0:
        return f"{s.fp} false alarms" if s.fp else "—"
    ci = f" [{interval[0]:.2f}–{interval[1]:.2f}]" if interval else ""
    return f"{s.precision:.2f} / {s.recall:.2f} / {s.f1:.2f}{ci} ({s.tp + s.fn})"


def _counts(pipeline: Pipeline, cases: list[Case]) -> dict[str, np.ndarray]:
    """Each case's (tp, fp, fn) per detector, scored one case at a time (the same scoring as the whole)."""
    rows = {name: np.zeros((len(cases), 3)) for name in DETECTORS}
    for i, case in enumerate(cases):
        report = evaluate(pipeline, [case])
        for name in DETECTORS:
            s = report.scores[name]
            rows[name][i] = (s.tp, s.fp, s.fn)
    return rows


def _interval(counts: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    """The 2.5th and 97.5th percentiles of F1 over resamples of the items, with replacement."""
    picks = rng.integers(0, len(counts), size=(RESAMPLES, len(counts)))
    tp, fp, fn = (counts[:, k][picks].sum(axis=1) for k in range(3))
    # a resample with no labelled pair and no finding has no F1: left out, not counted as 0 or 1
    f1 = np.divide(2 * tp, 2 * tp + fp + fn, out=np.full(RESAMPLES, np.nan), where=(2 * tp + fp + fn) > 0)
    lo, hi = np.nanpercentile(f1, [2.5, 97.5])
    return float(lo), float(hi)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=("test", "dev"), default="test")
    ap.add_argument("--texts", type=Path, default=HERE / "texts")
    ap.add_argument("--ids", type=Path, help="Score only these ids (one a line).")
    ap.add_argument("--ci", action="store_true", help="Add a bootstrap 95 %% interval to each F1.")
    args = ap.parse_args()
    test = read_ids(HERE / "test_ids.txt")
    cases = load_cases(HERE / "labels", args.texts, **({"only": test} if args.split == "test" else {"exclude": test}))
    if args.ids:
        wanted = read_ids(args.ids)
        cases = [c for c in cases if c.id in wanted]
    pipeline = build_pipeline(build_plugins())
    counts = _counts(pipeline, cases) if args.ci else {}
    position = {c.id: i for i, c in enumerate(cases)}
    print("| split, group (items) | casualties P / R / F1 (labelled pairs) | deployments | escalation (sentences) | "
          "escalation false alarms |")
    print("|---|---|---|---|---|")
    for label, prefixes in GROUPS.items():
        if "*" in prefixes:
            members = cases
        elif prefixes:
            members = [c for c in cases if _source(c.id) in prefixes]
        else:
            members = [c for c in cases if _source(c.id) not in CHOSEN]
        if not members:
            continue
        report = evaluate(pipeline, members)
        quiet = report.quiet_sentences
        alarms = report.scores["escalation"].fp
        rows = [position[c.id] for c in members]
        intervals = {name: _interval(counts[name][rows], np.random.default_rng(0)) if counts else None
                     for name in DETECTORS}
        cells = " | ".join(_cell(report, name, intervals[name]) for name in DETECTORS)
        print(f"| {args.split}, {label} ({len(members):,}) | {cells} | {alarms} of {quiet:,} |")


if __name__ == "__main__":
    main()
