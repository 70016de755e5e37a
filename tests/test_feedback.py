"""Judgements become labelled data: ``monitor feedback export`` writes what ``monitor eval`` loads and scores,
and ``monitor eval --feedback`` reports precision on the judged findings."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import main
from monitor.evaluation import load_cases
from monitor.model import Finding
from monitor.store import open_store
from tests.console_support import copy_state


def _judge(state: Path) -> tuple[Finding, Finding, Finding]:
    """Three casualty findings of the seed run that read a count judged right, false alarm and wrong figure
    (those with the least evidence first), and an escalation finding judged a false alarm."""
    store = open_store(state)
    rows, _ = store.console_alerts()
    article_id = json.loads(rows[0]["doc"])["article"]["id"]
    findings = sorted((f for f in store.article_findings(article_id) if f.detector == "casualties"
                       and isinstance(f.attributes.get("count"), int)), key=lambda f: len(f.evidence))
    right, false, wrong = findings[:3]
    store.record_feedback(article_id, right.identity, "casualties", "right")
    store.record_feedback(article_id, false.identity, "casualties", "false_alarm")
    store.record_feedback(article_id, wrong.identity, "casualties", "wrong_figure", wrong.attributes["count"] + 1)
    escalation = next(f for f in store.article_findings(article_id) if f.detector == "escalation")
    store.record_feedback(article_id, escalation.identity, "escalation", "false_alarm")
    store.close()
    return right, false, wrong


def test_export_loads_and_scores_with_monitor_eval(seeded_state: Path, tmp_path: Path) -> None:
    state = copy_state(seeded_state, tmp_path)
    right, false, wrong = _judge(state)
    runner = CliRunner()
    out = tmp_path / "mine.jsonl"
    exported = runner.invoke(main, ["feedback", "export", str(out), "--state-dir", str(state)])
    assert exported.exit_code == 0, exported.output
    items = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(load_cases(out)) == len(items) >= 1
    labels = [(c["category"], c["count"]) for item in items for c in item["casualties"]]
    assert (right.attributes["category"], right.attributes["count"]) in labels
    assert (false.attributes["category"], false.attributes["count"]) not in labels
    assert (wrong.attributes["category"], wrong.attributes["count"] + 1) in labels
    assert any(item.get("escalation") == [] for item in items)  # the escalation false alarm: no sentence gold
    scored = runner.invoke(main, ["eval", str(out), "--json"])
    assert scored.exit_code == 0, scored.output
    casualties = json.loads(scored.output)["detectors"]["casualties"]
    # today's detectors are the ones that made the findings: the judged-right one is a hit, the false alarm and
    # the wrong figure are false alarms, and the right figure never read is a miss
    assert casualties["tp"] >= 1 and casualties["fp"] >= 2 and casualties["fn"] >= 1
    assert json.loads(scored.output)["detectors"]["escalation"]["fp"] >= 1


def test_eval_feedback_reports_precision_on_judged_findings(seeded_state: Path, tmp_path: Path) -> None:
    state = copy_state(seeded_state, tmp_path)
    _judge(state)
    config = tmp_path / "monitor.toml"
    config.write_text(f'[daemon]\nstate_dir = "{state}"\n')
    done = CliRunner().invoke(main, ["eval", "--feedback", "--config", str(config)], env={"MONITOR_STORE_URL": ""})
    assert done.exit_code == 0, done.output
    row = next(line.split() for line in done.output.splitlines() if line.startswith("casualties "))
    assert row[1:] == ["3", "1", "1", "1", "0.333"]
    assert next(line.split() for line in done.output.splitlines()
                if line.startswith("escalation "))[1:] == ["1", "0", "1", "0", "0.000"]
    assert "today's detectors on the judged sentences" in done.output
    assert CliRunner().invoke(main, ["eval"]).exit_code == 2
