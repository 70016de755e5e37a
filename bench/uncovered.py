"""The labelled casualty or deployment pairs, or escalation sentences, no rule proposed, on the development split
only, each with its sentences.

    python bench/uncovered.py [--detector casualties|deployments|escalation] > /tmp/uncovered.txt

These are the "uncovered" pairs `monitor train` counts (the same cases: development items, less copies of test
items, plus tests/eval/project.jsonl): no threshold can find them, so they cap recall. Read them in families
and widen the rules family by family (README, "The learned decision"). Each pair prints with the sentences that
hold its number, or, for a count of one or none, the sentences with a harm word or a force noun ("[cue]"), else
the item's first sentences ("[text]"); each escalation sentence prints as it stands. Never run this on the test
split.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from monitor.evaluation import load_cases, read_ids, sentence_index
from monitor.model import Article
from monitor.text import find_quantities

REAL = Path(__file__).resolve().parent.parent / "tests" / "eval" / "real"
PROJECT = REAL.parent / "project.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--detector", choices=("casualties", "deployments", "escalation"), default="casualties")
    args = ap.parse_args()
    test = read_ids(REAL / "test_ids.txt")
    cases = load_cases(REAL / "labels", REAL / "texts", exclude=test)
    frozen = {" ".join(c.text.lower().split()) for c in load_cases(REAL / "labels", REAL / "texts", only=test)}
    cases = [c for c in cases if " ".join(c.text.lower().split()) not in frozen] + load_cases(PROJECT)
    detector: Any
    if args.detector == "casualties":
        from monitor_plugins.casualties import CasualtiesDetector, CasualtyOptions

        detector = CasualtiesDetector(CasualtyOptions())
        cue = detector._cue.regex
    elif args.detector == "deployments":
        from monitor_plugins.deployments import DeploymentOptions, DeploymentsDetector
        from monitor_plugins.deployments.words import _FORCE_CUE

        detector, cue = DeploymentsDetector(DeploymentOptions()), _FORCE_CUE
    else:
        from monitor_plugins.escalation import EscalationDetector, EscalationOptions

        detector = EscalationDetector(EscalationOptions())
    total = 0
    for case in cases:
        cands = detector.candidates(Article.create(case.text, path=f"eval:{case.id}"))
        if args.detector == "escalation":
            proposed = {sentence_index(case, c.cues[0][0]) for c in cands}  # as monitor train reads them
            for i in sorted((case.escalation or frozenset()) - proposed - set(case.escalation_ambiguous)):
                total += 1
                start, end = case.sentences[i]
                print(f"== {case.id} [{i}]")
                print("   ", " ".join(case.text[start:end].split())[:400])
            continue
        if args.detector == "casualties":
            covered = {(c.category, c.count) for c in cands}
            gold, number_at = case.casualties, 1
        else:
            covered = {(c.count, c.movement) for c in cands}
            gold, number_at = case.deployments, 0
        for pair in sorted(gold - covered, key=str):
            total += 1
            count = pair[number_at]
            print(f"== {case.id} {pair}")
            sentences = [case.text[s:e] for s, e in case.sentences]
            shown = [s for s in sentences if count not in (None, 1) and any(q.count == count
                                                                           for q in find_quantities(s))]
            if not shown:
                shown = ["[cue] " + s for s in sentences if cue.search(s.lower())] or [
                    "[text] " + s for s in sentences]
            for s in shown[:3] or ["<no sentence holds it>"]:
                print("   ", " ".join(s.split())[:400])
    print(f"{total} uncovered")


if __name__ == "__main__":
    main()
