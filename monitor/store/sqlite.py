"""The embedded store: one SQLite file in WAL mode, migrated on open."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from monitor.store.sql import SCHEMA, SQLStore, statements


class SQLiteStore(SQLStore):
    """:class:`~monitor.store.base.Store` on SQLite (WAL, synchronous=NORMAL); schema version in user_version."""

    def __init__(self, path: str | Path, create: bool = True) -> None:
        """``create=False`` (read-only commands): a database that does not exist is not created — the store is
        an empty one in memory instead, so nothing is written to the state directory (or the directory made)."""
        self.path = Path(path)
        if not create and not self.path.exists():
            self.db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            self.migrate()
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=30000")
        self.migrate()

    def _exec(self, sql: str, args: Sequence[Any] = ()) -> int:
        return self.db.execute(sql, args).rowcount

    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.db.executemany(sql, rows)

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.execute(sql, args)]

    @contextmanager
    def _tx(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> int:
        """Apply pending migrations, each in one transaction with its version bump; return the version."""
        while self.version < len(SCHEMA):
            target = self.version + 1
            with self._tx():
                for statement in statements(SCHEMA[target - 1]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {target}")
        return self.version

    def close(self) -> None:
        self.db.close()

    def integrity_check(self) -> str:
        return str(self.db.execute("PRAGMA integrity_check").fetchone()[0])
