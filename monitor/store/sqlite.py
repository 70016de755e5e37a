"""The embedded store: one SQLite file in WAL mode, migrated on open."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from monitor.errors import MonitorError
from monitor.store.sql import SCHEMA, SQLStore, statements


class StoreError(MonitorError):
    """The state database cannot be opened or used; the message names the file."""


def _identity(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino


def _why(exc: BaseException) -> str:
    text = str(exc) if not isinstance(exc, OSError) else (exc.strerror or str(exc))
    if "readonly" in text or "read-only" in text.lower():
        return f"{text} (the file or its directory is read-only: the daemon needs to write both)"
    if "not a database" in text or "malformed" in text:
        return f"{text} (the file is damaged or not a media-monitor database; restore it from a backup or move " \
               "it aside to start afresh)"
    if "unable to open" in text:
        return f"{text} (the directory must be writable: SQLite keeps -wal and -shm files beside the database)"
    return text


class SQLiteStore(SQLStore):
    """:class:`~monitor.store.base.Store` on SQLite (WAL, synchronous=NORMAL); schema version in user_version."""

    def __init__(self, path: str | Path, create: bool = True) -> None:
        """``create=False`` (read-only commands): a database that does not exist is not created — the store is
        an empty one in memory instead, so nothing is written to the state directory (or the directory made)."""
        self.path = Path(path)
        self.identity: tuple[int, int] | None = None
        if not create and not self.path.exists():
            self.db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            self.migrate()
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA busy_timeout=30000")
            self.migrate()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"{self.path.absolute()}: cannot open the state database: {_why(exc)}") from None
        self.identity = _identity(self.path)

    def lost(self) -> str | None:
        """Why the open database is no longer the file at ``path`` (deleted, or replaced by another file), or
        None while it is. Writes would go on into a file nobody can open again, and a restart would start from
        nothing and send every alert again."""
        try:
            now = _identity(self.path)
        except FileNotFoundError:
            return f"{self.path.absolute()} was deleted while the daemon had it open"
        except OSError as exc:
            return f"{self.path.absolute()} cannot be checked: {exc.strerror or exc}"
        if now != self.identity:
            return f"{self.path.absolute()} was replaced by another file while the daemon had it open"
        return None

    def rescue(self) -> Path:
        """After :meth:`lost`: write what the open connection still holds back to ``path`` (or beside it, when
        another file now stands there), close, and return where it went. Nothing recorded is lost."""
        target = self.path if not self.path.exists() else self.path.with_name(
            f"{self.path.name}.recovered-{time.strftime('%Y%m%dT%H%M%S')}")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the WAL's pages into the open (unlinked) file
        copy = sqlite3.connect(tmp)
        try:
            self.db.backup(copy)
        finally:
            copy.close()
        self.db.close()  # removes the -wal/-shm names of the lost file, which a new file must not inherit
        os.replace(tmp, target)
        return target.absolute()

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
