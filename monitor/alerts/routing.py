"""Routes decide which findings become alerts for which sinks: one alert per (article, route)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from monitor.config import Config, RouteConfig
from monitor.model import Alert, Article, Finding, Severity


@dataclass(frozen=True)
class Route:
    name: str
    detectors: frozenset[str]
    min_severity: Severity
    sources: frozenset[str]
    sinks: tuple[str, ...]

    @classmethod
    def from_config(cls, index: int, rc: RouteConfig) -> Route:
        return cls(
            name=rc.name or f"route-{index + 1}",
            detectors=frozenset(rc.detectors),
            min_severity=rc.min_severity,
            sources=frozenset(rc.sources),
            sinks=tuple(rc.sinks),
        )

    def matches(self, article: Article, finding: Finding) -> bool:
        return (
            (not self.detectors or finding.detector in self.detectors)
            and finding.severity.at_least(self.min_severity)
            and (not self.sources or (article.source or "") in self.sources)
        )


def routes_for(config: Config) -> list[Route]:
    """The configured routes, or one route sending everything of severity low and above to every sink."""
    if config.routes:
        return [Route.from_config(i, rc) for i, rc in enumerate(config.routes)]
    return [Route("default", frozenset(), Severity.LOW, frozenset(), tuple(s.name for s in config.sinks))]


def build_alerts(routes: Sequence[Route], article: Article,
                 findings: Sequence[Finding]) -> list[tuple[Alert, Sequence[str], bool]]:
    """``(alert, sinks, silenced)`` for every route with at least one matching finding."""
    out = []
    for route in routes:
        matching = [f for f in findings if route.matches(article, f)]
        if matching and route.sinks:
            out.append((Alert.create(route.name, article, matching), route.sinks, False))
    return out
