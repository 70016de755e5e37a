"""The primitives a SQL backend provides (``sqlite.py``, ``postgres.py``) and the two reads built on them;
every store method (``sql.py``, ``events.py``, ``console.py``) is written over these."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any


class SQLPrimitives:
    """Run a statement, run one for many rows, read rows, open a transaction; the schema version; close."""

    def _exec(self, sql: str, args: Sequence[Any] = ()) -> int:
        """Run one statement; return the row count."""
        raise NotImplementedError

    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        raise NotImplementedError

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _tx(self) -> AbstractContextManager[None]:
        """A transaction: all statements inside commit together or not at all."""
        raise NotImplementedError

    @property
    def version(self) -> int:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def _one(self, sql: str, args: Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = self._rows(sql, args)
        return rows[0] if rows else None

    def _scalar(self, sql: str, args: Sequence[Any] = ()) -> Any:
        row = self._one(sql, args)
        return None if row is None else next(iter(row.values()))
