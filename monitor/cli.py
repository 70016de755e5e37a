"""The ``monitor`` command. Thin: parses arguments, calls into the rooms that do the work, prints."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from monitor import __version__
from monitor.config import Config, load_config, redact
from monitor.errors import ConfigError, MonitorError
from monitor.log import configure_logging
from monitor.model import Severity
from monitor.pipeline import build_pipeline
from monitor.plugins import Plugins, build_plugins

SEVERITIES = [s.value for s in Severity]


def _fail(message: str, code: int = 2) -> NoReturn:
    """The one error style of every command: ``monitor: error: <what>`` on stderr, exit 2 (bad input/config)."""
    click.echo(f"monitor: error: {message}", err=True)
    sys.exit(code)


class MonitorGroup(click.Group):
    """The command group, with click's own usage errors and any stray MonitorError reported in the same
    ``monitor: error:`` style as the commands' errors (click's default is a usage block and ``Error:``)."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            hint = f"; see '{exc.ctx.command_path} --help'" if exc.ctx is not None else ""
            _fail(f"{exc.format_message().rstrip('.')}{hint}", exc.exit_code)
        except click.ClickException as exc:
            _fail(exc.format_message(), exc.exit_code)
        except click.Abort:
            _fail("aborted", 1)
        except MonitorError as exc:
            _fail(str(exc))
        sys.exit(code if isinstance(code, int) else 0)


def _load(config_path: str | None, plugins_dirs: tuple[str, ...], *, deliver: bool = True) -> tuple[Config, Plugins]:
    """The config and the plugins. ``deliver=False`` for commands that send nothing: a sink's unset ``${ENV}``
    secret is then not an error."""
    try:
        config = load_config(config_path, deliver=deliver)
    except ConfigError as exc:
        _fail("\nmonitor: error: ".join(str(exc).splitlines()))
    dirs = [*config.plugins.dirs, *plugins_dirs]
    if config_path:
        base = Path(config_path).parent
        dirs = [str(base / d) if not Path(d).is_absolute() else d for d in config.plugins.dirs] + list(plugins_dirs)
    return config, build_plugins(dirs, disable=config.plugins.disable)


config_option = click.option("--config", "-c", "config_path", type=click.Path(dir_okay=False),
                             envvar="MONITOR_CONFIG", help="TOML config file (default: embedded defaults).")
plugins_dir_option = click.option("--plugins-dir", "plugins_dirs", multiple=True, type=click.Path(file_okay=False),
                                  help="Load every *.py file in this directory as a plugin (repeatable).")


@click.group(cls=MonitorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="media-monitor")
@click.option("--log-level", default=None, envvar="MONITOR_LOG_LEVEL",
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
              help="Default: INFO for 'run', WARNING otherwise.")
@click.option("--log-format", type=click.Choice(["auto", "json", "console"]), default="auto", show_default=True)
@click.pass_context
def main(ctx: click.Context, log_level: str | None, log_format: str) -> None:
    """media-monitor: watch feeds and folders, detect events, send alerts."""
    level = log_level or ("INFO" if ctx.invoked_subcommand == "run" else "WARNING")
    configure_logging(level, json=None if log_format == "auto" else log_format == "json")


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
    for outcome in read_inputs(inputs, daemon=config.daemon):
        if outcome.error is not None:
            bad = True
            click.echo(f"monitor: error: {outcome.error}", err=True)
            continue
        assert outcome.article is not None
        article, findings = pipeline.run(outcome.article)
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


