"""``monitor plugin``, ``monitor plugins`` and ``monitor config check``: for plugin authors and operators."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from monitor.cli.base import _fail, _load, config_option, main, plugins_dir_option
from monitor.config_text import redact
from monitor.errors import MonitorError
from monitor.plugins import build_plugins


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
