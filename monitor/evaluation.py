"""Measure the detectors on labelled articles: precision, recall and F1, with every miss and false alarm.

Label files are JSON Lines. Each line has an ``id`` and either ``sentences`` (the article, one sentence an
item) or nothing else but labels, in which case the text comes from a TSV file (``id`` and text columns,
as the CASE 2021 snippets are published). Labels:

- ``casualties``: list of ``{"category", "count"}`` — scored as exact (category, count) pairs;
- ``deployments``: list of ``{"count", "movement"}`` — scored as exact (count, movement) pairs;
- ``escalation``: indices of sentences with escalation language — scored by sentence;
  ``escalation_ambiguous`` indices are left out; items without an ``escalation`` key are not scored for it;
- ``unsure: true`` leaves the item out entirely.
"""

from __future__ import annotations

import csv
import itertools
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.errors import InputError
from monitor.model import Article, Finding, Severity
from monitor.pipeline import Pipeline
from monitor.text.sentences import sentence_at, split_sentences

Pair = tuple[Any, Any]


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    sentences: tuple[tuple[int, int], ...]
    casualties: frozenset[Pair]
    deployments: frozenset[Pair]
    escalation: frozenset[int] | None
    escalation_ambiguous: frozenset[int] = frozenset()
    tags: tuple[str, ...] = ()
    #: The casualty pairs labelled ``background`` (history, long-run statistics).
    background: frozenset[Pair] = frozenset()


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass(frozen=True)
class Error:
    kind: str  # "miss" or "false alarm"
    detector: str
    case_id: str
    label: str
    sentence: str


@dataclass
class Report:
    cases: int = 0
    scores: dict[str, Score] = field(default_factory=dict)
    errors: list[Error] = field(default_factory=list)
    #: Findings on items tagged "negated" or "hypothetical" (must stay zero).
    findings_on_negatives: int = 0
    #: Background casualty figures (history, statistics) found, and how many of them were raised above low.
    background_found: int = 0
    background_above_low: int = 0
    #: Sentences labelled without escalation, and how many of them raised an escalation finding.
    quiet_sentences: int = 0
    #: (detector, score, right) for every finding scored: the calibration table's input.
    scored: list[tuple[str, float, bool]] = field(default_factory=list)

    def calibration(self, bands: tuple[float, ...] = (0.0, 0.4, 0.6, 0.8, 0.9, 1.01)) -> list[dict[str, Any]]:
        """Per detector and score band: findings, their mean score, and the share that were right."""
        rows = []
        for name in self.scores:
            for lo, hi in itertools.pairwise(bands):
                got = [(s, r) for d, s, r in self.scored if d == name and lo <= s < hi]
                if got:
                    rows.append({"detector": name, "band": f"{lo:.1f}-{min(hi, 1.0):.1f}", "findings": len(got),
                                 "mean_score": round(sum(s for s, _ in got) / len(got), 3),
                                 "right": round(sum(r for _, r in got) / len(got), 3)})
        return rows

    def summary(self) -> dict[str, Any]:
        esc = self.scores.get("escalation")
        return {"cases": self.cases, "detectors": {name: s.to_dict() for name, s in self.scores.items()},
                "findings_on_negated_or_hypothetical": self.findings_on_negatives,
                "background_found": self.background_found, "background_above_low": self.background_above_low,
                "escalation_false_alarm_rate": round(esc.fp / self.quiet_sentences, 4)
                if esc and self.quiet_sentences else None,
                "calibration": self.calibration()}


def _pairs(items: Iterable[dict[str, Any]], keys: tuple[str, str]) -> frozenset[Pair]:
    return frozenset((item.get(keys[0]), item.get(keys[1])) for item in items)


def _read_sentences(texts: Path) -> dict[str, list[str]]:
    """``{"id", "sentences"}`` JSON Lines: one file, or every ``*.jsonl`` of a directory."""
    files = sorted(texts.glob("*.jsonl")) if texts.is_dir() else [texts]
    out: dict[str, list[str]] = {}
    for path in files:
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    item = json.loads(line)
                    out[str(item["id"])] = list(item["sentences"])
                except (json.JSONDecodeError, KeyError, TypeError) as exc:
                    raise InputError(f"{path}:{lineno}", f"not an id and sentences: {exc}") from None
    return out


