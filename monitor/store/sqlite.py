"""The embedded store: one SQLite file in WAL mode, migrated on open."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from monitor.model import Alert, Article, Finding, utcnow
from monitor.store.base import Delivery, SourceState, StoreStats

#: Versioned schema migrations: index + 1 is the version each one brings the database to.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE sources (
        name TEXT PRIMARY KEY, url TEXT, etag TEXT, last_modified TEXT, body_hash TEXT, last_attempt TEXT,
        last_success TEXT, last_new_item TEXT, last_error TEXT, error_count INTEGER NOT NULL DEFAULT 0,
        next_due TEXT, gone INTEGER NOT NULL DEFAULT 0, health TEXT NOT NULL DEFAULT 'ok'
    );
    CREATE TABLE items (
        key TEXT PRIMARY KEY, source TEXT NOT NULL, version TEXT NOT NULL, article_id TEXT,
        first_seen TEXT NOT NULL, last_seen TEXT NOT NULL
    );
    CREATE TABLE articles (
        id TEXT PRIMARY KEY, url TEXT, path TEXT, source TEXT, title TEXT, published TEXT,
        content_hash TEXT NOT NULL, fetched_at TEXT NOT NULL, updated_at TEXT NOT NULL, doc TEXT NOT NULL
    );
    CREATE INDEX articles_content_hash ON articles (content_hash);
    CREATE TABLE findings (
        article_id TEXT NOT NULL, identity TEXT NOT NULL, detector TEXT NOT NULL, severity TEXT NOT NULL,
        created_at TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (article_id, identity)
    );
    CREATE TABLE alerts (
        id TEXT PRIMARY KEY, route TEXT NOT NULL, article_id TEXT NOT NULL, created_at TEXT NOT NULL,
        held TEXT, bundled_in TEXT, doc TEXT NOT NULL
    );
    CREATE INDEX alerts_route_created ON alerts (route, created_at);
    CREATE TABLE silences (
        id TEXT PRIMARY KEY, detector TEXT, source TEXT, attributes TEXT NOT NULL, reason TEXT NOT NULL,
        created_at TEXT NOT NULL, until TEXT NOT NULL
    );
    CREATE TABLE outbox (
        alert_id TEXT NOT NULL, sink TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, next_attempt TEXT,
        last_error TEXT, delivered_at TEXT, detail TEXT, PRIMARY KEY (alert_id, sink)
    );
    CREATE INDEX outbox_due ON outbox (status, next_attempt);
    CREATE TABLE failures (
        key TEXT PRIMARY KEY, source TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 1
    );
    """,
]


