"""The ``monitor`` command group and what its commands share: the one error style, loading config and plugins,
the common options. Each command lives in its own module of this package."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from monitor import __version__
from monitor.config import Config, load_config
from monitor.errors import ConfigError, MonitorError
from monitor.log import configure_logging
from monitor.model import Severity
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
