"""``monitor alerts`` and ``monitor test-sink``: the outbox, held alerts, retries, and a sink tried for real."""

from __future__ import annotations

import json
import sys

import click

from monitor.cli.base import _fail, _load, config_option, main, plugins_dir_option
from monitor.errors import MonitorError
from monitor.model import Severity


@main.group("alerts", invoke_without_command=True)
@config_option
@click.option("--failed", is_flag=True, help="List deliveries that failed after their last attempt.")
@click.option("--pending", is_flag=True, help="List deliveries waiting for (another) attempt.")
@click.option("--held", is_flag=True, help="List only held alerts (silenced, throttled, for a digest).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def alerts_group(ctx: click.Context, config_path: str | None, failed: bool, pending: bool, held: bool,
                 as_json: bool) -> None:
    """List the outbox's deliveries (all, --pending or --failed) and the alerts held back, with why;
    'retry' re-sends failed deliveries."""
    ctx.obj = config_path
    if ctx.invoked_subcommand is not None:
        return
    from dataclasses import asdict

    from monitor.status import alert_counts, held_alerts, outbox_counts
    from monitor.wiring import store_for

    config, _ = _load(config_path, (), deliver=False)
    store = store_for(config, create=False)
    try:
        status_filter = "failed" if failed else "pending" if pending else None
        rows = [] if held else store.deliveries(status_filter)
        kept = [] if (failed or pending) else held_alerts(store)
        counts, outbox = alert_counts(store), outbox_counts(store)
    finally:
        store.close()
    deliveries = []
    for d in rows:
        article = json.loads(d.payload)["payload"]["article"]
        deliveries.append({"alert_id": d.alert_id, "sink": d.sink, "status": d.status, "attempts": d.attempts,
                           "next_attempt": d.next_attempt, "last_error": d.last_error,
                           "idempotency_key": d.idempotency_key,
                           "title": article.get("title") or article.get("url") or ""})
    if as_json:
        click.echo(json.dumps({"alerts": asdict(counts), "outbox": outbox, "deliveries": deliveries,
                               "held": [asdict(h) for h in kept]}, indent=2))
        return
    for row in deliveries:
        click.echo(f"{row['alert_id']}  {row['sink']:<12} {row['status']:<9} attempts {row['attempts']}  "
                   f"{str(row['title'])[:60]}" + (f"\n    last error: {row['last_error']}" if row["last_error"] else "")
                   )
    if not deliveries and not held:
        click.echo("no deliveries" + (f" with status {status_filter}" if status_filter else ""))
    for h in kept:
        click.echo(f"{h.alert_id}  {h.route:<12} {'held':<9} {h.held:<9}  {h.title[:60]}\n    why: {h.reason}")
    click.echo(f"alerts: {counts.text()}; outbox: " + ", ".join(f"{n} {s}" for s, n in outbox.items()))


@alerts_group.command("retry")
@click.argument("alert_id", required=False)
@click.pass_obj
def alerts_retry(config_path: str | None, alert_id: str | None) -> None:
    """Queue failed deliveries (all, or one alert's) for delivery again; the daemon sends them."""
    from monitor.wiring import store_for

    config, _ = _load(config_path, (), deliver=False)
    store = store_for(config, create=False)
    n = store.requeue_failed(alert_id)
    store.close()
    click.echo(f"{n} failed deliveries queued again")



@main.command("test-sink")
@click.argument("name")
@config_option
@plugins_dir_option
def test_sink(name: str, config_path: str | None, plugins_dirs: tuple[str, ...]) -> None:
    """Send a sample alert through sink NAME and report the real outcome (HTTP status, SMTP reply)."""
    import asyncio
    import uuid

    from monitor.hookspecs import Receipt
    from monitor.model import Alert, Article, Evidence, Finding
    from monitor.plugins import close_all
    from monitor.wiring import build_sinks

    config, plugins = _load(config_path, plugins_dirs)
    try:
        sinks = build_sinks(config, plugins)
    except MonitorError as exc:
        _fail(str(exc))
    if name not in sinks:
        _fail(f"no sink named {name!r} (configured: {', '.join(sinks) or 'none'})")
    text = "This is a test alert from media-monitor: three people were injured in a test."
    start = text.index("three people were injured")
    article = Article.create(text, url="https://example.org/media-monitor-test", title="media-monitor test alert",
                             source="test")
    finding = Finding(detector="casualties", severity=Severity.LOW, score=0.5, summary="Three injured (test)",
                      evidence=(Evidence.at(text, start, start + len("three people were injured")),),
                      attributes={"category": "injured", "count": 3, "qualifier": "exact", "test": True})
    alert = Alert.create("test-sink", article, [finding])
    # A fresh key every run: a receiver that drops repeats by key (as it should) must not drop the next test.
    key = f"test-{alert.id}-{uuid.uuid4().hex[:16]}"
    sink = sinks[name]

    async def deliver_once() -> Receipt:
        try:
            return await sink.deliver(alert, key)
        finally:
            await close_all([sink])  # the sink's client closed in its own event loop, not left to the GC

    receipt = asyncio.run(deliver_once())
    click.echo(f"{name}: {'delivered' if receipt.ok else 'FAILED'}: {receipt.detail}")
    sys.exit(0 if receipt.ok else 1)
