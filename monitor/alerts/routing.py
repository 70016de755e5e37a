"""Routes decide which findings become alerts for which sinks: one alert per (article, route).

A route matches findings on detector names, minimum severity, source names and attribute conditions.
Findings under an active silence are held (recorded, not sent). A throttled route sends at most N alerts per
window and holds the rest for one summary; a digest route holds everything for one message per window.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from monitor.conditions import all_of
from monitor.config import Config, RouteConfig
from monitor.durations import parse_duration
from monitor.model import Alert, Article, Evidence, Finding, Severity, stable_id
from monitor.times import iso_ago as iso_ago  # the runners import it from here
from monitor.times import utcnow

SILENCED, THROTTLED, DIGEST = "silenced", "throttled", "digest"


@dataclass(frozen=True)
class Route:
    name: str
    detectors: frozenset[str]
    min_severity: Severity
    sources: frozenset[str]
    sinks: tuple[str, ...]
    where: Callable[[Mapping[str, Any]], bool] = field(default=lambda attributes: True, compare=False)
    throttle_max: int | None = None
    throttle_window: float | None = None
    digest_window: float | None = None
    #: Also route findings about history or long-run statistics (``background: true``); off by default.
    background: bool = False
    #: "article" (one alert per article) or "event" (monitor/events/tracker.py: one alert per event, then updates).
    group: str = "article"
    update_step: float = 0.1
    update_min: int = 1
    confirm_sources: int = 2

    @classmethod
    def from_config(cls, index: int, rc: RouteConfig) -> Route:
        return cls(
            name=rc.name or f"route-{index + 1}",
            detectors=frozenset(rc.detectors),
            min_severity=rc.min_severity,
            sources=frozenset(rc.sources),
            sinks=tuple(rc.sinks),
            where=all_of(rc.where),
            throttle_max=rc.throttle.max if rc.throttle else None,
            throttle_window=parse_duration(rc.throttle.per) if rc.throttle else None,
            digest_window=parse_duration(rc.digest) if rc.digest else None,
            background=rc.background,
            group=rc.group,
            update_step=rc.update_step,
            update_min=rc.update_min,
            confirm_sources=rc.confirm_sources,
        )

    def matches(self, article: Article, finding: Finding) -> bool:
        return (
            (not self.detectors or finding.detector in self.detectors)
            and finding.severity.at_least(self.min_severity)
            and (not self.sources or (article.source or "") in self.sources)
            and self.where(finding.attributes)
            and (self.background or not finding.attributes.get("background"))
        )


@dataclass(frozen=True)
class Silence:
    id: str
    detector: str | None
    source: str | None
    attributes: Mapping[str, str]
    until: str

    def mutes(self, article: Article, finding: Finding) -> bool:
        return (
            (self.detector is None or finding.detector == self.detector)
            and (self.source is None or (article.source or "") == self.source)
            and all_of(self.attributes)(finding.attributes)
        )


#: The longest silence the CLI and the console set: a year and a day (longer is a disabled detector, not a silence).
MAX_SILENCE = 366 * 86400


def add_silence(store: Any, detector: str | None, source: str | None, attributes: dict[str, str], reason: str,
                seconds: float) -> tuple[str, str]:
    """Record a silence for ``seconds`` from now in ``store`` (the CLI's and the console's one way); returns
    its id and the time it ends."""
    from monitor.times import iso_in

    until = iso_in(seconds)
    silence_id = stable_id("silence", utcnow(), detector or "", source or "", repr(sorted(attributes.items())))[:8]
    store.add_silence(silence_id, detector, source, attributes, reason, until)
    return silence_id, until


def routes_for(config: Config) -> list[Route]:
    """The configured routes, or one route sending everything of severity low and above to every sink."""
    if config.routes:
        return [Route.from_config(i, rc) for i, rc in enumerate(config.routes)]
    return [Route("default", frozenset(), Severity.LOW, frozenset(), tuple(s.name for s in config.sinks))]




def build_alerts(routes: Sequence[Route], article: Article, findings: Sequence[Finding],
                 silences: Sequence[Silence] = (), sent_in_window: Callable[[Route], int] | None = None,
                 ) -> list[tuple[Alert, Sequence[str], str | None]]:
    """``(alert, sinks, held)`` for every route with at least one matching finding; ``held`` is None for an
    alert to send now, else why it is held. Routes grouped by event are the event tracker's, not built here."""
    out: list[tuple[Alert, Sequence[str], str | None]] = []
    for route in routes:
        matching = [f for f in findings if route.matches(article, f)]
        if not matching or not route.sinks or route.group == "event":
            continue
        audible, held = hold(route, article, matching, silences, sent_in_window)
        out.append((Alert.create(route.name, article, audible), route.sinks, held))
    return out


def hold(route: Route, article: Article, matching: Sequence[Finding], silences: Sequence[Silence] = (),
         sent_in_window: Callable[[Route], int] | None = None) -> tuple[list[Finding], str | None]:
    """The findings an alert of ``route`` carries and why it is held (None: send now): all of ``matching`` and
    ``silenced`` when every one is under a silence, else the audible ones, held for the route's digest or by its
    throttle."""
    audible = [f for f in matching if not any(s.mutes(article, f) for s in silences)]
    if matching and not audible:
        return list(matching), SILENCED
    if route.digest_window:
        return audible, DIGEST
    if route.throttle_max and sent_in_window is not None and sent_in_window(route) >= route.throttle_max:
        return audible, THROTTLED
    return audible, None


def bundle(route: Route, kind: str, members: Sequence[Alert]) -> Alert:
    """One message standing for several held alerts (a digest, or a throttle summary)."""
    if kind == DIGEST:
        title = f"Digest: {len(members)} alert(s) on route {route.name}"
    else:
        title = f"{len(members)} more alert(s) on route {route.name} held by its throttle"
    lines = [title, ""]
    for a in members:
        lines.append(f"[{a.severity.value}] {a.article.title or a.article.url or a.article.id}"
                     + (f" <{a.article.url}>" if a.article.url else ""))
        for f in a.findings:
            lines.append(f"  - {f.detector}: {f.summary}")
    text = "\n".join(lines)
    article = Article(id=stable_id("bundle", route.name, *(m.id for m in members)), text=text, title=title,
                      source=f"route:{route.name}")
    severity = max((a.severity for a in members), key=lambda s: s.rank)
    summary = Finding(detector="digest" if kind == DIGEST else "throttle", severity=severity, score=1.0,
                      summary=title, evidence=(Evidence.at(text, 0, len(title)),),
                      attributes={"alerts": len(members), "route": route.name})
    return Alert(id=stable_id("bundle-alert", route.name, kind, *(m.id for m in members)), route=route.name,
                 article=article, findings=(summary, *(f for a in members for f in a.findings)), created_at=utcnow())
