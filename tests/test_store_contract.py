"""One contract for every storage backend: the embedded SQLite file and PostgreSQL (each test creates and
drops its own database on 127.0.0.1:5432)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.model import Alert, Article, Evidence, Finding
from monitor.store import open_store
from monitor.store.base import Store
from monitor.store.sql import SCHEMA
from tests.conftest import pg_database as _pg_database


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, str | None]]:
    if request.param == "sqlite":
        yield tmp_path, None
    else:
        yield from ((tmp_path, url) for url in _pg_database())


@pytest.fixture
def store(store_url: tuple[Path, str | None]) -> Iterator[Store]:
    s = open_store(*store_url)
    yield s
    s.close()


def _article(n: int) -> tuple[Article, list[Finding]]:
    text = f"Gunmen killed {n} people in the market."
    start = text.index("killed")
    article = Article.create(text, url=f"https://example.org/{n}", source="world", title=f"Story {n}")
    finding = Finding(detector="casualties", severity="high", score=0.7, summary=f"{n} killed",
                      evidence=(Evidence.at(text, start, start + 6),),
                      attributes={"category": "killed", "count": n})
    return article, [finding]


def test_migrations_reach_the_latest_version_and_are_idempotent(store_url: tuple[Path, str | None]) -> None:
    first = open_store(*store_url)
    assert first.version == len(SCHEMA)
    first.close()
    again = open_store(*store_url)
    assert again.migrate() == len(SCHEMA)
    again.close()


def test_source_state_round_trip(store: Store) -> None:
    state = store.source_state("world")
    assert state.error_count == 0 and not state.gone
    state.etag, state.error_count, state.gone, state.last_error = '"v1"', 3, True, "HTTP 503"
    store.save_source_state(state)
    again = store.source_state("world")
    assert (again.etag, again.error_count, again.gone, again.last_error) == ('"v1"', 3, True, "HTTP 503")
    assert [s.name for s in store.source_states()] == ["world"]


def test_one_alert_row_per_fingerprint_with_its_deliveries(store: Store) -> None:
    article, findings = _article(5)
    alert = Alert.create("desk", article, findings)
    created = store.record_article("guid:1", "v1", article, findings, [(alert, ["ops", "mail"], None)])
    assert [a.id for a in created] == [alert.id]
    again = store.record_article("guid:1", "v2", article, findings, [(Alert.create("desk", article, findings),
                                                                      ["ops", "mail"], None)])
    assert again == []  # same event on the same route: no second alert, no second delivery
    assert store.item_version("guid:1") == "v2"
    assert store.article_by_content(article.content_hash) == article.id
    assert store.finding_identities(article.id) == {findings[0].identity}
    deliveries = store.deliveries()
    assert sorted(d.sink for d in deliveries) == ["mail", "ops"]
    assert {d.idempotency_key for d in deliveries} == {f"{alert.id}-ops", f"{alert.id}-mail"}
    stats = store.stats()
    assert (stats.articles, stats.findings, stats.alerts, stats.outbox) == (1, 1, 1, {"pending": 2})


def test_outbox_lifecycle(store: Store) -> None:
    article, findings = _article(7)
    alert = Alert.create("desk", article, findings)
    store.record_article("k", "v", article, findings, [(alert, ["ops"], None)])
    due = store.due_deliveries("9999")
    assert len(due) == 1 and Alert.from_record(json.loads(due[0].payload)).id == alert.id
    store.mark_retry(alert.id, "ops", "HTTP 503", "9999-12-31")
    assert store.due_deliveries("2100") == []
    store.mark_failed(alert.id, "ops", "HTTP 400")
    assert [d.last_error for d in store.deliveries("failed")] == ["HTTP 400"]
    assert store.requeue_failed() == 1
    store.mark_delivered(alert.id, "ops", "HTTP 200")
    d = store.deliveries("delivered")[0]
    assert d.attempts == 1 and d.last_error is None  # a manual retry starts a fresh count of attempts


def test_held_alerts_bundles_and_silences(store: Store) -> None:
    members = []
    for n in (1, 2, 3):
        article, findings = _article(n)
        alert = Alert.create("daily", article, findings)
        members.append(alert)
        store.record_article(f"k{n}", "v", article, findings, [(alert, ["ops"], "digest")])
    assert store.deliveries() == []
    assert store.count_sent_alerts("daily", "0000") == 0
    assert store.oldest_held("daily", "digest") is not None
    held = store.held_alerts("daily", "digest", "9999")
    assert sorted(a.id for a in held) == sorted(a.id for a in members)
    bundle_article, bundle_findings = _article(99)
    bundle = Alert.create("daily", bundle_article, bundle_findings)
    assert store.record_bundle(bundle, [m.id for m in members], ["ops"])
    assert store.held_alerts("daily", "digest", "9999") == [] and len(store.deliveries()) == 1
    store.add_silence("s1", "casualties", None, {"category": "killed"}, "known", "9999-12-31")
    assert [s["id"] for s in store.silences("2026")] == ["s1"]
    assert store.expire_silence("s1")
    assert store.silences("9999-12-31T00") == []


def test_failures_are_kept_aside_then_cleared_by_success(store: Store) -> None:
    store.record_failure("k", "world", "HTTP 500")
    store.record_failure("k", "world", "timed out")
    assert [(f[0], f[2]) for f in store.failures()] == [("k", "timed out")]
    article, findings = _article(4)
    store.record_article("k", "v", article, findings, [])
    assert store.failures() == []


def test_the_daemon_runs_on_postgresql(tmp_path: Path) -> None:
    """The runner is backend-agnostic: a drop folder processed into alerts on PostgreSQL."""
    from monitor.config import parse_config
    from monitor.plugins import build_plugins
    from monitor.runners.local import LocalRunner
    from monitor.wiring import store_for

    for url in _pg_database():
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        (inbox / "a.txt").write_text("Nine soldiers were killed in an ambush on Monday.")
        config = parse_config(f'[store]\nurl = "{url}"\n[daemon]\nstate_dir = "{tmp_path}"\n'
                              f'[[sources]]\nname = "in"\ntype = "folder"\npath = "{inbox}"\nsettle = "0.1s"\n'
                              f'[[sinks]]\nname = "f"\ntype = "jsonl"\npath = "{tmp_path / "alerts.jsonl"}"\n')
        runner = LocalRunner(config, build_plugins(), store_for(config), processes=1)
        asyncio.run(runner.run_once())
        assert runner.store.stats().outbox == {"delivered": 1}
        assert json.loads((tmp_path / "alerts.jsonl").read_text())["findings"][0]["attributes"]["count"] == 9
        runner.store.close()


def test_replicas_starting_together_migrate_once(pg_url: str) -> None:
    """Four stores opening a fresh PostgreSQL database at once: one migrates, the others wait and agree."""
    import threading

    results: list[int] = []
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            s = open_store(Path("."), pg_url)
            results.append(s.version)
            s.close()
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == [] and results == [len(SCHEMA)] * 4
