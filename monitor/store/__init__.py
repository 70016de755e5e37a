"""Durable state behind one small interface (:class:`Store`); SQLite is the embedded default."""

from __future__ import annotations

from pathlib import Path

from monitor.store.base import (
    AlertRecord,
    Delivery,
    SourceState,
    Store,
    StoreStats,
)


def open_store(state_dir: str | Path) -> Store:
    """The embedded SQLite store in ``state_dir`` (created, migrated)."""
    from monitor.store.sqlite import SQLiteStore

    return SQLiteStore(Path(state_dir) / "monitor.sqlite3")


__all__ = ["AlertRecord", "Delivery", "SourceState", "Store", "StoreStats", "open_store"]
