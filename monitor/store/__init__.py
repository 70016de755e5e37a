"""Durable state behind one small interface (:class:`Store`); SQLite is the embedded default.

The store knows no configuration: it is handed a URL or a directory (``monitor.wiring.store_for`` reads them
from a config)."""

from __future__ import annotations

from pathlib import Path

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


__all__ = ["AlertRecord", "Delivery", "SourceState", "Store", "StoreStats", "open_store"]
