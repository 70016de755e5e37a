"""The storage interface implemented once in portable SQL; SQLite and PostgreSQL differ only in how they
connect, open transactions and record their schema version (``sqlite.py``, ``postgres.py``).

Queries are written with ``?`` placeholders and named result columns; a backend translates placeholders
if its driver needs to. Timestamps are ISO 8601 UTC strings, which order correctly as text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, fields
from typing import Any

from monitor.model import Alert, Article, Finding
from monitor.store.base import Delivery, SourceState, StoreStats
from monitor.store.console import ConsoleSQL
from monitor.store.events import EventsSQL
from monitor.store.schema import SCHEMA, statements
from monitor.times import utcnow

__all__ = ["SCHEMA", "SQLStore", "statements"]


def _search_text(alert: Alert) -> str:
    """The words of an alert a reader sees, lower-cased, for the console's text search."""
    article = alert.article
    parts = [article.title or "", article.url or article.path or "", article.text,
             *(f.summary for f in alert.findings)]
    return "\n".join(parts).lower()


class SQLStore(ConsoleSQL, EventsSQL):
    """Every :class:`~monitor.store.base.Store` method, over the primitives a backend provides
    (:class:`~monitor.store.primitives.SQLPrimitives`); the events' methods are in ``events.py``, the
    console's in ``console.py``."""

    # -- sources ---------------------------------------------------------------------------------------

    def source_state(self, name: str) -> SourceState:
        row = self._one("SELECT * FROM sources WHERE name = ?", (name,))
        if row is None:
            return SourceState(name=name)
        data = {f.name: row[f.name] for f in fields(SourceState)}
        data["gone"] = bool(data["gone"])
        return SourceState(**data)

    def save_source_state(self, state: SourceState) -> None:
        data = asdict(state)
        data["gone"] = int(state.gone)
        cols = list(data)
        updates = ", ".join(f"{k} = excluded.{k}" for k in cols if k != "name")
        self._exec(f"INSERT INTO sources ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)}) "
                   f"ON CONFLICT (name) DO UPDATE SET {updates}", [data[k] for k in cols])

    def source_states(self) -> list[SourceState]:
        return [self.source_state(r["name"]) for r in self._rows("SELECT name FROM sources ORDER BY name")]

    # -- items and articles ----------------------------------------------------------------------------

    def item_version(self, key: str) -> str | None:
        value = self._scalar("SELECT version FROM items WHERE key = ?", (key,))
        return None if value is None else str(value)

    def item_versions(self, source: str) -> dict[str, str]:
        return {str(r["key"]): str(r["version"]) for r in self._rows("SELECT key, version FROM items WHERE source = ?",
                                                                      (source,))}

    def article_by_content(self, content_hash: str) -> str | None:
        value = self._scalar("SELECT id FROM articles WHERE content_hash = ? LIMIT 1", (content_hash,))
        return None if value is None else str(value)

    def finding_identities(self, article_id: str) -> set[str]:
        return {r["identity"] for r in self._rows("SELECT identity FROM findings WHERE article_id = ?", (article_id,))}

    def _remember_item(self, key: str, source: str, version: str, article_id: str | None, now: str) -> None:
        self._exec(
            "INSERT INTO items (key, source, version, article_id, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET version = excluded.version, article_id = excluded.article_id, "
            "last_seen = excluded.last_seen",
            (key, source, version, article_id, now, now),
        )
        self._exec("DELETE FROM failures WHERE key = ?", (key,))

    def record_article(self, key: str, version: str, article: Article, findings: Sequence[Finding],
                       alerts: Sequence[tuple[Alert, Sequence[str], str | None]]) -> list[Alert]:
        now = utcnow()
        new: list[Alert] = []
        with self._tx():
            self._remember_item(key, article.source or "", version, article.id, now)
            self._exec(
                "INSERT INTO articles (id, url, path, source, title, published, content_hash, fetched_at, updated_at,"
                " doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "content_hash = excluded.content_hash, title = excluded.title, updated_at = excluded.updated_at, "
                "doc = excluded.doc",
                (article.id, article.url, article.path, article.source, article.title, article.published,
                 article.content_hash, article.fetched_at, now, json.dumps(article.to_dict(), ensure_ascii=False)),
            )
            if findings:
                self._many(
                    "INSERT INTO findings (article_id, identity, detector, severity, created_at, doc) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
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
        inserted = self._exec(
            "INSERT INTO alerts (id, route, article_id, created_at, held, doc, search) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            (alert.id, alert.route, article_id, alert.created_at, held, payload, _search_text(alert)),
        )
        if not inserted:
            return False
        if held is None and sinks:
            self._many(
                "INSERT INTO outbox (alert_id, sink, idempotency_key, next_attempt) VALUES (?, ?, ?, ?)",
                [(alert.id, sink, f"{alert.id}-{sink}", now) for sink in sinks],
            )
        return True

    def record_item_alias(self, key: str, version: str, article_id: str, source: str = "") -> None:
        with self._tx():
            self._remember_item(key, source, version, article_id, utcnow())

    def record_failure(self, key: str, source: str, reason: str) -> None:
        self._exec(
            "INSERT INTO failures (key, source, reason, at) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
            "reason = excluded.reason, at = excluded.at, attempts = failures.attempts + 1",
            (key, source, reason, utcnow()),
        )

    def record_set_aside(self, key: str, version: str, source: str, reason: str) -> None:
        with self._tx():
            self._remember_item(key, source, version, None, utcnow())
            self.record_failure(key, source, reason)

    def clear_failure(self, key: str) -> None:
        self._exec("DELETE FROM failures WHERE key = ?", (key,))

    def failures(self) -> list[tuple[str, str, str, str]]:
        return [(r["key"], r["source"], r["reason"], r["at"])
                for r in self._rows("SELECT key, source, reason, at FROM failures ORDER BY at")]

    # -- throttles, digests, silences ------------------------------------------------------------------

    def count_sent_alerts(self, route: str, since: str) -> int:
        return int(self._scalar("SELECT COUNT(*) AS n FROM alerts WHERE route = ? AND held IS NULL "
                                "AND created_at >= ?", (route, since)))

    def held_alerts(self, route: str, kind: str, before: str) -> list[Alert]:
        rows = self._rows("SELECT doc FROM alerts WHERE route = ? AND held = ? AND bundled_in IS NULL "
                          "AND created_at <= ? ORDER BY created_at", (route, kind, before))
        return [Alert.from_record(json.loads(r["doc"])) for r in rows]

    def oldest_held(self, route: str, kind: str) -> str | None:
        return self._scalar("SELECT MIN(created_at) AS oldest FROM alerts WHERE route = ? AND held = ? "
                            "AND bundled_in IS NULL", (route, kind))

    def record_bundle(self, bundle: Alert, members: Sequence[str], sinks: Sequence[str]) -> bool:
        """Store a digest/summary alert that stands for ``members`` and queue its delivery, atomically."""
        with self._tx():
            created = self._insert_alert(bundle, bundle.article.id, sinks, None, utcnow())
            self._many("UPDATE alerts SET bundled_in = ? WHERE id = ?", [(bundle.id, m) for m in members])
        return created

    def add_silence(self, silence_id: str, detector: str | None, source: str | None, attributes: dict[str, str],
                    reason: str, until: str) -> None:
        self._exec("INSERT INTO silences (id, detector, source, attributes, reason, created_at, until) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (silence_id, detector, source, json.dumps(attributes), reason, utcnow(), until))

    def silences(self, active_at: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM silences"
        args: tuple[str, ...] = ()
        if active_at:
            sql, args = sql + " WHERE until > ?", (active_at,)
        rows = self._rows(sql + " ORDER BY created_at", args)
        return [{**r, "attributes": json.loads(r["attributes"])} for r in rows]

    def expire_silence(self, silence_id: str) -> bool:
        now = utcnow()
        return self._exec("UPDATE silences SET until = ? WHERE id = ? AND until > ?", (now, silence_id, now)) > 0

    def alert_ids(self, held: str | None = None) -> list[str]:
        if held is None:
            return [r["id"] for r in self._rows("SELECT id FROM alerts ORDER BY created_at")]
        return [r["id"] for r in self._rows("SELECT id FROM alerts WHERE held = ? ORDER BY created_at", (held,))]

    def alert_counts(self) -> dict[str, int]:
        """Alerts per held kind ("" for alerts to send)."""
        rows = self._rows("SELECT COALESCE(held, '') AS held, COUNT(*) AS n FROM alerts GROUP BY COALESCE(held, '')")
        return {r["held"]: int(r["n"]) for r in rows}

    def held_alert_rows(self) -> list[dict[str, Any]]:
        """Held alerts, oldest first: ``doc``, ``held`` and ``bundled_in`` (the summary or digest, once sent)."""
        return self._rows("SELECT doc, held, bundled_in FROM alerts WHERE held IS NOT NULL ORDER BY created_at, id")

    # -- outbox ----------------------------------------------------------------------------------------

    @staticmethod
    def _delivery(row: dict[str, Any]) -> Delivery:
        return Delivery(row["alert_id"], row["sink"], row["idempotency_key"], row["status"], row["attempts"],
                        row["next_attempt"], row["last_error"], row["doc"])

    def due_deliveries(self, now: str, limit: int = 100, sink: str | None = None) -> list[Delivery]:
        """Pending rows due by ``now``, oldest first; only ``sink``'s when given (each sink drains on its own, so
        one sink's backlog never fills another's batch)."""
        by_sink, args = ("AND o.sink = ? ", (now, sink, limit)) if sink is not None else ("", (now, limit))
        rows = self._rows(
            "SELECT o.*, a.doc FROM outbox o JOIN alerts a ON a.id = o.alert_id "
            f"WHERE o.status = 'pending' AND o.next_attempt <= ? {by_sink}ORDER BY o.next_attempt LIMIT ?", args)
        return [self._delivery(r) for r in rows]

    def pending_sinks(self) -> set[str]:
        """The sinks that have pending rows (configured or not)."""
        return {r["sink"] for r in self._rows("SELECT DISTINCT sink FROM outbox WHERE status = 'pending'")}

    def claim_due_deliveries(self, now: str, lease_until: str, limit: int = 100,
                             sink: str | None = None) -> list[Delivery]:
        """Due deliveries (``sink``'s only, when given), each pushed to ``lease_until`` so that no other process
        attempts it meanwhile; the attempt's outcome then sets its real state. A process that dies mid-attempt
        leaves the row to be retried when the lease ends."""
        with self._tx():
            due = self.due_deliveries(now, limit, sink)
            self._many("UPDATE outbox SET next_attempt = ? WHERE alert_id = ? AND sink = ?",
                       [(lease_until, d.alert_id, d.sink) for d in due])
        return due

    def _attempted(self, alert_id: str, sink: str, outcome: str, detail: str) -> None:
        self._exec("INSERT INTO delivery_attempts (alert_id, sink, at, outcome, detail) VALUES (?, ?, ?, ?, ?)",
                   (alert_id, sink, utcnow(), outcome, detail))

    def mark_delivered(self, alert_id: str, sink: str, detail: str) -> None:
        with self._tx():
            self._exec("UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, "
                       "detail = ?, last_error = NULL WHERE alert_id = ? AND sink = ?",
                       (utcnow(), detail, alert_id, sink))
            self._attempted(alert_id, sink, "delivered", detail)

    def mark_retry(self, alert_id: str, sink: str, error: str, next_attempt: str) -> None:
        with self._tx():
            self._exec("UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt = ? "
                       "WHERE alert_id = ? AND sink = ?", (error, next_attempt, alert_id, sink))
            self._attempted(alert_id, sink, "retry", error)

    def mark_failed(self, alert_id: str, sink: str, error: str) -> None:
        with self._tx():
            self._exec("UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? "
                       "WHERE alert_id = ? AND sink = ?", (error, alert_id, sink))
            self._attempted(alert_id, sink, "failed", error)

    def requeue_failed(self, alert_id: str | None = None) -> int:
        sql = "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt = ? WHERE status = 'failed'"
        args: list[Any] = [utcnow()]
        if alert_id:
            sql += " AND alert_id = ?"
            args.append(alert_id)
        return self._exec(sql, args)

    def deliveries(self, status: str | None = None) -> list[Delivery]:
        sql = "SELECT o.*, a.doc FROM outbox o JOIN alerts a ON a.id = o.alert_id"
        rows = self._rows(sql + (" WHERE o.status = ?" if status else "") + " ORDER BY o.next_attempt",
                          (status,) if status else ())
        return [self._delivery(r) for r in rows]

    def stats(self) -> StoreStats:
        def count(table: str) -> int:
            return int(self._scalar(f"SELECT COUNT(*) AS n FROM {table}"))

        outbox = {r["status"]: int(r["n"])
                  for r in self._rows("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")}
        return StoreStats(articles=count("articles"), findings=count("findings"), alerts=count("alerts"),
                          failures=count("failures"), outbox=outbox)
