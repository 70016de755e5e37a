"""The PostgreSQL store (psycopg 3), for several replicas sharing one database.

Same schema and queries as SQLite (``sql.py``); migrations are recorded in ``schema_version`` and applied
under an advisory lock, so replicas starting together migrate once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from monitor.errors import ConfigError
from monitor.store.sql import SCHEMA, SQLStore, statements

#: pg_advisory_xact_lock key for migrations ("mmon" in ASCII).
MIGRATION_LOCK = 0x6D6D6F6E


def _sql(sql: str) -> str:
    return sql.replace("?", "%s")


class PostgresStore(SQLStore):
    """:class:`~monitor.store.base.Store` on PostgreSQL."""

    def __init__(self, url: str) -> None:
        try:
            import psycopg
            from psycopg.rows import dict_row
        except ImportError:
            raise ConfigError("[store] url is a PostgreSQL URL: install the extra: pip install "
                              "'media-monitor[postgres]'") from None
        try:
            self.conn = psycopg.connect(url, autocommit=True, row_factory=dict_row, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise ConfigError(f"[store] url: cannot connect to PostgreSQL: {str(exc).strip()}") from None
        self._in_tx = 0
        self.migrate()

    def _exec(self, sql: str, args: Sequence[Any] = ()) -> int:
        with self.conn.cursor() as cur:
            cur.execute(_sql(sql), args)
            return cur.rowcount

    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(_sql(sql), rows)

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.conn.cursor() as cur:
            cur.execute(_sql(sql), args)
            return list(cur.fetchall()) if cur.description else []

    @contextmanager
    def _tx(self) -> Iterator[None]:
        with self.conn.transaction():
            yield

    @property
    def version(self) -> int:
        self._exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        value = self._scalar("SELECT MAX(version) AS v FROM schema_version")
        return int(value or 0)

    def migrate(self) -> int:
        """Apply pending migrations, each in one transaction under an advisory lock; return the version."""
        while self.version < len(SCHEMA):
            with self._tx():
                self._exec("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
                current = self.version  # another replica may have migrated while we waited
                if current >= len(SCHEMA):
                    break
                for statement in statements(SCHEMA[current]):
                    self._exec(statement)
                self._exec("INSERT INTO schema_version (version) VALUES (?)", (current + 1,))
        return self.version

    def close(self) -> None:
        self.conn.close()