class SQLiteStore:
    """:class:`~monitor.store.base.Store` on SQLite (WAL, synchronous=NORMAL, foreign keys on)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=30000")
        self.migrate()

    # -- schema ----------------------------------------------------------------------------------------

    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> int:
        """Apply pending migrations, each in its own transaction; return the resulting version."""
        while self.version < len(MIGRATIONS):
            target = self.version + 1
            try:
                self.db.executescript(f"BEGIN IMMEDIATE;{MIGRATIONS[target - 1]};PRAGMA user_version={target};COMMIT;")
            except sqlite3.Error:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise
        return self.version

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    # -- sources ---------------------------------------------------------------------------------------

    def source_state(self, name: str) -> SourceState:
        row = self.db.execute("SELECT * FROM sources WHERE name = ?", (name,)).fetchone()
        if row is None:
            return SourceState(name=name)
        data = {f.name: row[f.name] for f in fields(SourceState)}
        data["gone"] = bool(data["gone"])
        return SourceState(**data)

    def save_source_state(self, state: SourceState) -> None:
        data = asdict(state)
        data["gone"] = int(state.gone)
        cols = ", ".join(data)
        marks = ", ".join(f":{k}" for k in data)
        updates = ", ".join(f"{k} = excluded.{k}" for k in data if k != "name")
        self.db.execute(f"INSERT INTO sources ({cols}) VALUES ({marks}) ON CONFLICT(name) DO UPDATE SET {updates}",
                        data)

    def source_states(self) -> list[SourceState]:
        return [self.source_state(r["name"]) for r in self.db.execute("SELECT name FROM sources ORDER BY name")]

    # -- items and articles ----------------------------------------------------------------------------

    def item_version(self, key: str) -> str | None:
        row = self.db.execute("SELECT version FROM items WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def article_by_content(self, content_hash: str) -> str | None:
        row = self.db.execute("SELECT id FROM articles WHERE content_hash = ? LIMIT 1", (content_hash,)).fetchone()
        return None if row is None else str(row[0])

    def finding_identities(self, article_id: str) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT identity FROM findings WHERE article_id = ?", (article_id,))}

    def _remember_item(self, key: str, source: str, version: str, article_id: str, now: str) -> None:
        self.db.execute(
            "INSERT INTO items (key, source, version, article_id, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET version = excluded.version, article_id = excluded.article_id, "
            "last_seen = excluded.last_seen",
            (key, source, version, article_id, now, now),
        )
        self.db.execute("DELETE FROM failures WHERE key = ?", (key,))

    def record_article(self, key: str, version: str, article: Article, findings: Sequence[Finding],
                       alerts: Sequence[tuple[Alert, Sequence[str], str | None]]) -> list[Alert]:
        now = utcnow()
        new: list[Alert] = []
        with self._tx() as db:
            self._remember_item(key, article.source or "", version, article.id, now)
            db.execute(
                "INSERT INTO articles (id, url, path, source, title, published, content_hash, fetched_at, updated_at,"
                " doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                "content_hash = excluded.content_hash, title = excluded.title, updated_at = excluded.updated_at, "
                "doc = excluded.doc",
                (article.id, article.url, article.path, article.source, article.title, article.published,
                 article.content_hash, article.fetched_at, now, json.dumps(article.to_dict(), ensure_ascii=False)),
            )
            db.executemany(
                "INSERT OR IGNORE INTO findings (article_id, identity, detector, severity, created_at, doc) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(article.id, f.identity, f.detector, f.severity.value, now, json.dumps(f.to_dict()))
                 for f in findings],
            )
            for alert, sinks, held in alerts:
                if self._insert_alert(alert, article.id, sinks, held, now):
                    new.append(alert)
        return new

    def _insert_alert(self, alert: Alert, article_id: str, sinks: Sequence[str], held: str | None, now: str) -> bool:
        """Insert an alert unless its fingerprint exists; queue its deliveries unless it is held."""
        payload = json.dumps(alert.to_record(), ensure_ascii=False)
        cur = self.db.execute(
            "INSERT INTO alerts (id, route, article_id, created_at, held, doc) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO NOTHING",
            (alert.id, alert.route, article_id, alert.created_at, held, payload),
        )
        if cur.rowcount == 0:
            return False
        if held is None:
            self.db.executemany(
                "INSERT INTO outbox (alert_id, sink, idempotency_key, next_attempt) VALUES (?, ?, ?, ?)",
                [(alert.id, sink, f"{alert.id}-{sink}", now) for sink in sinks],
            )
        return True

    # -- throttles, digests, silences ------------------------------------------------------------------

    def count_sent_alerts(self, route: str, since: str) -> int:
        row = self.db.execute("SELECT COUNT(*) FROM alerts WHERE route = ? AND held IS NULL AND created_at >= ?",
                              (route, since)).fetchone()
        return int(row[0])

    def held_alerts(self, route: str, kind: str, before: str) -> list[Alert]:
        rows = self.db.execute(
            "SELECT doc FROM alerts WHERE route = ? AND held = ? AND bundled_in IS NULL AND created_at <= ? "
            "ORDER BY created_at", (route, kind, before))
        return [Alert.from_record(json.loads(r[0])) for r in rows]

    def oldest_held(self, route: str, kind: str) -> str | None:
        row = self.db.execute("SELECT MIN(created_at) FROM alerts WHERE route = ? AND held = ? AND bundled_in IS NULL",
                              (route, kind)).fetchone()
        return row[0]

    def record_bundle(self, bundle: Alert, members: Sequence[str], sinks: Sequence[str]) -> bool:
        """Store a digest/summary alert that stands for ``members`` and queue its delivery, atomically."""
        with self._tx() as db:
            created = self._insert_alert(bundle, bundle.article.id, sinks, None, utcnow())
            db.executemany("UPDATE alerts SET bundled_in = ? WHERE id = ?", [(bundle.id, m) for m in members])
        return created

    def add_silence(self, silence_id: str, detector: str | None, source: str | None, attributes: dict[str, str],
                    reason: str, until: str) -> None:
        self.db.execute("INSERT INTO silences (id, detector, source, attributes, reason, created_at, until) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (silence_id, detector, source, json.dumps(attributes), reason, utcnow(), until))

    def silences(self, active_at: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM silences"
        args: tuple[str, ...] = ()
        if active_at:
            sql += " WHERE until > ?"
            args = (active_at,)
        rows = self.db.execute(sql + " ORDER BY created_at", args)
        return [{**dict(r), "attributes": json.loads(r["attributes"])} for r in rows]

    def expire_silence(self, silence_id: str) -> bool:
        return self.db.execute("UPDATE silences SET until = ? WHERE id = ? AND until > ?",
                               (utcnow(), silence_id, utcnow())).rowcount > 0

    def alert_ids(self, held: str | None = None) -> list[str]:
        if held is None:
            return [r[0] for r in self.db.execute("SELECT id FROM alerts ORDER BY created_at")]
        return [r[0] for r in self.db.execute("SELECT id FROM alerts WHERE held = ? ORDER BY created_at", (held,))]

    def record_item_alias(self, key: str, version: str, article_id: str, source: str = "") -> None:
        with self._tx():
            self._remember_item(key, source, version, article_id, utcnow())

    def record_failure(self, key: str, source: str, reason: str) -> None:
        self.db.execute(
            "INSERT INTO failures (key, source, reason, at) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
            "reason = excluded.reason, at = excluded.at, attempts = failures.attempts + 1",
            (key, source, reason, utcnow()),
        )

    def clear_failure(self, key: str) -> None:
        self.db.execute("DELETE FROM failures WHERE key = ?", (key,))

    def failures(self) -> list[tuple[str, str, str, str]]:
        return [tuple(r) for r in self.db.execute("SELECT key, source, reason, at FROM failures ORDER BY at")]

    # -- outbox ----------------------------------------------------------------------------------------

    def _delivery(self, row: sqlite3.Row) -> Delivery:
        return Delivery(row["alert_id"], row["sink"], row["idempotency_key"], row["status"], row["attempts"],
                        row["next_attempt"], row["last_error"], row["doc"])

    def due_deliveries(self, now: str, limit: int = 100) -> list[Delivery]:
        rows = self.db.execute(
            "SELECT o.*, a.doc FROM outbox o JOIN alerts a ON a.id = o.alert_id "
            "WHERE o.status = 'pending' AND o.next_attempt <= ? ORDER BY o.next_attempt LIMIT ?",
            (now, limit),
        )
        return [self._delivery(r) for r in rows]

    def next_due_time(self) -> str | None:
        row = self.db.execute("SELECT MIN(next_attempt) FROM outbox WHERE status = 'pending'").fetchone()
        return row[0]

    def mark_delivered(self, alert_id: str, sink: str, detail: str) -> None:
        self.db.execute(
            "UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, detail = ?, "
            "last_error = NULL WHERE alert_id = ? AND sink = ?",
            (utcnow(), detail, alert_id, sink),
        )

    def mark_retry(self, alert_id: str, sink: str, error: str, next_attempt: str) -> None:
        self.db.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt = ? "
            "WHERE alert_id = ? AND sink = ?",
            (error, next_attempt, alert_id, sink),
        )

    def mark_failed(self, alert_id: str, sink: str, error: str) -> None:
        self.db.execute(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? "
            "WHERE alert_id = ? AND sink = ?",
            (error, alert_id, sink),
        )

    def requeue_failed(self, alert_id: str | None = None) -> int:
        sql = "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt = ? WHERE status = 'failed'"
        args: list[Any] = [utcnow()]
        if alert_id:
            sql += " AND alert_id = ?"
            args.append(alert_id)
        return self.db.execute(sql, args).rowcount

    def deliveries(self, status: str | None = None) -> list[Delivery]:
        sql = "SELECT o.*, a.doc FROM outbox o JOIN alerts a ON a.id = o.alert_id"
        rows = self.db.execute(sql + (" WHERE o.status = ?" if status else "") + " ORDER BY o.next_attempt",
                               (status,) if status else ())
        return [self._delivery(r) for r in rows]

    def stats(self) -> StoreStats:
        def count(table: str) -> int:
            return int(self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

        outbox = {r[0]: r[1] for r in self.db.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status")}
        return StoreStats(articles=count("articles"), findings=count("findings"), alerts=count("alerts"),
                          failures=count("failures"), outbox=outbox)

    def integrity_check(self) -> str:
        return str(self.db.execute("PRAGMA integrity_check").fetchone()[0])
