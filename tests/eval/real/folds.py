"""Out-of-fold figures over five fold splits, the ones the README quotes for rule changes.

    python tests/eval/real/folds.py fit escalation      # fit's own procedure (C, Platt, threshold) per split
    python tests/eval/real/folds.py rules               # escalation with the rules' vetoes and overrides
    python tests/eval/real/folds.py fit escalation --vectors FILE   # another word-vector table (vectors.py)
    python tests/eval/real/folds.py fit escalation --by-source      # each fold holds out whole sources
    python tests/eval/real/folds.py rules --by-source               # ... and each source's threats found

Split 0 is ``monitor train``'s own GroupKFold; splits 1-4 shuffle the items (the groups) with seeds 1-4 first.
``fit`` prints each split's out-of-fold F1 and their mean: a rule change that moves the mean by less than the
splits' spread (about 0.005) is noise. ``rules`` averages the five splits' out-of-fold margins of the escalation
model (C as shipped), calibrates them, and scores the decision the way the detector makes it: a candidate the
rules veto is dropped whatever its score, one they name outright is kept at any score, the rest kept at the
shipped threshold; the labelled sentences no candidate proposed count as misses. ``--by-source`` folds by source
instead (the id's prefix; GroupKFold puts whole sources in each of five folds, one split): each item is decided by
a model that saw no item of its source, the nearest the development split comes to news never tuned on. Needs the
``train`` extra and the texts ``prepare.py`` brings.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from rows import _source  # the source an item id names, as the README's rows group them

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]


def _cases() -> list[Any]:
    """What ``monitor train`` trains on, as its README command gives it."""
    from monitor.learn import development_cases

    test_ids = set((HERE / "test_ids.txt").read_text(encoding="utf-8").split())
    return development_cases(HERE / "labels", HERE / "texts", test_ids, [ROOT / "tests" / "eval" / "project.jsonl"])


def _splits(by_source: bool) -> int:
    return 1 if by_source else 5


def _groups(groups: Any, seed: int, by_source: bool = False) -> Any:
    """The fold groups of split ``seed``: the items as given (split 0), reshuffled by the seed, or their sources."""
    import numpy as np

    groups = np.asarray(groups)
    if by_source:
        return np.array([_source(str(g)) for g in groups])
    if not seed:
        return groups
    unique = np.unique(groups)
    order = dict(zip(unique, np.random.RandomState(seed).permutation(len(unique)), strict=True))
    return np.array([order[g] for g in groups])


def fit_splits(detector: str, by_source: bool = False) -> list[float]:
    """``learn.fit`` on each of the five fold splits (or the one split by source): its out-of-fold F1."""
    import sklearn.model_selection as selection
    from monitor_plugins.casualties import CasualtiesDetector, CasualtyOptions
    from monitor_plugins.deployments import DeploymentOptions, DeploymentsDetector
    from monitor_plugins.escalation import EscalationDetector, EscalationOptions

    from monitor import learn

    cases = _cases()
    if detector == "escalation":
        data = learn._escalation_rows(EscalationDetector(EscalationOptions()), cases)
    elif detector == "deployments":
        data, _ = learn._pair_rows(DeploymentsDetector(DeploymentOptions()), cases,
                                   lambda c: (c.count, c.movement), lambda k: k.deployments)
    else:
        data, _ = learn._pair_rows(CasualtiesDetector(CasualtyOptions()), cases,
                                   lambda c: (c.category, c.count), lambda k: k.casualties)
    plain, out = selection.GroupKFold, []
    for seed in range(_splits(by_source)):
        class Shuffled(plain):  # type: ignore[misc, valid-type]
            def split(self, x: Any, y: Any = None, groups: Any = None, _seed: int = seed) -> Any:
                return super().split(x, y, _groups(groups, _seed, by_source))
        selection.GroupKFold = Shuffled
        try:
            out.append(learn.fit(data, detector, vectors=detector in learn.WITH_VECTORS)["metrics"]["out_of_fold_f1"])
        finally:
            selection.GroupKFold = plain
    return out


def escalation_rules(by_source: bool = False) -> dict[str, float]:
    """The escalation decision as the detector makes it, out of fold (see the module's doc); ``by_source`` folds by
    source (one split) and adds each source's threats, precision and recall."""
    import numpy as np
    from monitor_plugins.escalation import MODEL, EscalationDetector, EscalationOptions
    from monitor_plugins.escalation.decision import _named_outright, _vetoed
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    from monitor.evaluation import sentence_index
    from monitor.model import Article
    from monitor.text.vectors import dense

    shipped = json.loads(MODEL.read_text(encoding="utf-8"))
    #: each source's labelled threats that no candidate proposed: misses whatever the score
    detector, rows, missed = EscalationDetector(EscalationOptions()), [], Counter[str]()
    for case in _cases():
        if case.escalation is None:
            continue
        gold, covered = set(case.escalation) - case.escalation_ambiguous, set()
        for c in detector.candidates(Article.create(case.text, path=f"eval:{case.id}")):
            idx = sentence_index(case, c.cues[0][0])
            if idx is None or idx in case.escalation_ambiguous or idx in covered:
                continue
            covered.add(idx)
            sent = case.text[c.start:c.end]
            rows.append((c.features, int(idx in gold), case.id, _vetoed(sent, c), _named_outright(sent)))
        missed[_source(case.id)] += len(gold - covered)
    feats = [dense(r[0]) for r in rows]
    df: dict[str, int] = {}
    for f in feats:
        for k in f:
            df[k] = df.get(k, 0) + 1
    x = DictVectorizer().fit_transform([{k: v for k, v in f.items() if df[k] >= 2} for f in feats])
    y, groups = np.array([r[1] for r in rows]), np.array([r[2] for r in rows])
    margins, splits = np.zeros(len(y)), _splits(by_source)
    for seed in range(splits):
        for train, test in GroupKFold(n_splits=5).split(x, y, _groups(groups, seed, by_source)):
            model = LogisticRegression(C=shipped["metrics"]["C"], max_iter=2000).fit(x[train], y[train])
            margins[test] += model.decision_function(x[test]) / splits
    platt = LogisticRegression(C=1e6, max_iter=1000).fit(margins.reshape(-1, 1), y)
    probs = platt.predict_proba(margins.reshape(-1, 1))[:, 1]
    vetoed, named = np.array([r[3] for r in rows]), np.array([r[4] for r in rows])
    sources = np.array([_source(r[2]) for r in rows])

    def tally(kept: Any, mine: Any, unproposed: int) -> tuple[int, int, int]:
        """tp, fp, fn of the decision ``kept`` over the candidates ``mine``, with the threats never proposed."""
        tp, fp = int((kept & mine & (y == 1)).sum()), int((kept & mine & (y == 0)).sum())
        return tp, fp, int((~kept & mine & (y == 1)).sum()) + unproposed

    figures = {}
    for name, kept in (("model alone", probs >= shipped["threshold"]),
                       ("with the rules", ~vetoed & ((probs >= shipped["threshold"]) | named))):
        tp, fp, fn = tally(kept, True, sum(missed.values()))
        figures[name] = round(2 * tp / (2 * tp + fp + fn), 4)
        print(f"{name}: tp {tp} fp {fp} fn {fn} P {tp / max(1, tp + fp):.3f} R {tp / (tp + fn):.3f} "
              f"F1 {figures[name]:.4f}")
    if by_source:  # each source's threats as a model that saw none of its items decides them (with the rules)
        for source in sorted(set(sources) | set(missed), key=lambda s: -int(y[sources == s].sum()) - missed[s]):
            tp, fp, fn = tally(kept, sources == source, missed[source])
            if tp + fn >= 5:
                print(f"  {source:10s} threats {tp + fn:3d}  P {tp / max(1, tp + fp):.2f}  R {tp / (tp + fn):.2f}")
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    fit = sub.add_parser("fit", help="fit's own procedure on five fold splits")
    fit.add_argument("detector", choices=["casualties", "deployments", "escalation"])
    fit.add_argument("--by-source", action="store_true", help="one split whose folds hold out whole sources")
    fit.add_argument("--vectors", type=Path, help="a word-vector table for words.txt in place of the shipped one "
                     "(vectors.py --wordllama makes one); training reads it, the daemon never does")
    rules = sub.add_parser("rules", help="escalation out of fold with the rules' vetoes and overrides")
    rules.add_argument("--by-source", action="store_true", help="one split by source, and each source's recall")
    args = ap.parse_args()
    if args.what == "fit":
        if args.vectors:
            from monitor.text import vectors

            vectors.VECTORS = args.vectors
            vectors._vectors.cache_clear()
        f1s = fit_splits(args.detector, args.by_source)
        print(f"{args.detector}: out-of-fold F1 by split {f1s}, mean {sum(f1s) / len(f1s):.4f}")
    else:
        escalation_rules(args.by_source)


if __name__ == "__main__":
    main()
