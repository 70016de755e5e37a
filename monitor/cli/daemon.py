"""``monitor check``, ``monitor run`` and ``monitor status``: articles through the detectors, the daemon, its state."""

from __future__ import annotations

import json
import sys

import click

from monitor.cli.base import SEVERITIES, _fail, _load, config_option, main, plugins_dir_option
from monitor.errors import ConfigError, MonitorError
from monitor.pipeline import build_pipeline


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
              help="Exit 1 when a finding reaches this severity.")
@click.option("--detector", "detectors", multiple=True, help="Run only this detector (repeatable).")
@click.option("--explain", is_flag=True,
              help="Show why each finding was kept: its strongest features (signed) and its full reading.")
@config_option
@plugins_dir_option
def check(inputs: tuple[str, ...], fmt: str, fail_on: str | None, detectors: tuple[str, ...], explain: bool,
          config_path: str | None, plugins_dirs: tuple[str, ...]) -> None:
    """Run extraction and every enabled detector on files, directories, URLs or - (stdin).

    Exit status: 0 when it ran, 1 when a finding reaches --fail-on, 2 on bad input.
    """
    import asyncio

    from monitor.durations import parse_duration
    from monitor.inputs import read_inputs
    from monitor.render import render_text

    config, plugins = _load(config_path, plugins_dirs, deliver=False)
    try:
        pipeline = build_pipeline(plugins, config, only=detectors or None)
    except ConfigError as exc:
        _fail(str(exc))
    if detectors:
        missing = sorted(set(detectors) - {d.name for d in pipeline.detectors})
        if missing:
            _fail(f"--detector {missing[0]}: no such enabled detector "
                  f"(available: {', '.join(sorted(plugins.detectors))})")
    bad = reached = False
    first = True
    # Detection as the processor runs it: each plugin call off the loop, bounded by [daemon] detector_timeout.
    limit = parse_duration(config.daemon.detector_timeout)
    with asyncio.Runner() as loop:
        for outcome in read_inputs(inputs, daemon=config.daemon):
            if outcome.error is not None:
                bad = True
                click.echo(f"monitor: error: {outcome.error}", err=True)
                continue
            assert outcome.article is not None
            article, findings = loop.run(pipeline.run_isolated(outcome.article, limit))
            if fail_on and any(f.severity.at_least(fail_on) for f in findings):
                reached = True
            if fmt == "json":
                doc = {"article": article.to_dict(), "findings": [f.to_dict() for f in findings]}
                click.echo(json.dumps(doc, ensure_ascii=False))
            else:
                if not first:
                    click.echo()
                click.echo(render_text(article, findings, outcome.where, explain=explain))
            first = False
    if pipeline.stats.plugin_errors:
        failed = ", ".join(f"{k} ({v})" for k, v in sorted(pipeline.stats.plugin_errors.items()))
        click.echo(f"monitor: warning: plugin errors: {failed}", err=True)
    sys.exit(2 if bad else 1 if reached else 0)


@main.command()
@config_option
@plugins_dir_option
@click.option("--once", is_flag=True, help="Process every source once, deliver what is due, and exit.")
def run(config_path: str | None, plugins_dirs: tuple[str, ...], once: bool) -> None:
    """Run the daemon until SIGTERM/SIGINT (embedded defaults without --config)."""
    import asyncio

    from monitor.service import Service

    config, plugins = _load(config_path, plugins_dirs)
    try:
        service = Service(config, plugins, config_path)
    except MonitorError as exc:
        _fail(str(exc))
    sys.exit(asyncio.run(service.run(once=once)))


@main.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(config_path: str | None, as_json: bool) -> None:
    """Whether a daemon is running now; sources with their last success, last error and next poll; counts."""
    from monitor.status import render_status, status_report

    config, _ = _load(config_path, (), deliver=False)
    report = status_report(config)
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else render_status(report))
