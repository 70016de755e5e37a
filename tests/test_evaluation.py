"""Detector quality as a regression floor: the suite fails if F1 drops below the issue's targets."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from monitor.evaluation import evaluate, load_cases
from monitor.pipeline import build_pipeline
from monitor.plugins import build_plugins
from tests.conftest import SHARED_EVAL

PROJECT_SET = Path(__file__).parent / "eval" / "project.jsonl"
TARGETS = {"casualties": 0.90, "deployments": 0.85, "escalation": 0.85}


@pytest.fixture(scope="module")
def pipeline():  # type: ignore[no-untyped-def]
    return build_pipeline(build_plugins())


def _check(report, scored: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    for name in scored:
        score = report.scores[name]
        assert score.tp + score.fn > 0, f"{name}: nothing to score"
        assert score.f1 >= TARGETS[name], f"{name}: F1 {score.f1:.3f} below {TARGETS[name]}"


def test_project_set_is_balanced_and_large_enough() -> None:
    cases = load_cases(PROJECT_SET)
    positives = sum(1 for c in cases if c.casualties or c.deployments or c.escalation)
    assert len(cases) >= 150
    assert abs(positives - (len(cases) - positives)) <= len(cases) * 0.1


def test_project_set_meets_targets(pipeline) -> None:  # type: ignore[no-untyped-def]
    report = evaluate(pipeline, load_cases(PROJECT_SET))
    _check(report, ("casualties", "deployments", "escalation"))
    assert report.findings_on_negatives == 0


#: Where the shared development articles' first-edition labels and the brief's second edition, as every real-news
#: annotator reads it, part: troops massed near a border were moved there (deploy), not called up (mobilize). The
#: project set's own copy of the sentence was relabelled (d063); the shared file is not this repository's to edit,
#: so it is scored with the second edition's reading here.
SECOND_EDITION = {"d008": {"deployments": frozenset({(100000, "deploy")})}}


def test_shared_dev_set_meets_targets(pipeline) -> None:  # type: ignore[no-untyped-def]
    path = SHARED_EVAL / "dev.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is not beside this checkout")
    cases = [dataclasses.replace(c, **SECOND_EDITION.get(c.id, {})) for c in load_cases(path)]
    assert {c.id for c in cases} >= set(SECOND_EDITION)
    _check(evaluate(pipeline, cases), ("casualties", "deployments", "escalation"))


def test_case_2021_snippets_meet_targets(pipeline) -> None:  # type: ignore[no-untyped-def]
    """The CASE 2021 texts carry no licence, so they are not in the repository: point MONITOR_CASE_TEXTS at
    task2/test_dataset/test_set_final_release_with_labels.tsv of emerging-welfare/case-2021-shared-task."""
    texts = os.environ.get("MONITOR_CASE_TEXTS")
    labels = SHARED_EVAL / "case_dev.jsonl"
    if not texts or not Path(texts).exists() or not labels.exists():
        pytest.skip("set MONITOR_CASE_TEXTS to the CASE 2021 task 2 test TSV to score the real news snippets")
    _check(evaluate(pipeline, load_cases(labels, Path(texts))), ("casualties", "deployments"))


def test_eval_command_lists_misses_and_false_alarms(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    labels = tmp_path / "mini.jsonl"
    labels.write_text(
        '{"id": "x1", "sentences": ["Five people were killed on Monday."], '
        '"casualties": [{"category": "killed", "count": 6}], "deployments": [], "escalation": []}\n'
    )
    result = monitor("eval", str(labels))
    assert result.code == 0, result.err
    assert "casualties       0.000   0.000" in result.out
    assert "false alarm x1" in result.out and "('killed', 5)" in result.out
    assert "miss        x1" in result.out and "('killed', 6)" in result.out


def test_eval_without_texts_names_the_problem(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    labels = tmp_path / "ids.jsonl"
    labels.write_text('{"id": "6", "casualties": [], "deployments": []}\n')
    result = monitor("eval", str(labels))
    assert result.code == 2
    assert f"{labels}:1" in result.err and "--texts" in result.err