@main.group("alerts", invoke_without_command=True)
@config_option
@click.option("--failed", is_flag=True, help="List deliveries that failed after their last attempt.")
@click.option("--pending", is_flag=True, help="List deliveries waiting for (another) attempt.")
@click.option("--held", is_flag=True, help="List only held alerts (silenced, throttled, for a digest).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def alerts_group(ctx: click.Context, config_path: str | None, failed: bool, pending: bool, held: bool,
                 as_json: bool) -> None:
    """List the outbox's deliveries (all, --pending or --failed) and the alerts held back, with why;
    'retry' re-sends failed deliveries."""
    ctx.obj = config_path
    if ctx.invoked_subcommand is not None:
        return
    from dataclasses import asdict

    from monitor.status import alert_counts, held_alerts, outbox_counts
    from monitor.wiring import store_for

    config, _ = _load(config_path, (), deliver=False)
    store = store_for(config, create=False)
    try:
        status_filter = "failed" if failed else "pending" if pending else None
        rows = [] if held else store.deliveries(status_filter)
        kept = [] if (failed or pending) else held_alerts(store)
        counts, outbox = alert_counts(store), outbox_counts(store)
    finally:
        store.close()
    deliveries = []
    for d in rows:
        article = json.loads(d.payload)["payload"]["article"]
        deliveries.append({"alert_id": d.alert_id, "sink": d.sink, "status": d.status, "attempts": d.attempts,
                           "next_attempt": d.next_attempt, "last_error": d.last_error,
                           "idempotency_key": d.idempotency_key,
                           "title": article.get("title") or article.get("url") or ""})
    if as_json:
        click.echo(json.dumps({"alerts": asdict(counts), "outbox": outbox, "deliveries": deliveries,
                               "held": [asdict(h) for h in kept]}, indent=2))
        return
    for row in deliveries:
        click.echo(f"{row['alert_id']}  {row['sink']:<12} {row['status']:<9} attempts {row['attempts']}  "
                   f"{str(row['title'])[:60]}" + (f"\n    last error: {row['last_error']}" if row["last_error"] else "")
                   )
    if not deliveries and not held:
        click.echo("no deliveries" + (f" with status {status_filter}" if status_filter else ""))
    for h in kept:
        click.echo(f"{h.alert_id}  {h.route:<12} {'held':<9} {h.held:<9}  {h.title[:60]}\n    why: {h.reason}")
    click.echo(f"alerts: {counts.text()}; outbox: " + ", ".join(f"{n} {s}" for s, n in outbox.items()))


@alerts_group.command("retry")
@click.argument("alert_id", required=False)
@click.pass_obj
def alerts_retry(config_path: str | None, alert_id: str | None) -> None:
    """Queue failed deliveries (all, or one alert's) for delivery again; the daemon sends them."""
    from monitor.wiring import store_for

    config, _ = _load(config_path, (), deliver=False)
    store = store_for(config, create=False)
    n = store.requeue_failed(alert_id)
    store.close()
    click.echo(f"{n} failed deliveries queued again")


@main.group("db")
def db_group() -> None:
    """The state database: schema version and migrations."""


@db_group.command("status")
@config_option
def db_status(config_path: str | None) -> None:
    """Backend, schema version, and pending migrations."""
    from monitor.config import store_url
    from monitor.store.sql import SCHEMA
    from monitor.wiring import store_for

    config, _ = _load(config_path, (), deliver=False)
    backend = "postgresql" if store_url(config) else "sqlite"
    if backend == "sqlite" and not (Path(config.daemon.state_dir) / "monitor.sqlite3").exists():
        click.echo(f"backend: sqlite\nschema version: 0 of {len(SCHEMA)} (no database yet in "
                   f"{config.daemon.state_dir}; the daemon creates it)\npending migrations: {len(SCHEMA)}")
        return
    try:
        store = store_for(config)
    except MonitorError as exc:
        _fail(str(exc))
    version = store.version
    store.close()
    click.echo(f"backend: {backend}\nschema version: {version} of {len(SCHEMA)}\npending migrations: "
               f"{len(SCHEMA) - version}")


@db_group.command("migrate")
@config_option
def db_migrate(config_path: str | None) -> None:
    """Apply pending schema migrations (the daemon also does this when it starts)."""
    from monitor.wiring import store_for

    config, _ = _load(config_path, (), deliver=False)
    try:
        store = store_for(config)  # opening migrates, under a lock on PostgreSQL
    except MonitorError as exc:
        _fail(str(exc))
    click.echo(f"schema version {store.version}")
    store.close()