def read_ids(path: Path) -> set[str]:
    """One id a line (the frozen test split's ``test_ids.txt``)."""
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def load_cases(labels: Path, texts: Path | None = None, *, only: set[str] | None = None,
               exclude: set[str] | None = None) -> list[Case]:
    """Read a label file or a directory of them (and the texts of id-only labels: a TSV, or ``{"id",
    "sentences"}`` JSON Lines). Unsure items are skipped; ``only`` / ``exclude`` select ids (a split)."""
    if labels.is_dir():
        # An item labelled twice (the annotators' overlap, for agreement) is scored once, by its first file.
        seen: set[str] = set()
        cases_in_dir = []
        for path in sorted(labels.glob("*.jsonl")):
            for c in load_cases(path, texts, only=only, exclude=exclude):
                if c.id not in seen:
                    seen.add(c.id)
                    cases_in_dir.append(c)
        return cases_in_dir
    tsv: dict[str, str] = {}
    known: dict[str, list[str]] = {}
    if texts is not None and (texts.is_dir() or texts.suffix == ".jsonl"):
        known = _read_sentences(texts)
    elif texts is not None:
        csv.field_size_limit(sys.maxsize)
        with texts.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, delimiter="\t")
            header = next(reader, None)
            text_col = 1
            if header and "EventSnippet" in header:
                text_col = header.index("EventSnippet")
            for row in reader:
                if len(row) > text_col:
                    tsv[row[0]] = row[text_col]
    cases = []
    with labels.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{labels}:{lineno}", f"not valid JSON: {exc.msg}") from None
            if item.get("unsure"):
                continue
            cid = str(item.get("id"))
            if (only is not None and cid not in only) or (exclude is not None and cid in exclude):
                continue
            if "sentences" in item or cid in known:
                sentences = list(item["sentences"]) if "sentences" in item else known[cid]
                text = " ".join(sentences)
                offsets, pos = [], 0
                for s in sentences:
                    offsets.append((pos, pos + len(s)))
                    pos += len(s) + 1
            elif cid in tsv:
                text = tsv[cid]
                offsets = [(sp.start, sp.end) for sp in split_sentences(text)]
            else:
                where = f"{labels}:{lineno}"
                hint = "" if texts else " (pass --texts FILE.tsv for id-only label files)"
                raise InputError(where, f"item {cid!r} has no 'sentences' and no text in the TSV{hint}")
            cases.append(Case(
                id=cid,
                text=text,
                sentences=tuple(offsets),
                casualties=_pairs(item.get("casualties", []), ("category", "count")),
                background=_pairs([c for c in item.get("casualties", []) if c.get("background")],
                                  ("category", "count")),
                deployments=_pairs(item.get("deployments", []), ("count", "movement")),
                escalation=frozenset(item["escalation"]) if "escalation" in item else None,
                escalation_ambiguous=frozenset(item.get("escalation_ambiguous", [])),
                tags=tuple(item.get("tags", [])),
            ))
    return cases


def sentence_index(case: Case, offset: int) -> int | None:
    """The labelled sentence of ``case`` that holds character ``offset`` (None between sentences)."""
    for i, (s, e) in enumerate(case.sentences):
        if s <= offset < e + 1:
            return i
    return None


def _sentence_text(case: Case, offset: int | None) -> str:
    if offset is None:
        return ""
    idx = sentence_index(case, offset)
    if idx is None:
        span = sentence_at(split_sentences(case.text), offset)
        return case.text[span.start:span.end] if span else ""
    s, e = case.sentences[idx]
    return case.text[s:e]


def evaluate(pipeline: Pipeline, cases: list[Case]) -> Report:
    """Run the pipeline on each case and score it against the labels."""
    report = Report(cases=len(cases))
    for name in ("casualties", "deployments", "escalation"):
        report.scores[name] = Score()
    for case in cases:
        article = Article.create(case.text, path=f"eval:{case.id}")
        _, findings = pipeline.run(article)
        if {"negated", "hypothetical"} & set(case.tags):
            report.findings_on_negatives += sum(1 for f in findings if f.detector in report.scores)
        _score_pairs(report, case, findings, "casualties", ("category", "count"), case.casualties)
        for f in findings:
            if f.detector == "casualties" and (f.attributes.get("category"), f.attributes.get("count")) in \
                    case.background:
                report.background_found += 1
                report.background_above_low += f.severity.rank > Severity.LOW.rank
        _score_pairs(report, case, findings, "deployments", ("count", "movement"), case.deployments)
        if case.escalation is not None:
            _score_escalation(report, case, findings)
    return report


