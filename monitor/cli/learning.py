"""``monitor train`` and ``monitor eval``: the detectors' learned decisions and their measured quality."""

from __future__ import annotations

import json
from pathlib import Path

import click

from monitor.cli.base import _fail, _load, config_option, main, plugins_dir_option
from monitor.errors import MonitorError
from monitor.pipeline import build_pipeline


@main.command("train")
@click.option("--labels", type=click.Path(exists=True), required=True, help="Label file or folder of them.")
@click.option("--texts", type=click.Path(exists=True), required=True, help="{id, sentences} JSON Lines (folder).")
@click.option("--split-ids", type=click.Path(exists=True, dir_okay=False), required=True,
              help="The frozen test split's ids: never trained on.")
@click.option("--extra", type=click.Path(exists=True, dir_okay=False), multiple=True,
              help="More labelled files with their sentences (e.g. tests/eval/project.jsonl).")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Folder for the model files.")
def train_cmd(labels: str, texts: str, split_ids: str, extra: tuple[str, ...], out: str) -> None:
    """Train the built-in detectors' learned decisions (needs the train extra: scikit-learn)."""
    try:
        from monitor.learn import train
    except ImportError as exc:
        _fail(f"monitor train needs the train extra (pip install 'media-monitor[train]'): {exc}")
    from monitor.evaluation import read_ids

    try:
        train(Path(labels), Path(texts), read_ids(Path(split_ids)), Path(out), [Path(p) for p in extra],
              log=click.echo)
    except ImportError as exc:
        _fail(f"monitor train needs the train extra (pip install 'media-monitor[train]'): {exc}")
    except MonitorError as exc:
        _fail(str(exc))


@main.command("eval")
@click.argument("labels", type=click.Path(exists=True), required=False)
@click.option("--texts", type=click.Path(exists=True),
              help="Texts for label files that carry ids only: a TSV (id, text), as the CASE 2021 snippets are "
                   "published, or {id, sentences} JSON Lines (a file or a folder, as prepare.py writes them).")
@click.option("--split", type=click.Choice(["dev", "test"]),
              help="Score only the development or the frozen test items (needs --split-ids).")
@click.option("--split-ids", type=click.Path(exists=True, dir_okay=False),
              help="The frozen test split's ids, one a line (tests/eval/real/test_ids.txt).")
@click.option("--show-errors/--no-show-errors", default=True, show_default=True,
              help="List each miss and false alarm with its sentence.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--feedback", is_flag=True,
              help="Instead of LABELS: precision on the findings judged in the console (the config's store).")
@config_option
@plugins_dir_option
def eval_cmd(labels: str | None, texts: str | None, split: str | None, split_ids: str | None, show_errors: bool,
             as_json: bool, feedback: bool, config_path: str | None, plugins_dirs: tuple[str, ...]) -> None:
    """Precision, recall and F1 of the detectors on a labelled JSON Lines file (or, with --feedback, on the
    judgements given in the console)."""
    from monitor.evaluation import evaluate, load_cases, read_ids, render_report

    config, plugins = _load(config_path, plugins_dirs, deliver=False)
    if feedback:
        from monitor.cli.console import eval_feedback

        return eval_feedback(config, plugins, as_json)
    if labels is None:
        _fail("give a LABELS file, or --feedback for the judgements given in the console")
    if split and not split_ids:
        _fail("--split needs --split-ids FILE (the frozen test ids)")
    test = read_ids(Path(split_ids)) if split_ids else None
    try:
        cases = load_cases(Path(labels), Path(texts) if texts else None,
                           only=test if split == "test" else None, exclude=test if split == "dev" else None)
        report = evaluate(build_pipeline(plugins, config), cases)
    except MonitorError as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps(report.summary(), indent=2))
    else:
        click.echo(render_report(report, show_errors=show_errors))
