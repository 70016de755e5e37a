"""``monitor console`` (the web console on its own, beside a running daemon) and ``monitor feedback``."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from monitor.cli.base import _fail, _load, config_option, main, plugins_dir_option
from monitor.config import Config, ConsoleConfig, console_listen_problem
from monitor.store.base import Store

state_option = click.option("--state-dir", type=click.Path(file_okay=False),
                            help="The SQLite state directory to read (default: the config's [daemon] state_dir).")
store_url_option = click.option("--store-url", envvar="MONITOR_STORE_URL",
                                help="A postgresql:// URL to read instead (default: the config's [store] url).")


def _open(config: Config, state_dir: str | None, store_url: str | None) -> Store:
    """The store to read: a PostgreSQL URL, else an existing SQLite state directory (never a new, empty one)."""
    from monitor.config import store_url as configured_url
    from monitor.store import open_store

    url = store_url or configured_url(config)
    directory = Path(state_dir or config.daemon.state_dir)
    if not url and not (directory / "monitor.sqlite3").exists():
        _fail(f"{directory}: no state database here (monitor.sqlite3); point --state-dir at the daemon's "
              "state directory, or --store-url at its PostgreSQL database")
    return open_store(directory, url)


@main.command("console")
@click.option("--listen", help="host:port (default: [console] listen, else 127.0.0.1:9109).")
@state_option
@store_url_option
@config_option
@plugins_dir_option
def console_cmd(listen: str | None, state_dir: str | None, store_url: str | None, config_path: str | None,
                plugins_dirs: tuple[str, ...]) -> None:
    """Serve the web console over a state directory or PostgreSQL database (the daemon may be running)."""
    from monitor.errors import MonitorError

    config, plugins = _load(config_path, plugins_dirs, deliver=False)
    settings = config.console.model_copy(update={"listen": listen or config.console.listen or "127.0.0.1:9109"})
    problem = console_listen_problem(settings.listen, settings.token, settings.username, settings.password)
    if problem:
        _fail(f"[console] {problem}")
    store = _open(config, state_dir, store_url)
    try:
        asyncio.run(_serve(config, store, plugins.detectors, settings))
    except MonitorError as exc:
        _fail(str(exc))
    finally:
        store.close()


async def _serve(config: Config, store: Store, detectors: Mapping[str, Any], settings: ConsoleConfig) -> None:
    from monitor.console.server import console_server

    server = console_server(config, store, detectors, settings)
    await server.start()
    click.echo(f"console on http://{server.address}/ (Ctrl-C stops it)", err=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop()


@main.group("feedback")
def feedback_group() -> None:
    """The analysts' judgements of findings, given in the console."""


@feedback_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False))
@state_option
@store_url_option
@config_option
def feedback_export(path: str, state_dir: str | None, store_url: str | None, config_path: str | None) -> None:
    """Write the judgements as labelled JSON Lines that 'monitor eval PATH' scores."""
    from monitor.feedback import export_items, write_items

    config, _ = _load(config_path, (), deliver=False)
    store = _open(config, state_dir, store_url)
    try:
        items, skipped = export_items(store)
        judgements = len(store.feedback())
    finally:
        store.close()
    try:
        write_items(items, Path(path))
    except OSError as exc:
        _fail(f"{path}: cannot write: {exc.strerror or exc}")
    for why in skipped:
        click.echo(f"not exported: {why}", err=True)
    click.echo(f"{len(items)} labelled item(s) from {judgements} judgement(s) written to {path}")


def eval_feedback(config: Config, plugins: Any, as_json: bool) -> None:
    """``monitor eval --feedback``: precision on the findings judged in the console, as judged; then today's
    detectors scored on the exported labels (so a false alarm fixed since shows as fixed)."""
    import json
    import tempfile

    from monitor.evaluation import evaluate, load_cases, render_report
    from monitor.feedback import export_items, judged_precision, write_items
    from monitor.pipeline import build_pipeline
    from monitor.wiring import store_for

    store = store_for(config, create=False)
    try:
        judged = judged_precision(store.feedback())
        items, _ = export_items(store)
    finally:
        store.close()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feedback.jsonl"
        write_items(items, path)
        report = evaluate(build_pipeline(plugins, config), load_cases(path))
    if as_json:
        click.echo(json.dumps({"judged": {d: j.to_dict() for d, j in judged.items()},
                               "rescored": report.summary()}, indent=2))
        return
    click.echo(f"{'detector':<14} {'judged':>6} {'right':>6} {'false alarm':>11} {'wrong figure':>12} {'precision':>9}")
    for name, j in judged.items():
        p = "-" if j.precision is None else f"{j.precision:.3f}"
        click.echo(f"{name:<14} {j.judged:>6} {j.right:>6} {j.false_alarm:>11} {j.wrong_figure:>12} {p:>9}")
    if not judged:
        click.echo("no judgements yet: mark findings right or wrong in the console (monitor console)")
        return
    click.echo("\ntoday's detectors on the judged sentences (monitor feedback export FILE; monitor eval FILE):")
    click.echo(render_report(report, show_errors=True))
