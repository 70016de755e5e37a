"""One event, one alert (issue 15): figures with provenance, the events store on SQLite and PostgreSQL, the
tracker over a synthetic wire with a restart in the middle, payload version 2 to a real receiver, the commands,
and the whole daemon replaying a day of wire as ``monitor run --once`` subprocesses."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.alerts.routing import Route, routes_for
from monitor.config import Config, parse_config
from monitor.errors import ConfigError
from monitor.events.figures import current_figures, figure_history, statements_in
from monitor.events.tracker import EventTracker, material_changes
from monitor.model import Alert, Article, Evidence, Finding, Severity
from monitor.pipeline import Pipeline, build_pipeline
from monitor.plugins import build_plugins
from monitor.store import open_store
from monitor.store.base import Store
from monitor.store.events import EventArticle, EventRow, EventWrite, FigureStatement
from tests.conftest import store_on
from tests.synthwire import CREDIBILITY, EXPECTED, Item, is_copy, wire

# -- figures and the rule that picks an event's figure ---------------------------------------------------------


def _said(kind: str, value: int, source: str, at: str, credibility: float = 1.0) -> FigureStatement:
    return FigureStatement(kind, value, "exact", "casualties", source, f"art-{source}-{value}", at, credibility)


@pytest.mark.parametrize(("statements", "killed", "first_by"), [
    # a later, different figure supersedes an earlier one
    ([_said("killed", 50, "wire", "T06"), _said("killed", 56, "wire", "T09")], 56, "wire"),
    # the most credible source wins over a more recent, less credible one
    ([_said("killed", 56, "wire", "T09", 2.0), _said("killed", 57, "herald", "T11")], 56, "wire"),
    # a source repeating a figure already stated does not bring it back
    ([_said("killed", 50, "wire", "T06"), _said("killed", 56, "herald", "T09"), _said("killed", 50, "daily", "T10")],
     56, "herald"),
    # a value stated by several sources is credited to the first, with the best credibility among them
    ([_said("killed", 12, "herald", "T10"), _said("killed", 12, "wire", "T11", 2.0),
      _said("killed", 20, "daily", "T15")], 12, "herald"),
])
def test_the_event_figure_is_the_most_credible_then_most_recent(statements: list[FigureStatement], killed: int,
                                                                first_by: str) -> None:
    figure = current_figures(statements)["killed"]
    assert (figure.value, figure.source) == (killed, first_by)
    history = figure_history(statements)["killed"]
    assert sorted(f.value for f, _ in history) == sorted({s.value for s in statements})  # conflicts kept


def _finding(detector: str, **attrs: Any) -> Finding:
    return Finding(detector=detector, severity=Severity.HIGH, score=0.9, summary="s", attributes=attrs)


def test_what_states_a_figure() -> None:
    article = Article.create("text", url="https://example.org/a", source="wire")
    findings = [
        _finding("casualties", category="killed", count=50, qualifier="exact"),
        _finding("casualties", category="killed", count=1, qualifier="exact"),       # the largest counts
        _finding("casualties", category="injured", count=None, qualifier="vague"),   # vague: no figure
        _finding("casualties", category="missing", count=3000, background=True),     # history: no figure
        _finding("deployments", count=3000, movement="deploy"),
        _finding("deployments", count=None, movement="withdraw"),
        _finding("escalation", category="threat"),
    ]
    said = statements_in(article, findings, 2.0, "2026-11-29T06:00:00+00:00")
    assert {(s.kind, s.value) for s in said} == {("killed", 50), ("troops:deploy", 3000)}
    assert all(s.source == "wire" and s.credibility == 2.0 and s.article_id == article.id for s in said)


def _route(**kw: Any) -> Route:
    defaults: dict[str, Any] = dict(name="ev", detectors=frozenset(), min_severity=Severity.LOW,
                                    sources=frozenset(), sinks=("ops",), group="event")
    return Route(**{**defaults, **kw})


@pytest.mark.parametrize(("before", "now", "route", "what"), [
    ({"killed": 50}, {"killed": 56}, {}, ["figure"]),                      # 6 > 10 % of 50
    ({"killed": 50}, {"killed": 52}, {}, []),                              # 2 is not
    ({"killed": 50}, {"killed": 55}, {}, []),                              # exactly 10 %: not more than the step
    ({"injured": 2}, {"injured": 3}, {"update_min": 2}, []),               # 50 % but under the absolute minimum
    ({"killed": 50}, {"killed": 50, "injured": 80}, {}, ["new_figure"]),
    ({}, {"troops:deploy": 3000}, {}, ["new_figure"]),
    ({"killed": 50}, {"killed": 40}, {}, ["figure"]),                      # a toll revised down is a change too
])
def test_material_changes(before: dict[str, int], now: dict[str, int], route: dict[str, Any],
                          what: list[str]) -> None:
    changes = material_changes({"figures": before, "sources": 1}, {"figures": now, "sources": 1}, _route(**route))
    assert [c.what for c in changes] == what


def test_confirmation_fires_once_when_the_sources_reach_the_threshold() -> None:
    route = _route(confirm_sources=2)
    reached = material_changes({"figures": {}, "sources": 1}, {"figures": {}, "sources": 2}, route)
    assert [(c.what, c.after) for c in reached] == [("confirmed", 2)]
    assert material_changes({"figures": {}, "sources": 2}, {"figures": {}, "sources": 3}, route) == ()
    never = _route(confirm_sources=0)
    assert material_changes({"figures": {}, "sources": 1}, {"figures": {}, "sources": 5}, never) == ()


# -- the store, on both backends -------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    yield from store_on(request.param, tmp_path)


def _stored(store: Store, n: int, source: str = "wire") -> tuple[Article, list[Finding]]:
    text = f"A bomb killed {n} people in the market, police said."
    article = Article.create(text, url=f"https://example.org/{source}/{n}", source=source, title=f"Bomb {n}",
                             published="2026-11-29T06:00:00+00:00")
    start = text.index("killed")
    findings = [Finding("casualties", Severity.HIGH, 0.9, f"{n} killed", (Evidence.at(text, start, start + 6),),
                        {"category": "killed", "count": n, "qualifier": "exact"})]
    store.record_article(f"k-{source}-{n}", "v", article, findings, [])
    return article, findings


def test_events_store_round_trip(store: Store) -> None:
    from monitor.model import EventNote
    from monitor.store.events import EventAlertWrite

    a1, f1 = _stored(store, 50)
    a2, _ = _stored(store, 56, "herald")
    event = EventRow("ev1", "Bomb 50", "Afghanistan", ("Kabul",), "2026-11-29T06:00:00+00:00",
                     "2026-11-29T06:00:00+00:00")
    said = (_said("killed", 50, "wire", "2026-11-29T06:00:00+00:00", 2.0),)
    note = EventNote("ev1", "Bomb 50", event.first_seen, event.last_seen, "Afghanistan", ("Kabul",), 1, ("wire",),
                     (), (), 1)
    alert = Alert("alert-1", "ev-route", a1, tuple(f1), event=note)
    write = EventWrite(event, EventArticle(a1.id, "ev1", "wire", event.first_seen, None, 1.0), said)
    assert [a.id for a in store.record_event(write, [EventAlertWrite(alert, ("ops",), None, 1,
                                                                       {"figures": {"killed": 50}, "sources": 1})])] \
        == ["alert-1"]
    # the same alert number again (a retried write, a second replica): nothing new, nothing queued twice
    assert store.record_event(write, [EventAlertWrite(alert, ("ops",), None, 1, {})]) == []
    assert [d.idempotency_key for d in store.deliveries()] == ["alert-1-ops"]
    assert Alert.from_record(json.loads(store.deliveries()[0].payload)).event == note

    later = EventRow("ev1", "ignored: the headline stays", None, (), "2026-11-29T09:00:00+00:00",
                     "2026-11-29T09:00:00+00:00")
    restated = (_said("killed", 50, "herald", "2026-11-29T09:00:00+00:00"),
                _said("killed", 50, "herald", "2026-11-29T10:00:00+00:00"))
    store.record_event(EventWrite(later, EventArticle(a2.id, "ev1", "herald", later.first_seen, a1.id, 0.9),
                                  restated))
    row = store.event("ev1")
    assert row is not None
    assert (row.headline, row.country, row.places, row.first_seen, row.last_seen, row.articles) == (
        "Bomb 50", "Afghanistan", ("Kabul",), "2026-11-29T06:00:00+00:00", "2026-11-29T09:00:00+00:00", 2)
    assert row.sources == ("wire",)  # herald's article is a near-duplicate: not an independent source
    # the row alone, without the scans for its article count and sources (what a write needs)
    assert store.event("ev1", counted=False) == replace(row, articles=0, sources=())
    assert store.event("nope", counted=False) is None
    assert [(s.source, s.stated_at[11:13]) for s in store.event_figures("ev1")] == [("wire", "06"), ("herald", "09")]
    assert store.event_article(a2.id) == EventArticle(a2.id, "ev1", "herald", later.first_seen, a1.id, 0.9)
    last = store.last_event_alert("ev1", "ev-route")
    assert last is not None and (last.sequence, last.state["figures"]) == (1, {"killed": 50})
    assert [e.id for e in store.events("2026-11-29T08:00:00+00:00")] == ["ev1"]
    assert store.events("2026-11-30") == []
    assert [s.article.id for s in store.open_event_stories("2026-11-29T08:00:00+00:00")] == [a1.id, a2.id]
    assert [(a.title, a.duplicate_of) for a in store.event_articles("ev1")] == [("Bomb 50", None), ("Bomb 56", a1.id)]
    a3, _ = _stored(store, 7, "daily")
    assert [a.id for a, _ in store.unassigned_articles("0000")] == [a3.id]


# -- the tracker over the synthetic wire, in process ------------------------------------------------------------


def _config(extra: str = "") -> Config:
    sources = "".join(f'[[sources]]\nname = "{s}"\ntype = "folder"\npath = "in-{s}"\ncredibility = '
                      f"{CREDIBILITY.get(s, 1.0)}\n" for s in ("wire", "herald", "daily", "agg1", "agg2"))
    return parse_config(sources + '[[sinks]]\nname = "ops"\ntype = "console"\n'
                        '[[routes]]\nname = "per-event"\ngroup = "event"\nsinks = ["ops"]\n' + extra)


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return build_pipeline(build_plugins([]), _config())


def _read(pipeline: Pipeline, item: Item) -> tuple[Article, list[Finding]]:
    article = Article.create(item.text, url=f"https://{item.source}.example/news/{item.slug}", title=item.title,
                             source=item.source, published=item.published.isoformat(),
                             fetched_at=(item.published + timedelta(minutes=1)).isoformat())
    return pipeline.run(article)


def test_many_copies_do_not_split_an_event(store: Store, pipeline: Pipeline) -> None:
    """Forty aggregators copy every first report: the copies must not outweigh the rewrites (they once split the
    bombing in two, the copies' words having lost their weight in the document frequencies), and a restart in
    the middle restores them as copies."""
    config, items = _config(), wire(syndicators=40)
    routes, tracker, alerts = routes_for(config), EventTracker(), Counter[str]()
    for n, item in enumerate(items):
        if n == len(items) // 2:
            tracker = EventTracker()
        article, findings = _read(pipeline, item)
        store.record_article(item.slug, "v", article, findings, [])
        alerts.update(item.event for _ in tracker.track(store, config, routes, article, findings))
    assert alerts == EXPECTED
    assert len(store.events()) == len(EXPECTED)


def test_the_tracker_alerts_once_per_event_and_per_material_change_across_a_restart(
        store: Store, pipeline: Pipeline) -> None:
    config, items = _config(), wire()
    routes = routes_for(config)
    tracker = EventTracker()
    alerts: list[tuple[Item, Alert]] = []
    for n, item in enumerate(items):
        if n == len(items) // 2:
            tracker = EventTracker()  # a restart: the index is rebuilt from the store
        article, findings = _read(pipeline, item)
        store.record_article(item.slug, "v", article, findings, [])
        alerts += [(item, a) for a in tracker.track(store, config, routes, article, findings)]
    per_event = Counter(item.event for item, _ in alerts)
    assert per_event == EXPECTED
    assert not [item.slug for item, _ in alerts if is_copy(item)]  # copies never alert
    firsts = [item.slug for item, a in alerts if a.event is not None and a.event.sequence == 1]
    assert sorted(firsts) == sorted(i.slug for i in items if i.expect == "first")
    assert len(store.events()) == len(EXPECTED)  # after the restart, articles joined the events they belong to
    assert len(store.deliveries()) == sum(EXPECTED.values())  # each through the outbox

    bombing = next(a.event for item, a in alerts if item.slug == "bomb-3")
    assert bombing is not None
    assert [(c.what, c.before, c.after) for c in bombing.changes] == [("new_figure", None, 80), ("figure", 50, 56)]
    final = store.event(bombing.id)
    assert final is not None and final.country == "Afghanistan" and "Kabul" in final.places
    figures = current_figures(store.event_figures(bombing.id))
    assert {k: (f.value, f.source) for k, f in figures.items()} == {
        "killed": (56, "wire"), "injured": (80, "wire"), "missing": (3, "daily")}
    killed = [(f.value, f.source) for f, _ in figure_history(store.event_figures(bombing.id))["killed"]]
    assert (57, "herald") in killed  # the conflicting figure is kept, not averaged


def test_an_article_stored_without_its_event_is_assigned_on_the_next_start(store: Store, pipeline: Pipeline) -> None:
    """A crash between storing the article and storing its event loses nothing: the next start assigns it."""
    config = _config()
    tracked, first, second = (i for i in wire() if i.expect == "first" and i.event != "poland-deployment")
    before, before_findings = _read(pipeline, tracked)
    store.record_article(tracked.slug, "v", before, before_findings, [])
    assert EventTracker().track(store, config, routes_for(config), before, before_findings)
    article, findings = _read(pipeline, first)
    store.record_article(first.slug, "v", article, findings, [])  # ... and the daemon died here
    later, later_findings = _read(pipeline, second)
    store.record_article(second.slug, "v", later, later_findings, [])
    created = EventTracker().track(store, config, routes_for(config), later, later_findings)
    assert sorted(a.article.id for a in created) == sorted([article.id, later.id])
    assert store.event_article(article.id) is not None


def test_a_store_taking_events_into_use_sends_nothing_for_the_news_it_holds(store: Store,
                                                                              pipeline: Pipeline) -> None:
    config = _config()
    old, new = (i for i in wire() if i.expect == "first" and i.event in ("kabul-bombing", "kabul-flood"))
    article, findings = _read(pipeline, old)
    store.record_article(old.slug, "v", article, findings, [])  # stored before events existed
    later, later_findings = _read(pipeline, new)
    store.record_article(new.slug, "v", later, later_findings, [])
    created = EventTracker().track(store, config, routes_for(config), later, later_findings)
    assert [a.article.id for a in created] == [later.id] and store.event_article(article.id) is None


def test_an_engine_failure_is_logged_and_the_article_kept_for_the_next_start(store: Store,
                                                                            pipeline: Pipeline) -> None:
    from monitor.events.cluster import EventIndex

    class Broken(EventIndex):
        def assign(self, story: Any) -> Any:
            raise RuntimeError("engine bug")

    config = _config()
    first, first_findings = _read(pipeline, next(i for i in wire() if i.slug == "deploy-1"))
    store.record_article("deploy-1", "v", first, first_findings, [])
    assert EventTracker().track(store, config, routes_for(config), first, first_findings)
    item = next(i for i in wire() if i.expect == "first")
    article, findings = _read(pipeline, item)
    store.record_article(item.slug, "v", article, findings, [])
    assert EventTracker(lambda hours: Broken(window_hours=hours)).track(
        store, config, routes_for(config), article, findings) == []
    assert store.event_article(article.id) is None
    other, other_findings = _read(pipeline, next(i for i in wire() if i.slug == "flood-1"))
    store.record_article("flood-1", "v", other, other_findings, [])
    created = EventTracker().track(store, config, routes_for(config), other, other_findings)
    assert {a.article.id for a in created} == {article.id, other.id}


def test_events_off_and_per_article_routes_keep_their_behaviour(tmp_path: Path, pipeline: Pipeline) -> None:
    from monitor.alerts.routing import build_alerts

    store = open_store(tmp_path)
    item = next(i for i in wire() if i.expect == "first")
    article, findings = _read(pipeline, item)
    config = _config('[[routes]]\nname = "each"\nsinks = ["ops"]\n[events]\nenabled = false\n')
    built = build_alerts(routes_for(config), article, findings)
    assert [a.route for a, _, _ in built] == ["each"]  # the event route builds nothing per article
    assert EventTracker().track(store, config, routes_for(config), article, findings) == []
    assert store.events() == []
    store.close()


# -- configuration -----------------------------------------------------------------------------------------------


def test_config_errors_name_file_line_and_key(tmp_path: Path) -> None:
    text = ('[[sinks]]\nname = "ops"\ntype = "console"\n[[routes]]\nname = "ev"\ngroup = "event"\n'
            'digest = "1h"\nsinks = ["ops"]\n')
    with pytest.raises(ConfigError, match=r"x\.toml:4: routes\[0\]: .*digest and throttle apply to per-article"):
        parse_config(text, "x.toml")
    with pytest.raises(ConfigError, match=r"x\.toml:2: events\.window: .*not a duration"):
        parse_config('[events]\nwindow = "four days"\n', "x.toml")
    with pytest.raises(ConfigError, match=r"routes\[0\]\.group: Input should be 'article' or 'event'"):
        parse_config('[[sinks]]\nname = "ops"\ntype = "console"\n[[routes]]\ngroup = "story"\nsinks = ["ops"]\n')


# -- payload version 2, and the human formats -------------------------------------------------------------------


def _event_alert(store: Store, pipeline: Pipeline) -> Alert:
    config = _config()
    tracker, routes = EventTracker(), routes_for(config)
    created: list[Alert] = []
    for item in (i for i in wire() if i.event == "kabul-bombing" and not is_copy(i)):
        article, findings = _read(pipeline, item)
        store.record_article(item.slug, "v", article, findings, [])
        created += tracker.track(store, config, routes, article, findings)
    return next(a for a in created if a.event is not None and a.event.sequence == 3)


def test_webhook_payload_version_2_carries_the_event_and_version_1_stays(tmp_path: Path, pipeline: Pipeline) -> None:
    import asyncio
    import http.server

    from monitor.sinks.webhook import WebhookOptions, WebhookSink
    from tests.newsroom import start_server

    got: list[dict[str, Any]] = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server, base = start_server(Receiver)
    store = open_store(tmp_path)
    try:
        alert = _event_alert(store, pipeline)
        v1 = WebhookSink("v1", WebhookOptions(url=f"{base}/hook"))
        v2 = WebhookSink("v2", WebhookOptions(url=f"{base}/hook", payload_version=2))

        async def send() -> None:
            for sink in (v1, v2):
                assert (await sink.deliver(alert, f"k-{sink.name}")).ok
                await sink.aclose()

        asyncio.run(send())
    finally:
        server.shutdown()
        server.server_close()
        store.close()
    old, new = got
    assert old["version"] == 1 and "event" not in old
    assert {k: v for k, v in old.items() if k != "version"} == {k: v for k, v in new.items()
                                                              if k not in ("version", "event")}  # v2 only adds
    event = new["event"]
    assert event["sequence"] == 3 and event["update"] is True and event["country"] == "Afghanistan"
    assert [(c["what"], c["before"], c["after"]) for c in event["changes"]] == [("new_figure", None, 80),
                                                                               ("figure", 50, 56)]
    assert {(f["kind"], f["value"], f["source"]) for f in event["figures"]} == {("killed", 56, "wire"),
                                                                                ("injured", 80, "wire")}


def test_email_and_console_show_the_event_and_the_change(tmp_path: Path, pipeline: Pipeline,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    from monitor.sinks.builtin import ConsoleOptions, ConsoleSink
    from monitor.sinks.email import EmailOptions, build_message

    store = open_store(tmp_path)
    alert = _event_alert(store, pipeline)
    store.close()
    msg = build_message(alert, EmailOptions.model_validate({"host": "h", "from": "m@x", "to": ["d@x"]}), "k")
    assert msg["Subject"].startswith("[HIGH] Update: Suicide bomber kills 50 at Kabul market")
    body = msg.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "changed: killed: 50 → 56" in text and "figure: 56 killed (exact) — wire" in text
    asyncio.run(ConsoleSink("c", ConsoleOptions()).deliver(alert, "k"))
    out = capsys.readouterr().out
    assert "UPDATE 2: Suicide bomber kills 50 at Kabul market (Kabul, Afghanistan)" in out
    assert "changed: new figure: 80 injured" in out


# -- the whole daemon, replaying a day of wire -----------------------------------------------------------------


@pytest.mark.timeout(600)
def test_replay_through_the_daemon_one_alert_per_event_and_material_change(tmp_path: Path, monitor,  # type: ignore[no-untyped-def]
                                                                           no_orphans: None) -> None:
    from tests.wire_replay import replay

    result = replay(tmp_path)
    assert result.refused == 0
    per_event = result.alerts_per_event()
    assert {event: len(docs) for event, docs in per_event.items()} == EXPECTED
    for docs in per_event.values():  # one first alert, then updates numbered in order, each saying what changed
        assert [d["event"]["sequence"] for d in docs] == list(range(1, len(docs) + 1))
        assert all(d["version"] == 2 and d["event"]["changes"] for d in docs)
    assert len(set(result.keys)) == len(result.keys)  # nothing delivered twice across the runs
    # the same findings routed per article: every article with a finding but exact copies
    per_article = result.per_article_counts()
    assert sum(per_article.values()) > 2 * sum(EXPECTED.values())

    listed = monitor("events", "--since", "0", "--json", "--config", str(tmp_path / "monitor.toml"))
    assert listed.code == 0, listed.err
    events = json.loads(listed.out)["events"]
    assert len(events) == len(EXPECTED)
    bombing = next(e for e in events if any(f["kind"] == "injured" for f in e["figures"]))
    assert {f["kind"]: f["value"] for f in bombing["figures"]} == {"killed": 56, "injured": 80, "missing": 3}
    shown = monitor("event", bombing["id"], "--config", str(tmp_path / "monitor.toml"))
    assert shown.code == 0, shown.err
    assert "killed: 57 killed (exact) from herald" in shown.out  # the conflicting figure, kept in the history
    assert shown.out.count("copy of ") == 5  # four copies of bomb-1 (one word for word) and one of bomb-3
    unknown = monitor("event", "0000", "--config", str(tmp_path / "monitor.toml"))
    assert unknown.code == 1 and "no event '0000'" in unknown.err


def test_the_readme_events_config_is_valid() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Events: one alert per event", 1)[1]
    block = section.split("```toml\n", 1)[1].split("```", 1)[0]
    config = parse_config(block, "README.md")
    route = routes_for(config)[0]
    assert (route.group, route.update_step, route.update_min, route.confirm_sources) == ("event", 0.1, 1, 2)
    assert config.sources[0].credibility == 2 and config.events.window == "96h"


def test_a_silence_holds_an_event_alert_as_it_holds_a_per_article_one(tmp_path: Path, pipeline: Pipeline) -> None:
    store = open_store(tmp_path)
    config = _config()
    store.add_silence("s1", "casualties", None, {"category": "killed"}, "known incident", "9999-12-31")
    item = next(i for i in wire() if i.slug == "bomb-1")
    article, findings = _read(pipeline, item)
    store.record_article(item.slug, "v", article, findings, [])
    created = EventTracker().track(store, config, routes_for(config), article, findings)
    assert [a.event.sequence for a in created if a.event] == [1]
    assert store.deliveries() == [] and store.alert_counts() == {"silenced": 1}
    store.close()


def test_the_gazetteer_is_built_in_a_thread_before_the_first_poll(tmp_path: Path) -> None:
    """Building the place names takes about a second of CPU; a runner does it off the event loop at start, so
    the first article with findings does not stop the loop for it."""
    import asyncio
    import functools
    import threading

    from monitor.events import places
    from monitor.runners.local import LocalRunner

    config = parse_config(f'[daemon]\nstate_dir = "{tmp_path}"\n')
    runner = LocalRunner(config, build_plugins(), open_store(config.daemon.state_dir), processes=1)
    built_on: list[int] = []
    build = places._gazetteer.__wrapped__

    def recording() -> dict[str, tuple[places._Entry, ...]]:
        built_on.append(threading.get_ident())
        return build()

    places._gazetteer.cache_clear()
    cached = functools.cache(recording)
    original = places._gazetteer
    places._gazetteer = cached  # type: ignore[assignment]
    try:
        async def main() -> int:
            try:
                await runner.run_once()
            finally:
                await runner.close()
            return threading.get_ident()

        loop_thread = asyncio.run(main())
    finally:
        places._gazetteer = original
    assert len(built_on) == 1 and built_on[0] != loop_thread
