"""The storage interface implemented once in portable SQL; SQLite and PostgreSQL differ only in how they
connect, open transactions and record their schema version (``sqlite.py``, ``postgres.py``).

Queries are written with ``?`` placeholders and named result columns; a backend translates placeholders
if its driver needs to. Timestamps are ISO 8601 UTC strings, which order correctly as text.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import asdict, fields
from typing import Any

from monitor.model import Alert, Article, Finding
from monitor.store.base import Delivery, SourceState, StoreStats
from monitor.store.events import EVENTS_SCHEMA, EventsSQL
from monitor.times import utcnow

#: The schema, per version (index + 1), in SQL both backends accept.
SCHEMA: list[str] = [
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
    )
    """,
    # 2: the console's judgements of findings (the latest per finding wins), every delivery attempt (the outbox
    # row keeps only the last), and the index the charts read.
    """
    CREATE TABLE feedback (
        article_id TEXT NOT NULL, identity TEXT NOT NULL, detector TEXT NOT NULL, verdict TEXT NOT NULL,
        correct_count INTEGER, note TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL,
        PRIMARY KEY (article_id, identity)
    );
    CREATE TABLE delivery_attempts (
        alert_id TEXT NOT NULL, sink TEXT NOT NULL, at TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT
    );
    CREATE INDEX delivery_attempts_alert ON delivery_attempts (alert_id, at);
    CREATE INDEX alerts_created ON alerts (created_at);
    CREATE INDEX findings_created ON findings (created_at)
    """,
    # 3: events (issue 15), their articles, figures with provenance, and the alerts sent per event and route.
    EVENTS_SCHEMA,
    # 4: a source's item versions in one query (replicas read them off the event loop before a poll).
    "CREATE INDEX items_source ON items (source)",
    # 5: what the console's text search reads: an alert's title, URL, article text and summaries, lower-cased,
    # so a search for "severity" or a quote no longer matches the JSON's keys and escapes. Older rows keep NULL
    # and are searched in their JSON as before.
    "ALTER TABLE alerts ADD COLUMN search TEXT",
    # 6: secrets every process over this state shares (the console's CSRF key: a form served by one replica or
    # before a restart is accepted by another).
    "CREATE TABLE secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
]

#: What an analyst may say of a finding in the console.
VERDICTS = ("right", "false_alarm", "wrong_figure")


def _like(value: str) -> str:
    """``value`` as a LIKE pattern matched anywhere (``ESCAPE '\\'``), its own ``%`` and ``_`` literal."""
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _search_text(alert: Alert) -> str:
    """The words of an alert a reader sees, lower-cased, for the console's text search."""
    article = alert.article
    parts = [article.title or "", article.url or article.path or "", article.text,
             *(f.summary for f in alert.findings)]
    return "\n".join(parts).lower()


