"""The PostgreSQL store (psycopg 3), for several replicas sharing one database.

Same schema and queries as SQLite (``sql.py``); migrations are recorded in ``schema_version`` and applied
under an advisory lock, so replicas starting together migrate once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from monitor.errors import ConfigError
from monitor.store.base import Delivery
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
        if not self._scalar("SELECT to_regclass('schema_version') IS NOT NULL AS ok"):
            return 0
        return int(self._scalar("SELECT MAX(version) AS v FROM schema_version") or 0)

    def migrate(self) -> int:
        """Apply pending migrations in one transaction under an advisory lock (replicas starting together
        wait for each other, and even ``CREATE TABLE IF NOT EXISTS`` races); return the version."""
        with self._tx():
            self._exec("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
            self._exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            for target in range(self.version + 1, len(SCHEMA) + 1):
                for statement in statements(SCHEMA[target - 1]):
                    self._exec(statement)
                self._exec("INSERT INTO schema_version (version) VALUES (?)", (target,))
        return self.version

    def claim_due_deliveries(self, now: str, lease_until: str, limit: int = 100,
                             sink: str | None = None) -> list[Delivery]:
        """As in SQLite, but rows another replica holds are skipped, not waited for."""
        by_sink, args = ("AND sink = ? ", (now, sink, limit, lease_until)) if sink is not None else \
            ("", (now, limit, lease_until))
        rows = self._rows(
            "WITH due AS (SELECT alert_id, sink FROM outbox WHERE status = 'pending' AND next_attempt <= ? "
            f"{by_sink}ORDER BY next_attempt LIMIT ? FOR UPDATE SKIP LOCKED) "
            "UPDATE outbox o SET next_attempt = ? FROM due, alerts a "
            "WHERE o.alert_id = due.alert_id AND o.sink = due.sink AND a.id = o.alert_id "
            "RETURNING o.*, a.doc", args)
        return [self._delivery(r) for r in rows]

    def queue_report(self, alive_within: float = 30.0) -> dict[str, Any]:
        """Replicas alive (a worker heartbeat within ``alive_within`` s) and, per procrastinate queue, the jobs
        waiting and the age of the oldest; empty before any replica has installed the queue."""
        if not self._scalar("SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS ok"):
            return {}
        alive = self._scalar("SELECT COUNT(*) AS n FROM procrastinate_workers "
                             "WHERE last_heartbeat > now() - make_interval(secs => ?)", (alive_within,))
        queues = self._rows(
            "SELECT j.queue_name AS queue, COUNT(*) AS waiting, "
            "EXTRACT(EPOCH FROM now() - MIN(e.at)) AS oldest_s FROM procrastinate_jobs j "
            "LEFT JOIN procrastinate_events e ON e.job_id = j.id AND e.type = 'deferred' "
            "WHERE j.status = 'todo' GROUP BY j.queue_name ORDER BY j.queue_name")
        return {"replicas_alive": int(alive or 0),
                "queues": {q["queue"]: {"waiting": int(q["waiting"]),
                                        "oldest_waiting_s": round(float(q["oldest_s"] or 0), 1)} for q in queues}}

    def close(self) -> None:
        self.conn.close()
