"""``monitor silence``: mute matching alerts for a while."""

from __future__ import annotations

import click

from monitor.cli.base import _fail, _load, config_option, main, plugins_dir_option


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

    from monitor.alerts.routing import MAX_SILENCE, add_silence
    from monitor.alerts.vocabulary import vocabulary_problems
    from monitor.conditions import parse_condition
    from monitor.config_text import did_you_mean
    from monitor.durations import parse_duration
    from monitor.wiring import store_for

    problems = []
    try:
        seconds = parse_duration(duration)
    except ValueError as exc:
        problems.append(f"--for {duration}: {exc}")
    else:
        if not 0 < seconds <= MAX_SILENCE:
            problems.append(f"--for {duration}: must be more than 0 and at most 366d")
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
    store = store_for(config)
    try:
        silence_id, until = add_silence(store, detector, source, attributes, reason, seconds)
    finally:
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
