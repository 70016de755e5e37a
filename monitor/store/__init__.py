"""Durable state behind one small interface (:class:`Store`); SQLite is the embedded default."""

from __future__ import annotations

import os
from pathlib import Path

from monitor.config import Config
from monitor.store.base import (
    AlertRecord,
    Delivery,
    SourceState,
    Store,
    StoreStats,
)


def open_store(state_dir: str | Path, url: str | None = None, create: bool = True) -> Store:
    """PostgreSQL when ``url`` is a postgresql:// URL, else the embedded SQLite file in ``state_dir``;
    created and migrated either way — except with ``create=False`` (read-only commands), when a missing SQLite
    file is not created and reads as empty."""
    if url:
        from monitor.store.postgres import PostgresStore

        return PostgresStore(url)
    from monitor.store.sqlite import SQLiteStore

    return SQLiteStore(Path(state_dir) / "monitor.sqlite3", create=create)


def store_for(config: Config, create: bool = True) -> Store:
    """The store a configuration names: ``[store] url`` (or ``MONITOR_STORE_URL``), else SQLite."""
    return open_store(config.daemon.state_dir, config.store.url or os.environ.get("MONITOR_STORE_URL") or None,
                      create)


__all__ = ["AlertRecord", "Delivery", "SourceState", "Store", "StoreStats", "open_store", "store_for"]