def _score_pairs(report: Report, case: Case, findings: list[Finding], name: str, keys: tuple[str, str],
                 gold: frozenset[Pair]) -> None:
    predicted: dict[Pair, Finding] = {}
    for f in findings:
        if f.detector == name:
            predicted.setdefault((f.attributes.get(keys[0]), f.attributes.get(keys[1])), f)
    score = report.scores[name]
    report.scored += [(name, f.score, pair in gold) for pair, f in predicted.items()]
    for pair in set(predicted) | set(gold):
        if pair in predicted and pair in gold:
            score.tp += 1
        elif pair in predicted:
            score.fp += 1
            ev = predicted[pair].evidence
            report.errors.append(Error("false alarm", name, case.id, str(pair),
                                       _sentence_text(case, ev[0].start if ev else None)))
        else:
            score.fn += 1
            report.errors.append(Error("miss", name, case.id, str(pair), case.text[:300]))


def _score_escalation(report: Report, case: Case, findings: list[Finding]) -> None:
    flagged: set[int] = set()
    gold = set(case.escalation or ()) - case.escalation_ambiguous
    for f in findings:
        if f.detector == "escalation":
            where = {i for ev in f.evidence if (i := sentence_index(case, ev.start)) is not None}
            if where and not where <= case.escalation_ambiguous:
                report.scored.append(("escalation", f.score, bool(where & gold)))
            flagged |= where
    flagged -= case.escalation_ambiguous
    report.quiet_sentences += len(case.sentences) - len(gold) - len(case.escalation_ambiguous)
    score = report.scores["escalation"]
    for idx in flagged | gold:
        s, e = case.sentences[idx]
        if idx in flagged and idx in gold:
            score.tp += 1
        elif idx in flagged:
            score.fp += 1
            report.errors.append(Error("false alarm", "escalation", case.id, f"sentence {idx}", case.text[s:e]))
        else:
            score.fn += 1
            report.errors.append(Error("miss", "escalation", case.id, f"sentence {idx}", case.text[s:e]))


def render_report(report: Report, *, show_errors: bool = True) -> str:
    lines = [f"{report.cases} labelled articles", "",
             f"{'detector':<12} {'precision':>9} {'recall':>7} {'F1':>6} {'tp':>5} {'fp':>5} {'fn':>5}"]
    for name, s in report.scores.items():
        if s.tp + s.fp + s.fn == 0:
            continue
        lines.append(f"{name:<12} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} {s.tp:>5} {s.fp:>5} {s.fn:>5}")
    lines.append(f"findings on items tagged negated/hypothetical: {report.findings_on_negatives}")
    if report.background_found:
        lines.append(f"background figures found: {report.background_found}, "
                     f"raised above low: {report.background_above_low}")
    esc = report.scores.get("escalation")
    if esc and report.quiet_sentences:
        lines.append(f"escalation false alarms: {esc.fp} of {report.quiet_sentences} sentences without a threat "
                     f"({esc.fp / report.quiet_sentences:.1%})")
    table = report.calibration()
    if table:
        lines += ["", "calibration: findings by score band, and the share that were right",
                  f"{'detector':<12} {'band':>8} {'findings':>8} {'mean score':>10} {'right':>6}"]
        lines += [f"{r['detector']:<12} {r['band']:>8} {r['findings']:>8} {r['mean_score']:>10.3f} {r['right']:>6.3f}"
                  for r in table]
    if show_errors and report.errors:
        lines += ["", "Misses and false alarms:"]
        for err in sorted(report.errors, key=lambda e: (e.detector, e.kind, e.case_id)):
            lines.append(f"  {err.detector:<11} {err.kind:<11} {err.case_id:<8} {err.label}")
            lines.append(f"      {' '.join(err.sentence.split())[:300]}")
    return "\n".join(lines)
