"""The analysts' judgements of findings (given in the console) as labelled data.

``export_items`` turns them into ``monitor eval`` label items (see :func:`monitor.evaluation.load_cases`): one
item per judged sentence (or the few sentences a finding's evidence spans), the text taken from the stored
article. Labels follow the judgements — "right" keeps the finding's reading, "false alarm" leaves it out,
"wrong figure" puts the right count in its place. The eval format labels a sentence whole for casualties and
deployments, so a finding of those detectors in the same sentences that nobody judged is labelled as the
detector read it and listed under ``assumed_right`` (edit the file to change it); escalation is scored only in
items where an escalation finding was judged. Judgements of other detectors count in :func:`judged_precision`
but have no label in the eval format.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.model import Article, Finding
from monitor.store.base import Store
from monitor.text.sentences import Span, split_sentences

#: Detectors ``monitor eval`` scores, with the attribute pair it compares (escalation: by sentence).
PAIRS = {"casualties": ("category", "count"), "deployments": ("count", "movement")}
LABELLED = (*PAIRS, "escalation")


@dataclass
class Judged:
    right: int = 0
    false_alarm: int = 0
    wrong_figure: int = 0

    @property
    def judged(self) -> int:
        return self.right + self.false_alarm + self.wrong_figure

    @property
    def precision(self) -> float | None:
        """The share of judged findings that were right (a wrong figure is not right)."""
        return self.right / self.judged if self.judged else None

    def to_dict(self) -> dict[str, Any]:
        p = self.precision
        return {"judged": self.judged, "right": self.right, "false_alarm": self.false_alarm,
                "wrong_figure": self.wrong_figure, "precision": None if p is None else round(p, 4)}


def judged_precision(judgements: Iterable[dict[str, Any]]) -> dict[str, Judged]:
    """Per detector: how the judged findings were judged."""
    out: dict[str, Judged] = {}
    for j in judgements:
        counts = out.setdefault(j["detector"], Judged())
        setattr(counts, j["verdict"], getattr(counts, j["verdict"]) + 1)
    return dict(sorted(out.items()))


def _sentences_of(finding: Finding, spans: list[Span]) -> tuple[int, ...]:
    return tuple(sorted({i for ev in finding.evidence for i, s in enumerate(spans)
                         if s.start < max(ev.end, ev.start + 1) and ev.start < s.end}))


def _label(finding: Finding, correct_count: int | None = None) -> dict[str, Any]:
    a, b = PAIRS[finding.detector]
    label = {a: finding.attributes.get(a), b: finding.attributes.get(b)}
    if correct_count is not None:
        label["count"] = correct_count
    return label


def _items_for_article(article: Article, findings: list[Finding], judgements: list[dict[str, Any]],
                       skipped: list[str]) -> list[dict[str, Any]]:
    by_identity = {f.identity: f for f in findings}
    spans = split_sentences(article.text)
    groups: dict[tuple[int, ...], list[tuple[Finding, dict[str, Any]]]] = {}
    for j in judgements:
        f = by_identity.get(j["identity"])
        if f is None:
            skipped.append(f"{article.id}: finding {j['identity']} is no longer stored")
        elif f.detector not in LABELLED:
            skipped.append(f"{article.id}: {f.detector} has no labels in the eval format (counted in precision)")
        elif not (where := _sentences_of(f, spans)):
            skipped.append(f"{article.id}: the evidence of {f.summary!r} is not in the stored text")
        else:
            groups.setdefault(where, []).append((f, j))
    items = []
    for where, judged in sorted(groups.items()):
        judged_ids = {f.identity for f, _ in judged}
        assumed = [f for f in findings if f.detector in PAIRS and f.identity not in judged_ids
                   and (seen := _sentences_of(f, spans)) and set(seen) <= set(where)]
        item: dict[str, Any] = {
            "id": f"feedback:{article.id}:{'-'.join(map(str, where))}",
            "sentences": [article.text[spans[i].start:spans[i].end] for i in where],
            "casualties": [], "deployments": [],
        }
        for f, j in judged:
            if f.detector in PAIRS and j["verdict"] != "false_alarm":
                item[f.detector].append(_label(f, j["correct_count"] if j["verdict"] == "wrong_figure" else None))
        for f in assumed:
            item[f.detector].append(_label(f))
        escalation = [(f, j) for f, j in judged if f.detector == "escalation"]
        if escalation:
            right = {i for f, j in escalation if j["verdict"] == "right" for i in _sentences_of(f, spans)}
            item["escalation"] = [n for n, i in enumerate(where) if i in right]
        item["judgements"] = [{"detector": f.detector, "summary": f.summary, "verdict": j["verdict"],
                               "correct_count": j["correct_count"], "at": j["created_at"]} for f, j in judged]
        if assumed:
            item["assumed_right"] = [f"{f.detector}: {f.summary}" for f in assumed]
        item["source"], item["url"] = article.source, article.url or article.path
        items.append(item)
    return items


def export_items(store: Store) -> tuple[list[dict[str, Any]], list[str]]:
    """The label items of every judgement in ``store``, and why some judgements could not become labels."""
    by_article: dict[str, list[dict[str, Any]]] = {}
    for j in store.feedback():
        by_article.setdefault(j["article_id"], []).append(j)
    items: list[dict[str, Any]] = []
    skipped: list[str] = []
    for article_id in sorted(by_article):
        article = store.article(article_id)
        if article is None:
            skipped.append(f"{article_id}: the article is no longer stored")
            continue
        items += _items_for_article(article, store.article_findings(article_id), by_article[article_id], skipped)
    return items, skipped


def write_items(items: list[dict[str, Any]], path: Path) -> None:
    """JSON Lines, one item a line, written whole or not at all."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    tmp.replace(path)