@main.command("test-sink")
@click.argument("name")
@config_option
@plugins_dir_option
def test_sink(name: str, config_path: str | None, plugins_dirs: tuple[str, ...]) -> None:
    """Send a sample alert through sink NAME and report the real outcome (HTTP status, SMTP reply)."""
    import asyncio
    import uuid

    from monitor.hookspecs import Receipt
    from monitor.model import Alert, Article, Evidence, Finding
    from monitor.plugins import close_all
    from monitor.wiring import build_sinks

    config, plugins = _load(config_path, plugins_dirs)
    try:
        sinks = build_sinks(config, plugins)
    except MonitorError as exc:
        _fail(str(exc))
    if name not in sinks:
        _fail(f"no sink named {name!r} (configured: {', '.join(sinks) or 'none'})")
    text = "This is a test alert from media-monitor: three people were injured in a test."
    start = text.index("three people were injured")
    article = Article.create(text, url="https://example.org/media-monitor-test", title="media-monitor test alert",
                             source="test")
    finding = Finding(detector="casualties", severity=Severity.LOW, score=0.5, summary="Three injured (test)",
                      evidence=(Evidence.at(text, start, start + len("three people were injured")),),
                      attributes={"category": "injured", "count": 3, "qualifier": "exact", "test": True})
    alert = Alert.create("test-sink", article, [finding])
    # A fresh key every run: a receiver that drops repeats by key (as it should) must not drop the next test.
    key = f"test-{alert.id}-{uuid.uuid4().hex[:16]}"
    sink = sinks[name]

    async def deliver_once() -> Receipt:
        try:
            return await sink.deliver(alert, key)
        finally:
            await close_all([sink])  # the sink's client closed in its own event loop, not left to the GC

    receipt = asyncio.run(deliver_once())
    click.echo(f"{name}: {'delivered' if receipt.ok else 'FAILED'}: {receipt.detail}")
    sys.exit(0 if receipt.ok else 1)


@main.group("silence")
def silence_group() -> None:
    """Mute matching alerts for a while: they are recorded, not sent."""


@silence_group.command("add")
@click.option("--detector", help="Only findings of this detector.")
@click.option("--source", help="Only articles from this source.")
@click.option("--attr", "attrs", multiple=True, metavar="KEY=VALUE",
              help="Attribute condition, e.g. category=injured or 'count=<10' (repeatable).")
@click.option("--for", "duration", required=True, help="How long, e.g. 2h, 30m, 1d.")
@click.option("--reason", required=True, help="Why (shown by 'silence list').")
@config_option
@plugins_dir_option
def silence_add(detector: str | None, source: str | None, attrs: tuple[str, ...], duration: str, reason: str,
                config_path: str | None, plugins_dirs: tuple[str, ...]) -> None:
    """Add a silence. Detector, attribute names and values are checked against the registered detectors."""

    from monitor.alerts.vocabulary import vocabulary_problems
    from monitor.conditions import parse_condition
    from monitor.config import did_you_mean
    from monitor.durations import parse_duration
    from monitor.model import stable_id
    from monitor.times import iso_in, utcnow
    from monitor.wiring import store_for

    problems = []
    try:
        seconds = parse_duration(duration)
    except ValueError as exc:
        problems.append(f"--for {duration}: {exc}")
    attributes: dict[str, str] = {}
    for item in attrs:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            problems.append(f"--attr {item}: expected KEY=VALUE, e.g. category=injured or 'count=<10'")
            continue
        try:
            parse_condition(key.strip(), value)
        except ValueError as exc:
            problems.append(f"--attr {item}: {exc}")
            continue
        attributes[key.strip()] = value
    if not (detector or source or attrs):
        problems.append("a silence needs at least one of --detector, --source, --attr")
    config, plugins = _load(config_path, plugins_dirs, deliver=False)
    problems += vocabulary_problems(plugins.detectors, detector, attributes)
    if source is not None and config.sources and source not in {s.name for s in config.sources}:
        names = [s.name for s in config.sources]
        problems.append(f"--source {source}: no such source{did_you_mean(source, names)} "
                        f"(configured: {', '.join(names)})")
    if problems:
        _fail("\nmonitor: error: ".join(problems))
    until = iso_in(seconds)
    silence_id = stable_id("silence", utcnow(), detector or "", source or "", repr(sorted(attributes.items())))[:8]
    store = store_for(config)
    store.add_silence(silence_id, detector, source, attributes, reason, until)
    store.close()
    click.echo(f"silence {silence_id} added until {until}")


@silence_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include expired silences.")
@config_option
def silence_list(show_all: bool, config_path: str | None) -> None:
    """List active silences."""
    from monitor.times import utcnow
    from monitor.wiring import store_for

    config, _ = _load(config_path, (), deliver=False)
    store = store_for(config, create=False)
    rows = store.silences(None if show_all else utcnow())
    store.close()
    for r in rows:
        match = ", ".join(x for x in (f"detector={r['detector']}" if r["detector"] else "",
                                      f"source={r['source']}" if r["source"] else "",
                                      *(f"{k}{v if v[:1] in '<>=!' else '=' + v}" for k, v in r["attributes"].items()))
                          if x)
        click.echo(f"{r['id']}  until {r['until']}  {match}  reason: {r['reason']}")
    if not rows:
        click.echo("no active silences")


