"""The console's reads and its feedback in the store: pages of alerts with their filters, one alert with its
deliveries and attempts, counts per day and source, an article with its findings, the analysts' verdicts, and
the shared secrets every process over this state reads. Portable SQL over the primitives a backend provides,
mixed into :class:`~monitor.store.sql.SQLStore` as ``events.py`` is."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from typing import Any

from monitor.model import Article, Finding
from monitor.store.primitives import SQLPrimitives
from monitor.times import utcnow

#: What an analyst may say of a finding in the console.
VERDICTS = ("right", "false_alarm", "wrong_figure")


def _like(value: str) -> str:
    """``value`` as a LIKE pattern matched anywhere (``ESCAPE '\\'``), its own ``%`` and ``_`` literal."""
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"



class ConsoleSQL(SQLPrimitives):
    """The console's part of the store (mixed into :class:`~monitor.store.sql.SQLStore`)."""

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
