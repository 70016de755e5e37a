"""``monitor events`` and ``monitor event ID``: the events in the store, their figures with their sources, their
articles and the history of their figures."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import click

from monitor.cli.base import _fail, _load, config_option, main
from monitor.events.figures import current_figures, figure_history
from monitor.model import EventFigure
from monitor.store.base import Store
from monitor.store.events import EventRow


def _figure(f: EventFigure) -> str:
    others = [s for s in f.sources if s != f.source]
    return (f"{f.value} {f.kind} ({f.qualifier}) from {f.source or '?'}, article {f.article_id} at {f.stated_at}"
            + (f"; also {', '.join(others)}" if others else ""))


def _summary(store: Store, ev: EventRow) -> dict[str, Any]:
    figures = current_figures(store.event_figures(ev.id))
    return {**asdict(ev), "places": list(ev.places), "sources": list(ev.sources),
            "figures": [f.to_dict() for f in figures.values()]}


@main.command("events")
@click.option("--since", default="24h", show_default=True,
              help="Events last seen within this long (a duration: 30m, 24h, 7d), by the articles' own time; "
                   "0 or all for every event.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@config_option
def events_command(since: str, as_json: bool, config_path: str | None) -> None:
    """List events, most recent first, with their figures and sources."""
    from monitor.durations import parse_duration
    from monitor.times import iso_ago
    from monitor.wiring import store_for

    try:
        seconds = 0.0 if since.strip().lower() in ("0", "all") else parse_duration(since)
    except ValueError as exc:
        _fail(f"--since: {exc}")
    config, _ = _load(config_path, (), deliver=False)
    store = store_for(config, create=False)
    try:
        rows = [_summary(store, ev) for ev in store.events(iso_ago(seconds) if seconds else None)]
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps({"events": rows}, indent=2, ensure_ascii=False))
        return
    for ev in rows:
        where = ", ".join(x for x in (", ".join(ev["places"]), ev["country"] or "") if x)
        click.echo(f"{ev['id']}  {ev['last_seen']}  {ev['articles']} article(s)  {ev['headline'][:70]}"
                   + (f"  [{where}]" if where else ""))
        click.echo(f"    sources: {', '.join(ev['sources']) or '-'}")
        for f in ev["figures"]:
            click.echo(f"    {_figure(EventFigure.from_dict(f))}")
    if not rows:
        click.echo("no events" + (f" in the last {since}" if seconds else ""))


@main.command("event")
@click.argument("event_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@config_option
def event_command(event_id: str, as_json: bool, config_path: str | None) -> None:
    """Show one event: its figures with their sources, its articles, the history of its figures and the alerts
    sent about it."""
    from monitor.wiring import store_for

    config, _ = _load(config_path, (), deliver=False)
    store = store_for(config, create=False)
    try:
        ev = store.event(event_id)
        if ev is None:
            _fail(f"no event {event_id!r} (monitor events --since 0 lists them all)", 1)
        doc = _summary(store, ev)
        doc["articles"] = [asdict(a) for a in store.event_articles(event_id)]
        doc["history"] = {kind: [{**f.to_dict(), "credibility": cred} for f, cred in values]
                          for kind, values in figure_history(store.event_figures(event_id)).items()}
        doc["alerts"] = [{"route": r, "sequence": n, "alert_id": a, "created_at": at}
                         for r, n, a, at in store.event_alert_ids(event_id)]
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    where = ", ".join(x for x in (", ".join(doc["places"]), doc["country"] or "") if x)
    click.echo(f"event {doc['id']}: {doc['headline']}" + (f" [{where}]" if where else ""))
    click.echo(f"  first seen {doc['first_seen']}, last seen {doc['last_seen']}; "
               f"independent sources: {', '.join(doc['sources']) or '-'}")
    click.echo("figures (the most credible source, then the most recent figure):")
    for f in doc["figures"]:
        click.echo(f"  {_figure(EventFigure.from_dict(f))}")
    click.echo("history of figures (every value stated, first statement first):")
    for kind, values in doc["history"].items():
        for f in values:
            click.echo(f"  {kind}: {_figure(EventFigure.from_dict(f))} (credibility {f['credibility']:g})")
    click.echo("articles:")
    for a in doc["articles"]:
        dup = f"  copy of {a['duplicate_of']}" if a["duplicate_of"] else ""
        click.echo(f"  {a['published']}  {a['source']:<12} {a['article_id']}  {(a['title'] or a['url'] or '')[:60]}"
                   f"  (similarity {a['similarity']:.2f}){dup}")
    click.echo("alerts:")
    for al in doc["alerts"]:
        kind = "first" if al["sequence"] == 1 else f"update {al['sequence'] - 1}"
        click.echo(f"  {al['created_at']}  {al['route']:<12} {kind:<9} {al['alert_id']}")
    if not doc["alerts"]:
        click.echo("  none")