@silence_group.command("expire")
@click.argument("silence_id")
@config_option
def silence_expire(silence_id: str, config_path: str | None) -> None:
    """End a silence now."""
    from monitor.wiring import store_for

    config, _ = _load(config_path, (), deliver=False)
    store = store_for(config, create=False)
    ok = store.expire_silence(silence_id)
    store.close()
    if not ok:
        _fail(f"no active silence {silence_id!r}")
    click.echo(f"silence {silence_id} expired")


@main.group("plugin")
def plugin_group() -> None:
    """Tools for plugin authors."""


@plugin_group.command("new")
@click.argument("name")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=".", show_default=True)
def plugin_new(name: str, directory: str) -> None:
    """Scaffold a pip-installable detector plugin package NAME (pyproject, module, tests)."""
    from monitor.scaffold import scaffold

    try:
        root = scaffold(name, Path(directory))
    except MonitorError as exc:
        _fail(str(exc))
    click.echo(f"created {root}\nnext: cd {root} && pip install -e '.[test]' && pytest && monitor plugins")


@plugin_group.command("hooks")
def plugin_hooks() -> None:
    """Print the hook reference (Markdown), generated from the hookspec docstrings."""
    from monitor.scaffold import hook_reference

    click.echo(hook_reference(), nl=False)


@main.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@plugins_dir_option
@config_option
def plugins_cmd(as_json: bool, plugins_dirs: tuple[str, ...], config_path: str | None) -> None:
    """List loaded plugins with their hooks, versions and where they came from."""
    _, plugins = _load(config_path, plugins_dirs, deliver=False)
    infos = plugins.info()
    if as_json:
        click.echo(json.dumps({"plugins": [i.to_dict() for i in infos], "problems": plugins.problems}, indent=2))
        return
    for info in infos:
        click.echo(f"{info.name} {info.version or ''}".rstrip())
        click.echo(f"  from:  {info.origin}")
        click.echo(f"  hooks: {', '.join(info.hooks)}")
        for label, names in (("detectors", info.detectors), ("sinks", info.sinks), ("sources", info.sources)):
            if names:
                click.echo(f"  {label}: {', '.join(names)}")
    for name, problem in sorted(plugins.problems.items()):
        click.echo(f"{name}: NOT LOADED: {problem}", err=True)


@main.group("config")
def config_group() -> None:
    """Work with configuration files."""


@config_group.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
@plugins_dir_option
def config_check(file: str, plugins_dirs: tuple[str, ...]) -> None:
    """Validate FILE, including every plugin's own table; print every problem (file:line), or the config with
    secrets hidden. Sink secrets need not be set: an unset one is reported, and the check goes on."""
    from monitor.config_check import plugin_problems, read_config

    config, text, problems = read_config(file)
    if config is not None:
        dirs = [d if Path(d).is_absolute() else str(Path(file).parent / d) for d in config.plugins.dirs]
        plugins = build_plugins([*dirs, *plugins_dirs], disable=config.plugins.disable)
        problems += plugin_problems(config, plugins, text)
    if problems:
        for problem in problems:
            click.echo(f"monitor: error: {problem}", err=True)
        click.echo(f"{file}: {len(problems)} problem(s)", err=True)
        sys.exit(2)
    assert config is not None
    click.echo(f"{file}: OK")
    click.echo(json.dumps(redact(config.model_dump(mode="json")), indent=2))


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
@click.argument("labels", type=click.Path(exists=True))
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
@config_option
@plugins_dir_option
def eval_cmd(labels: str, texts: str | None, split: str | None, split_ids: str | None, show_errors: bool,
             as_json: bool, config_path: str | None, plugins_dirs: tuple[str, ...]) -> None:
    """Precision, recall and F1 of the detectors on a labelled JSON Lines file."""
    from monitor.evaluation import evaluate, load_cases, read_ids, render_report

    config, plugins = _load(config_path, plugins_dirs, deliver=False)
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
