"""``monitor db``: the state database's schema version and migrations."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.cli.base import _fail, _load, config_option, main
from monitor.errors import MonitorError


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
