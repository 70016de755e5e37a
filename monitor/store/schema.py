"""The store's schema, per version, in SQL both backends accept, and how a migration script is split into
statements (``sqlite.py`` and ``postgres.py`` apply the versions a database lacks)."""

from __future__ import annotations

from collections.abc import Iterator

from monitor.store.events import EVENTS_SCHEMA

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


def statements(script: str) -> Iterator[str]:
    """The statements of a migration script, one at a time."""
    for part in script.split(";"):
        if part.strip():
            yield part.strip()
