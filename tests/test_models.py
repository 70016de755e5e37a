"""The shipped learned decisions: the files match the README's record, score the committed examples as recorded,
and — where the real-news texts have been brought in — hold their figures on the frozen test split."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest

from monitor.evaluation import evaluate, load_cases, read_ids
from monitor.pipeline import build_pipeline
from monitor.plugins import build_plugins
from monitor.text.learned import Decision
from tests.eval.real.rows import CHOSEN

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
MODELS = ROOT / "plugins" / "models"
VECTORS = (ROOT / "monitor" / "text" / "words.txt", ROOT / "monitor" / "text" / "words50.npz")
REAL = ROOT / "tests" / "eval" / "real"


def _recorded(name: str) -> str:
    m = re.search(rf"^\| `{re.escape(name)}` \| `([0-9a-f]{{64}})` \|$", README, re.MULTILINE)
    assert m, f"README records no checksum for {name}"
    return m.group(1)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _row(label: str) -> dict[str, float]:
    """The F1 figures of a README table row whose first cell contains ``label``."""
    line = next(ln for ln in README.splitlines() if ln.startswith("|") and label in ln.split("|")[1])
    cells = [c.strip().strip("*") for c in line.split("|")[2:5]]
    names = ("casualties", "deployments", "escalation")
    # A cell reads "P / R / F1" or "P / R / F1 (labelled pairs)".
    return {name: float(cell.split("/")[2].split("(")[0]) for name, cell in zip(names, cells, strict=True)
            if "/" in cell}


@pytest.mark.parametrize("path", sorted(MODELS.glob("*.json")), ids=lambda p: p.name)
def test_shipped_model_matches_the_record_and_loads(path: Path) -> None:
    assert _sha(path) == _recorded(path.name)
    decision = Decision.load(path)
    assert 0.0 < decision.threshold < 1.0 and decision.weights
    assert 0.0 <= decision.probability({"cue:future": 1.0}) <= 1.0


@pytest.mark.parametrize("path", VECTORS, ids=lambda p: p.name)
def test_shipped_word_list_and_vectors_match_the_record(path: Path) -> None:
    """The words every model's ``vec:`` weights belong to, and the vectors they were projected through (made by
    tests/eval/real/vectors.py)."""
    assert _sha(path) == _recorded(path.name)


@pytest.mark.parametrize("path", [*sorted((REAL / "labels").glob("*.jsonl")), ROOT / "tests/eval/project.jsonl"],
                         ids=lambda p: p.name)
def test_labelled_data_matches_the_record(path: Path) -> None:
    assert _sha(path) == _recorded(path.name)


def test_models_were_trained_on_the_recorded_labels_without_the_test_split() -> None:
    test_ids = read_ids(REAL / "test_ids.txt")
    frozen = hashlib.sha256("\n".join(sorted(test_ids)).encode()).hexdigest()
    for path in MODELS.glob("*.json"):
        source = Decision.load(path).info["trained_on"]
        assert source["test_ids"] == frozen
        assert {n: _recorded(n) for n in source["labels"]} == source["labels"]


def test_error_family_examples_score_as_recorded() -> None:
    report = evaluate(build_pipeline(build_plugins()), load_cases(ROOT / "tests/eval/families.jsonl"))
    got = {name: round(s.f1, 2) for name, s in report.scores.items()}
    assert got == _row("error families")


def test_red_team_sentences_hold_their_floor() -> None:
    """197 self-written incident-report sentences (tenth session): five casualty families were mended on them, eight
    more in the eleventh session, the rest are the families still open; a change that reads fewer of them right
    fails here."""
    report = evaluate(build_pipeline(build_plugins()), load_cases(ROOT / "tests/eval/redteam.jsonl"))
    for name, recorded in _row("red-team incident-report sentences").items():
        assert report.scores[name].f1 >= recorded - 0.005, name


def test_blind_escalation_sentences_hold_their_floor() -> None:
    """200 wire-style sentences a helper wrote from the brief alone (thirteenth session), never tuned on: threats in
    many phrasings and their look-alikes."""
    report = evaluate(build_pipeline(build_plugins()), load_cases(ROOT / "tests/eval/redteam_escalation.jsonl"))
    recorded = _row("blind escalation sentences")
    assert set(recorded) == {"escalation"}
    assert report.scores["escalation"].f1 >= recorded["escalation"] - 0.005


def test_project_set_floor() -> None:
    report = evaluate(build_pipeline(build_plugins()), load_cases(ROOT / "tests/eval/project.jsonl"))
    for name, recorded in _row("project set").items():
        assert report.scores[name].f1 >= recorded - 0.005, name


def test_frozen_test_split_holds_its_figures() -> None:
    texts = Path(os.environ.get("MONITOR_REAL_TEXTS", REAL / "texts"))
    if not texts.is_dir() or not any(texts.glob("*.jsonl")):
        pytest.skip("real-news texts not brought in: run tests/eval/real/prepare.py (they stay in their public "
                    "repositories and cannot be fetched offline)")
    # The sources read whole or by seeded sample (the README's "conflict news" row, as rows.py groups it); the
    # rule-chosen sentence sources have rows of their own.
    test = {i for i in read_ids(REAL / "test_ids.txt") if i.split("-", 1)[0] not in CHOSEN}
    cases = load_cases(REAL / "labels", texts, only=test)
    report = evaluate(build_pipeline(build_plugins()), cases)
    for name, recorded in _row("test, conflict news").items():
        assert report.scores[name].f1 >= recorded - 0.005, name
