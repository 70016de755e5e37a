"""One article through enrichment and detection. No I/O of its own.

Each enricher and each detector is called in its own ``try``/``except``: an exception is logged with the
plugin's name and the article id, counted in :class:`PipelineStats`, and the others carry on.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog

from monitor.config import Config, did_you_mean, validate_options, where
from monitor.errors import ConfigError
from monitor.hookspecs import Detector, DetectorOptions
from monitor.model import Article, Finding
from monitor.plugins import Plugins

log = structlog.get_logger("monitor.pipeline")

#: A detector slower than this on one article is logged, so a misbehaving plugin shows up.
SLOW_DETECTOR_SECONDS = 0.5


@dataclass
class PipelineStats:
    """Counters the daemon exports as metrics and ``monitor check`` reports on failure."""

    articles: int = 0
    findings: Counter[str] = field(default_factory=Counter)
    plugin_errors: Counter[str] = field(default_factory=Counter)
    invalid_findings: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class ActiveDetector:
    name: str
    plugin: str
    options: DetectorOptions
    impl: Detector


@dataclass
class Pipeline:
    """Configured enrichers and detectors, ready to run on articles."""

    detectors: list[ActiveDetector]
    enrichers: list[tuple[str, Any]]
    stats: PipelineStats = field(default_factory=PipelineStats)

    def run(self, article: Article) -> tuple[Article, list[Finding]]:
        """Enrich ``article`` and return it with the findings of every enabled detector."""
        self.stats.articles += 1
        article = self.enrich(article)
        findings: list[Finding] = []
        for det in self.detectors:
            findings.extend(self._detect_one(det, article))
        return article, findings

    def enrich(self, article: Article) -> Article:
        for plugin, func in self.enrichers:
            try:
                result = func(article=article)
            except Exception as exc:
                self.stats.plugin_errors[plugin] += 1
                log.error("plugin.failed", plugin=plugin, hook="monitor_enrich_article", article=article.id,
                          error=f"{exc.__class__.__name__}: {exc}", exc_info=True)
                continue
            if isinstance(result, Article):
                article = result
            elif result is not None:
                self.stats.plugin_errors[plugin] += 1
                log.error("plugin.bad_result", plugin=plugin, hook="monitor_enrich_article", article=article.id,
                          result_type=type(result).__name__)
        return article

    def _detect_one(self, det: ActiveDetector, article: Article) -> list[Finding]:
        started = time.perf_counter()
        try:
            raw = list(det.impl.detect(article))
        except Exception as exc:
            self.stats.plugin_errors[det.plugin] += 1
            log.error("detector.failed", plugin=det.plugin, detector=det.name, article=article.id,
                      error=f"{exc.__class__.__name__}: {exc}", exc_info=True)
            return []
        elapsed = time.perf_counter() - started
        if elapsed > SLOW_DETECTOR_SECONDS:
            log.warning("detector.slow", plugin=det.plugin, detector=det.name, article=article.id,
                        seconds=round(elapsed, 3))
        kept = []
        for finding in raw:
            problem = _invalid(finding, article)
            if problem:
                self.stats.invalid_findings[det.name] += 1
                log.error("detector.invalid_finding", plugin=det.plugin, detector=det.name, article=article.id,
                          problem=problem)
                continue
            if finding.severity.at_least(det.options.min_severity) and finding.score >= det.options.min_score:
                kept.append(finding)
                self.stats.findings[det.name] += 1
        return kept


def _invalid(finding: object, article: Article) -> str | None:
    if not isinstance(finding, Finding):
        return f"expected a Finding, got {type(finding).__name__}"
    for ev in finding.evidence:
        if article.text[ev.start:ev.end] != ev.text:
            return f"evidence {ev.text!r} does not match article.text[{ev.start}:{ev.end}]"
    return None


def build_pipeline(plugins: Plugins, config: Config | None = None,
                   only: Iterable[str] | None = None) -> Pipeline:
    """Instantiate every enabled detector with its validated ``[detectors.NAME]`` options.

    Raises ConfigError when a table names an unknown detector or holds invalid options.
    """
    config = config or Config()
    tables: Mapping[str, Mapping[str, Any]] = config.detectors
    unknown = sorted(set(tables) - set(plugins.detectors))
    if unknown:
        known = ", ".join(sorted(plugins.detectors)) or "none"
        raise ConfigError(f"{where(config.origin, ('detectors', unknown[0]))}: detectors.{unknown[0]}: no such detector"
                          f"{did_you_mean(unknown[0], plugins.detectors)} (loaded: {known})")
    wanted = set(only) if only is not None else None
    active = []
    for name, cls in sorted(plugins.detectors.items()):
        if wanted is not None and name not in wanted:
            continue
        model = getattr(cls, "options_model", DetectorOptions)
        options = validate_options(model, tables.get(name, {}), config.origin, ("detectors", name))
        if not options.enabled:
            continue
        owner = plugins.owners[("detector", name)]
        try:
            impl = cls(options)
        except Exception as exc:
            plugins.problems[owner] = f"detector {name!r} failed to start: {exc}"
            log.error("detector.init_failed", plugin=owner, detector=name, error=str(exc), exc_info=True)
            continue
        active.append(ActiveDetector(name=name, plugin=owner, options=options, impl=impl))
    return Pipeline(detectors=active, enrichers=plugins.enrichers())
