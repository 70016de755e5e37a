"""The console's reads and the analysts' feedback on both backends (SQLite, and PostgreSQL on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.model import Alert, Article, Evidence, Finding
from monitor.store.base import Store
from monitor.times import iso_ago
from tests.conftest import store_on


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    yield from store_on(request.param, tmp_path)


def _finding(text: str, word: str, detector: str, severity: str, **attributes: object) -> Finding:
    start = text.index(word)
    return Finding(detector=detector, severity=severity, score=0.8, summary=f"{detector}: {word}",
                   evidence=(Evidence.at(text, start, start + len(word)),), attributes=attributes)


def _record(store: Store, n: int, source: str, route: str, findings_of: list[tuple[str, str, str]]) -> Alert:
    text = f"Story {n}. Gunmen killed {n} people; 100% of the 5_000 troops will deploy. Leaders vowed war."
    article = Article.create(text, url=f"https://example.org/{n}", source=source, title=f"Title {n}")
    findings = [_finding(text, word, det, sev, category=word) for det, sev, word in findings_of]
    alert = Alert.create(route, article, findings)
    store.record_article(f"k{n}", "v1", article, findings, [(alert, ["file"], None)])
    return alert


def test_alert_filters_pages_and_counts(store: Store) -> None:
    a = _record(store, 1, "world", "desk", [("casualties", "high", "killed")])
    b = _record(store, 2, "local", "ops", [("deployments", "low", "deploy")])
    c = _record(store, 3, "world", "ops", [("escalation", "critical", "war"), ("casualties", "low", "killed")])

    def ids(**filters: object) -> tuple[list[str], int]:
        rows, total = store.console_alerts(**filters)  # type: ignore[arg-type]
        return [r["id"] for r in rows], total

    assert sorted(ids()[0]) == sorted([a.id, b.id, c.id]) and ids()[1] == 3
    assert sorted(ids(detector="casualties")[0]) == sorted([a.id, c.id])
    assert ids(detector="deployments")[0] == [b.id]
    assert sorted(ids(severities=["high", "critical"])[0]) == sorted([a.id, c.id])
    assert ids(source="local")[0] == [b.id]
    assert sorted(ids(route="ops")[0]) == sorted([b.id, c.id])
    assert ids(text="TITLE 2")[0] == [b.id]  # case-insensitive
    # LIKE's own wildcards in the search are literal: they match only themselves
    assert ids(text="100%")[1] == 3 and ids(text="5_000")[1] == 3
    assert ids(text="g_nmen")[1] == 0 and ids(text="killed%")[1] == 0
    # what a reader sees is searched, not the stored JSON: its keys match nothing, a quoted phrase matches
    assert ids(text="severity")[1] == 0 and ids(text='"detector"')[1] == 0
    assert ids(text="casualties: killed")[1] == 2 and ids(text="example.org/3")[0] == [c.id]
    assert ids(detector="casualties", source="world", route="ops")[0] == [c.id]
    page, total = store.console_alerts(limit=2, offset=2)
    assert total == 3 and len(page) == 1
    values = store.filter_values()
    assert values == {"route": ["desk", "ops"], "source": ["local", "world"],
                      "detector": ["casualties", "deployments", "escalation"]}
    assert store.alert_row(a.id)["route"] == "desk" and store.alert_row("nope") is None  # type: ignore[index]
    assert [d["sink"] for d in store.alert_deliveries(a.id)] == ["file"]
    assert store.alert_deliveries(a.id)[0]["status"] == "pending"
    store.mark_retry(a.id, "file", "HTTP 503", "2030-01-01T00:00:00+00:00")
    store.mark_delivered(a.id, "file", "HTTP 200")
    assert [(t["sink"], t["outcome"], t["detail"]) for t in store.delivery_attempts(a.id)] == \
        [("file", "retry", "HTTP 503"), ("file", "delivered", "HTTP 200")]
    assert store.alert_deliveries(a.id)[0]["status"] == "delivered" and store.delivery_attempts(b.id) == []


def test_findings_and_items_per_day(store: Store) -> None:
    _record(store, 1, "world", "desk", [("casualties", "high", "killed"), ("escalation", "low", "war")])
    _record(store, 2, "local", "desk", [("casualties", "high", "killed")])
    since = iso_ago(86400)
    by_detector = {(k, n) for _, k, n in store.findings_per_day(since, "detector")}
    assert by_detector == {("casualties", 2), ("escalation", 1)}
    assert {(k, n) for _, k, n in store.findings_per_day(since, "source")} == {("world", 2), ("local", 1)}
    assert store.findings_per_day(iso_ago(-60)) == []  # nothing stored in the future
    assert store.items_per_source(since) == {"world": 1, "local": 1}


def test_feedback_is_stored_and_the_latest_judgement_wins(store: Store) -> None:
    alert = _record(store, 1, "world", "desk", [("casualties", "high", "killed")])
    f = alert.findings[0]
    store.record_feedback(alert.article.id, f.identity, f.detector, "right")
    store.record_feedback(alert.article.id, f.identity, f.detector, "wrong_figure", 7, note="seven")
    (row,) = store.feedback()
    assert (row["verdict"], row["correct_count"], row["note"]) == ("wrong_figure", 7, "seven")
    assert store.feedback(alert.article.id) == [row] and store.feedback("other") == []
    with pytest.raises(ValueError, match="verdict must be one of"):
        store.record_feedback(alert.article.id, f.identity, f.detector, "meh")
    assert store.article(alert.article.id) == alert.article
    assert store.article_findings(alert.article.id) == list(alert.findings)


def test_the_console_reads_and_writes_each_backend_over_http(store: Store) -> None:
    import httpx

    from tests.console_support import form_token, serving

    alert = _record(store, 1, "world", "desk", [("casualties", "high", "killed")])
    f = alert.findings[0]
    with serving(store) as base, httpx.Client(base_url=base, timeout=10, follow_redirects=True) as client:
        assert f"/alerts/{alert.id}" in client.get("/alerts").text
        page = client.get(f"/alerts/{alert.id}").text
        done = client.post(f"/alerts/{alert.id}/feedback", data={"csrf": form_token(page), "identity": f.identity,
                                                                  "verdict": "right"})
        assert done.status_code == 200
        silenced = client.post(f"/alerts/{alert.id}/silence", data={
            "csrf": form_token(page), "identity": f.identity, "scope": "source", "duration": "1h"})
        assert silenced.status_code == 200
    assert [(j["identity"], j["verdict"]) for j in store.feedback()] == [(f.identity, "right")]
    assert [(s["detector"], s["source"]) for s in store.silences()] == [("casualties", "world")]


def test_alerts_written_before_the_search_column_are_still_searched(store: Store) -> None:
    """Rows from before schema 5 have no ``search`` text; the console searches their JSON as it always did."""
    old = _record(store, 7, "world", "desk", [("casualties", "high", "killed")])
    store._exec("UPDATE alerts SET search = NULL WHERE id = ?", (old.id,))  # type: ignore[attr-defined]
    new = _record(store, 8, "world", "desk", [("casualties", "high", "killed")])
    assert store.console_alerts(text="title 7")[1] == 1 and store.console_alerts(text="title 8")[1] == 1
    assert [r["id"] for r in store.console_alerts(text="severity")[0]] == [old.id]
    assert new.id != old.id


def test_a_shared_secret_is_made_once_and_read_alike(store: Store) -> None:
    first = store.shared_secret("console_csrf")
    assert len(first) == 32 and store.shared_secret("console_csrf") == first
    assert store.shared_secret("another") != first