class SQLStore(EventsSQL):
    """Every :class:`~monitor.store.base.Store` method, over the primitives a backend provides
    (:class:`~monitor.store.primitives.SQLPrimitives`); the events' methods are in ``events.py``."""

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

    def _remember_item(self, key: str, source: str, version: str, article_id: str, now: str) -> None:
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

    # -- the console's reads and its feedback ----------------------------------------------------------------

    def console_alerts(self, *, detector: str | None = None, severities: Sequence[str] = (),
                       source: str | None = None, route: str | None = None, text: str | None = None,
                       limit: int = 50, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        """Alerts newest first, one page (``limit`` from ``offset``), and how many match in all. Rows carry
        ``id``, ``route``, ``created_at``, ``held``, ``bundled_in``, ``source`` and ``doc``. ``detector`` and
        ``severities`` (any of) match the alert's findings as written in its JSON; ``text`` matches the
        words a reader sees (title, URL, article text, finding summaries), case-insensitively, never the JSON's
        keys."""
        where, args = ["1 = 1"], []
        if route:
            where.append("a.route = ?")
            args.append(route)
        if source:
            where.append("ar.source = ?")
            args.append(source)
        if detector:
            where.append("a.doc LIKE ? ESCAPE '\\'")
            args.append(_like(f'"detector": {json.dumps(detector, ensure_ascii=False)}'))
        if severities:
            where.append("(" + " OR ".join("a.doc LIKE ? ESCAPE '\\'" for _ in severities) + ")")
            args += [_like(f'"severity": {json.dumps(s)}') for s in severities]
        if text:
            where.append("COALESCE(a.search, LOWER(a.doc)) LIKE ? ESCAPE '\\'")
            args.append(_like(text.lower()))
        join = "LEFT JOIN articles ar ON ar.id = a.article_id " if source else ""
        frm = f"FROM alerts a {join}WHERE {' AND '.join(where)}"
        total = int(self._scalar(f"SELECT COUNT(*) AS n {frm}", args))
        # The page's ids first, then their documents: sorting whole documents (article text and all) to keep 50
        # of them made a deep page of 10,000 alerts take twice as long.
        ids = [r["id"] for r in self._rows(f"SELECT a.id {frm} ORDER BY a.created_at DESC, a.id LIMIT ? OFFSET ?",
                                           [*args, limit, offset])]
        if not ids:
            return [], total
        rows = self._rows("SELECT a.id, a.route, a.created_at, a.held, a.bundled_in, ar.source, a.doc FROM alerts a "
                          "LEFT JOIN articles ar ON ar.id = a.article_id "
                          f"WHERE a.id IN ({', '.join('?' for _ in ids)})", ids)
        order = {alert_id: n for n, alert_id in enumerate(ids)}
        return sorted(rows, key=lambda r: order[r["id"]]), total

    def shared_secret(self, name: str) -> bytes:
        """The random secret stored under ``name``, made on first use; every process over this state reads the
        same one (the first writer wins a race)."""
        self._exec("INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                   (name, secrets.token_hex(32)))
        return bytes.fromhex(str(self._scalar("SELECT value FROM secrets WHERE name = ?", (name,))))

    def alert_row(self, alert_id: str) -> dict[str, Any] | None:
        """One alert: ``id``, ``route``, ``created_at``, ``held``, ``bundled_in``, ``doc``; None if unknown."""
        return self._one("SELECT id, route, created_at, held, bundled_in, doc FROM alerts WHERE id = ?", (alert_id,))

    def alert_deliveries(self, alert_id: str) -> list[dict[str, Any]]:
        """The outbox rows of one alert, by sink: status, attempts, last error, next attempt, when delivered."""
        return self._rows("SELECT sink, status, attempts, next_attempt, last_error, delivered_at, detail "
                          "FROM outbox WHERE alert_id = ? ORDER BY sink", (alert_id,))

    def delivery_attempts(self, alert_id: str) -> list[dict[str, Any]]:
        """Every delivery attempt of one alert, oldest first: ``sink``, ``at``, ``outcome`` ("delivered", "retry",
        "failed") and ``detail`` (the receipt or the error)."""
        return self._rows("SELECT sink, at, outcome, detail FROM delivery_attempts WHERE alert_id = ? "
                          "ORDER BY at, sink", (alert_id,))

    def filter_values(self) -> dict[str, list[str]]:
        """The routes, sources and detectors present, for the console's filters."""
        def values(sql: str) -> list[str]:
            return [r["v"] for r in self._rows(sql) if r["v"]]

        return {"route": values("SELECT DISTINCT route AS v FROM alerts ORDER BY v"),
                "source": values("SELECT DISTINCT source AS v FROM articles ORDER BY v"),
                "detector": values("SELECT DISTINCT detector AS v FROM findings ORDER BY v")}

    def findings_per_day(self, since: str, by: str = "detector") -> list[tuple[str, str, int]]:
        """(day, detector or source, findings) since ``since``, by the day the finding was stored (UTC)."""
        key = {"detector": "f.detector", "source": "COALESCE(ar.source, '')"}[by]
        rows = self._rows(
            f"SELECT SUBSTR(f.created_at, 1, 10) AS day, {key} AS k, COUNT(*) AS n FROM findings f "
            "LEFT JOIN articles ar ON ar.id = f.article_id WHERE f.created_at >= ? "
            f"GROUP BY SUBSTR(f.created_at, 1, 10), {key} ORDER BY day, k", (since,))
        return [(r["day"], r["k"], int(r["n"])) for r in rows]

    def items_per_source(self, since: str) -> dict[str, int]:
        """Items (feed entries, files) first seen since ``since``, per source."""
        rows = self._rows("SELECT source, COUNT(*) AS n FROM items WHERE first_seen >= ? GROUP BY source", (since,))
        return {r["source"]: int(r["n"]) for r in rows}

    def article(self, article_id: str) -> Article | None:
        doc = self._scalar("SELECT doc FROM articles WHERE id = ?", (article_id,))
        return None if doc is None else Article.from_dict(json.loads(doc))

    def article_findings(self, article_id: str) -> list[Finding]:
        """Every finding stored for an article (all detectors, routed or not)."""
        rows = self._rows("SELECT doc FROM findings WHERE article_id = ? ORDER BY created_at, identity", (article_id,))
        return [Finding.from_dict(json.loads(r["doc"])) for r in rows]

    def record_feedback(self, article_id: str, identity: str, detector: str, verdict: str,
                        correct_count: int | None = None, note: str = "") -> None:
        """An analyst's judgement of one finding (``VERDICTS``); a later one replaces it."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, got {verdict!r}")
        self._exec(
            "INSERT INTO feedback (article_id, identity, detector, verdict, correct_count, note, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (article_id, identity) DO UPDATE SET "
            "verdict = excluded.verdict, correct_count = excluded.correct_count, note = excluded.note, "
            "created_at = excluded.created_at",
            (article_id, identity, detector, verdict, correct_count, note, utcnow()))

    def feedback(self, article_id: str | None = None) -> list[dict[str, Any]]:
        """Judgements, oldest first (one article's when given): ``article_id``, ``identity``, ``detector``,
        ``verdict``, ``correct_count``, ``note``, ``created_at``."""
        if article_id is None:
            return self._rows("SELECT * FROM feedback ORDER BY created_at, article_id, identity")
        return self._rows("SELECT * FROM feedback WHERE article_id = ? ORDER BY created_at, identity", (article_id,))

    def stats(self) -> StoreStats:
        def count(table: str) -> int:
            return int(self._scalar(f"SELECT COUNT(*) AS n FROM {table}"))

        outbox = {r["status"]: int(r["n"])
                  for r in self._rows("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")}
        return StoreStats(articles=count("articles"), findings=count("findings"), alerts=count("alerts"),
                          failures=count("failures"), outbox=outbox)


def statements(script: str) -> Iterator[str]:
    """The statements of a migration script, one at a time."""
    for part in script.split(";"):
        if part.strip():
            yield part.strip()
