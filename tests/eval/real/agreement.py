"""Agreement between annotators where two labelled the same items.

Each batch held about 30-40 items of another batch, unmarked; ``case-*`` items were labelled again blind by
the second edition of the brief beside ``shared/eval/case_dev.jsonl`` (first edition). For each detector: the
F1 of one annotator's pairs (or escalation sentences) against the other's, over the items both labelled.

    python tests/eval/real/agreement.py [--case ../shared/eval/case_dev.jsonl]

The blind escalation sentences (``tests/eval/redteam_escalation.jsonl``, labelled by the helper who wrote them) were
labelled again by a second annotator who saw only the sentences and the brief
(``tests/eval/redteam_escalation_second.jsonl``); a sentence either of them left ambiguous is left out of that
figure.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _labels(path: Path, prefix: str = "") -> dict[str, dict]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            out[prefix + str(item["id"])] = item
    return out


def _sets(item: dict) -> dict[str, set]:
    return {
        "casualties": {(c.get("category"), c.get("count")) for c in item.get("casualties", [])},
        "deployments": {(d.get("count"), d.get("movement")) for d in item.get("deployments", [])},
        "escalation": set(item.get("escalation", [])) if "escalation" in item else set(),
    }


def agreement(pairs: list[tuple[dict, dict]], kinds: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for kind in kinds:
        both = one = two = 0
        for a, b in pairs:
            sa, sb = _sets(a)[kind], _sets(b)[kind]
            both += len(sa & sb)
            one += len(sa - sb)
            two += len(sb - sa)
        f1 = 2 * both / (2 * both + one + two) if both + one + two else 1.0
        out[kind] = f"F1 {f1:.3f} ({both} agreed, {one}+{two} differ)"
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", type=Path, default=HERE.parents[3] / "shared/eval/case_dev.jsonl")
    args = ap.parse_args()
    files = {p.name: _labels(p) for p in sorted((HERE / "labels").glob("*.jsonl"))}
    pairs = []
    names = sorted(files)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            pairs += [(files[a][k], files[b][k]) for k in files[a].keys() & files[b].keys()]
    print(f"items labelled by two annotators: {len(pairs)}")
    for kind, text in agreement(pairs, ("casualties", "deployments", "escalation")).items():
        print(f"  {kind:<12} {text}")
    writer_file, second_file = (HERE.parent / name for name in ("redteam_escalation.jsonl",
                                                                "redteam_escalation_second.jsonl"))
    if second_file.is_file():
        writer, second = _labels(writer_file), _labels(second_file)
        missing = sorted(writer.keys() - second.keys())
        if missing:
            raise SystemExit(f"{second_file}: no labels for {', '.join(missing[:5])}")
        left_out, plain, blind = 0, [], []
        for key, wrote in writer.items():
            pair = (wrote, second[key])
            ambiguous = set().union(*(x.get("escalation_ambiguous", []) for x in pair))
            left_out += len(ambiguous)
            plain.append(pair)
            clear = [{"escalation": sorted(set(x.get("escalation", [])) - ambiguous)} for x in pair]
            blind.append((clear[0], clear[1]))
        print(f"blind escalation sentences, the writer against a second annotator: {len(blind)} items")
        print(f"  {'escalation':<12} {agreement(blind, ('escalation',))['escalation']}, "
              f"{left_out} sentences ambiguous to either left out")
        print(f"  {'':<12} {agreement(plain, ('escalation',))['escalation']}, an ambiguous sentence counted as "
              "no threat")
    if args.case.is_file():
        first = _labels(args.case, "case-")
        ours = {k: v for f in files.values() for k, v in f.items() if k.startswith("case-")}
        both = [(first[k], ours[k]) for k in first.keys() & ours.keys() if not first[k].get("unsure")]
        print(f"CASE snippets, first edition (case_dev.jsonl) against the second, labelled blind: {len(both)}")
        for kind, text in agreement(both, ("casualties", "deployments")).items():
            print(f"  {kind:<12} {text}")


if __name__ == "__main__":
    main()
