"""What ``monitor status`` and ``monitor alerts`` report: is a daemon running now, the sources, and one set of
alert counts that status, alerts and the outbox all agree on.

Everything here only reads: a state directory that does not exist is reported as empty, never created.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from monitor.alerts.routing import DIGEST, SILENCED, THROTTLED, Silence
from monitor.config import Config
from monitor.durations import parse_duration
from monitor.masking import mask_text, mask_url
from monitor.model import Alert
from monitor.store import Store
from monitor.times import age
from monitor.wiring import store_for

#: The daemon rewrites its status file this often; a heartbeat older than STALE_AFTER means it is not alive.
HEARTBEAT_INTERVAL = 5.0
STALE_AFTER = 3 * HEARTBEAT_INTERVAL
OUTBOX_STATES = ("pending", "delivered", "failed")


@dataclass(frozen=True)
class DaemonStatus:
    """``running`` is true only while the recorded pid is alive and its heartbeat is fresh."""

    running: bool
    #: "running", "stopped" (clean exit), "not running" (gone without a clean exit), "not responding"
    #: (pid alive, heartbeat stale), "never run".
    state: str
    pid: int | None = None
    started: str | None = None
    stopped: str | None = None
    last_heartbeat: str | None = None
    heartbeat_age_s: float | None = None
    queued_documents: int | None = None
    in_flight: int | None = None
    processed: int | None = None
    failed: int | None = None


@dataclass(frozen=True)
class SourceStatus:
    name: str
    health: str
    url: str | None = None
    last_success: str | None = None
    last_error: str | None = None
    errors_in_a_row: int = 0
    next_poll: str | None = None
    gone: bool = False


@dataclass(frozen=True)
class AlertCounts:
    """Every alert row counted once: ``to_send`` have outbox rows (one per sink); the others are held."""

    total: int = 0
    to_send: int = 0
    silenced: int = 0
    throttled: int = 0
    digest: int = 0

    def text(self) -> str:
        return (f"{self.total} ({self.to_send} to send, {self.silenced} silenced, {self.throttled} throttled, "
                f"{self.digest} for a digest)")


@dataclass(frozen=True)
class HeldAlert:
    alert_id: str
    route: str
    held: str
    created_at: str
    title: str
    reason: str
    bundled_in: str | None = None


@dataclass(frozen=True)
class StatusReport:
    state_dir: str
    daemon: DaemonStatus
    sources: list[SourceStatus]
    articles: int
    findings: int
    failed_documents: int
    alerts: AlertCounts
    outbox: dict[str, int]
    replicas: dict[str, Any] | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        doc = asdict(self)
        # "counts" as before, for scripts written against earlier versions
        doc["counts"] = {"articles": self.articles, "findings": self.findings, "alerts": self.alerts.total,
                         "failed_documents": self.failed_documents}
        return doc


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _age(iso: str | None) -> float | None:
    seconds = age(iso)
    return None if seconds is None else round(seconds, 1)


def daemon_status(state_dir: str | Path) -> DaemonStatus:
    """From the status file the daemon keeps in its state directory."""
    path = Path(state_dir) / "status.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return DaemonStatus(running=False, state="never run")
    pid = doc.get("pid") if isinstance(doc.get("pid"), int) else None
    queue = doc.get("queue") if isinstance(doc.get("queue"), dict) else {}
    age = _age(doc.get("heartbeat"))
    stopped = doc.get("stopped")
    alive = pid is not None and _pid_alive(pid)
    if stopped:
        state = "stopped"
    elif not alive:
        state = "not running"
    elif age is None or age > STALE_AFTER:
        state = "not responding"
    else:
        state = "running"
    return DaemonStatus(
        running=state == "running", state=state, pid=pid, started=doc.get("started"), stopped=stopped,
        last_heartbeat=doc.get("heartbeat"), heartbeat_age_s=age, queued_documents=queue.get("documents"),
        in_flight=queue.get("in_flight"), processed=doc.get("processed"), failed=doc.get("failed"),
    )


def alert_counts(store: Store) -> AlertCounts:
    by_kind = store.alert_counts()
    return AlertCounts(total=sum(by_kind.values()), to_send=by_kind.get("", 0), silenced=by_kind.get(SILENCED, 0),
                       throttled=by_kind.get(THROTTLED, 0), digest=by_kind.get(DIGEST, 0))


def outbox_counts(store: Store) -> dict[str, int]:
    counts = store.stats().outbox
    return {state: counts.get(state, 0) for state in (*OUTBOX_STATES, *sorted(set(counts) - set(OUTBOX_STATES)))}


def status_report(config: Config) -> StatusReport:
    """What ``monitor status`` prints: the daemon, sources, counts, the outbox and (PostgreSQL) replicas."""
    store = store_for(config, create=False)
    try:
        stats = store.stats()
        sources = [SourceStatus(name=s.name, health=s.health, url=s.url and mask_url(s.url),
                                last_success=s.last_success, last_error=s.last_error and mask_text(s.last_error),
                                errors_in_a_row=s.error_count, next_poll=s.next_due,
                                gone=s.gone) for s in store.source_states()]
        known = {s.name for s in sources}
        sources += [SourceStatus(name=s.name, health="never polled") for s in config.sources if s.name not in known]
        report = getattr(store, "queue_report", None)
        replicas = report(parse_duration(config.daemon.stalled_after)) if report else None
        return StatusReport(
            state_dir=config.daemon.state_dir, daemon=daemon_status(config.daemon.state_dir), sources=sources,
            articles=stats.articles, findings=stats.findings, failed_documents=stats.failures,
            alerts=alert_counts(store), outbox=outbox_counts(store), replicas=replicas or None,
        )
    finally:
        store.close()


def _or(value: object, default: str = "never") -> str:
    return default if value is None or value == "" else str(value)


def render_status(report: StatusReport) -> str:
    d = report.daemon
    if d.state == "running":
        head = (f"daemon: running (pid {d.pid}, started {d.started}, last heartbeat {d.heartbeat_age_s} s ago); "
                f"queue: {d.queued_documents} documents, {d.in_flight} in flight")
    elif d.state == "stopped":
        head = f"daemon: stopped (pid {d.pid} exited cleanly at {d.stopped})"
    elif d.state == "never run":
        head = "daemon: never run with this state directory"
    else:
        head = (f"daemon: {d.state} (pid {d.pid}, last heartbeat {_or(d.heartbeat_age_s, '?')} s ago, "
                "no clean exit recorded)")
    lines = [head, f"state:  {report.state_dir}"]
    if report.replicas:
        queues = ", ".join(f"{q} {v['waiting']} waiting (oldest {v['oldest_waiting_s']} s)"
                           for q, v in report.replicas.get("queues", {}).items()) or "all empty"
        lines.append(f"replicas alive: {report.replicas.get('replicas_alive', 0)}; job queues: {queues}")
    for s in report.sources:
        lines.append(f"source {s.name}: {s.health}; last success {_or(s.last_success)}; "
                     f"next poll {_or(s.next_poll, 'on schedule')}; last error {_or(s.last_error, 'none')}")
    lines.append(f"counts: {report.articles} articles, {report.findings} findings, "
                 f"{report.failed_documents} failed documents")
    lines.append(f"alerts: {report.alerts.text()}")
    lines.append("outbox: " + ", ".join(f"{n} {state}" for state, n in report.outbox.items()))
    return "\n".join(lines)


def held_alerts(store: Store) -> list[HeldAlert]:
    """Every held alert (silenced, throttled, awaiting or sent in a digest), oldest first, with why."""
    silences = store.silences()
    out = []
    for row in store.held_alert_rows():
        alert = Alert.from_record(json.loads(row["doc"]))
        out.append(HeldAlert(alert_id=alert.id, route=alert.route, held=row["held"], created_at=alert.created_at,
                             title=alert.article.title or alert.article.url or alert.article.path or "",
                             reason=_reason(row["held"], row["bundled_in"], alert, silences),
                             bundled_in=row["bundled_in"]))
    return out


def _reason(held: str, bundled_in: str | None, alert: Alert, silences: list[dict[str, Any]]) -> str:
    if held == SILENCED:
        for s in silences:
            silence = Silence(s["id"], s["detector"], s["source"], s["attributes"], s["until"])
            active = s["created_at"] <= alert.created_at < s["until"]
            if active and all(silence.mutes(alert.article, f) for f in alert.findings):
                return f"silenced by {s['id']} (until {s['until']}): {s['reason']}"
        return "silenced (by a silence since removed)"
    if held == THROTTLED:
        return (f"throttled by route {alert.route}; summarised in {bundled_in}" if bundled_in
                else f"throttled by route {alert.route}; waiting for the summary at the end of the window")
    if held == DIGEST:
        return f"sent in digest {bundled_in}" if bundled_in else f"awaiting the digest of route {alert.route}"
    return held
