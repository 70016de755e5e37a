"""One article through enrichment and detection. No I/O of its own.

Each enricher and each detector is called in its own ``try``/``except``: an exception is logged with the
plugin's name and the article id, counted in :class:`PipelineStats`, and the others carry on. The daemon calls
:meth:`Pipeline.run_isolated`: every plugin call runs off the event loop, bounded in time (a detector that
overruns is abandoned, its findings dropped, the plugin named in the log). Every finding is checked at the
plugin boundary (:func:`invalid_finding`); a bad one is dropped alone, the plugin named.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import structlog

from monitor.config import Config, validate_options
from monitor.config_text import did_you_mean, where
from monitor.errors import ConfigError
from monitor.hookspecs import Detector, DetectorOptions
from monitor.isolation import Calls, Stuck
from monitor.model import Article, Finding, Severity
from monitor.plugins import Plugins

log = structlog.get_logger("monitor.pipeline")

T = TypeVar("T")

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
    calls: Calls = field(default_factory=Calls)

    def run(self, article: Article) -> tuple[Article, list[Finding]]:
        """Enrich ``article`` and return it with the findings of every enabled detector."""
        self.stats.articles += 1
        article = self.enrich(article)
        findings: list[Finding] = []
        for det in self.detectors:
            findings.extend(self._detect_one(det, article))
        return article, findings

    def _enricher_failed(self, plugin: str, article: Article, exc: Exception) -> None:
        self.stats.plugin_errors[plugin] += 1
        log.error("plugin.failed", plugin=plugin, hook="monitor_enrich_article", article=article.id,
                  error=f"{exc.__class__.__name__}: {exc}", exc_info=exc)

    def _enriched(self, plugin: str, article: Article, result: object) -> Article:
        """An enricher's result: a new article, or the one it was given (None, or a wrong type, logged)."""
        if isinstance(result, Article):
            return result
        if result is not None:
            self.stats.plugin_errors[plugin] += 1
            log.error("plugin.bad_result", plugin=plugin, hook="monitor_enrich_article", article=article.id,
                      result_type=type(result).__name__)
        return article

    def enrich(self, article: Article) -> Article:
        for plugin, func in self.enrichers:
            try:
                result = func(article=article)
            except Exception as exc:
                self._enricher_failed(plugin, article, exc)
                continue
            article = self._enriched(plugin, article, result)
        return article

    def _detect_one(self, det: ActiveDetector, article: Article) -> list[Finding]:
        started = time.perf_counter()
        try:
            raw = list(det.impl.detect(article))
        except Exception as exc:
            self._failed(det, article, exc)
            return []
        elapsed = time.perf_counter() - started
        if elapsed > SLOW_DETECTOR_SECONDS:
            log.warning("detector.slow", plugin=det.plugin, detector=det.name, article=article.id,
                        seconds=round(elapsed, 3))
        return self._accept(det, article, raw)

    def _failed(self, det: ActiveDetector, article: Article, exc: Exception) -> None:
        self.stats.plugin_errors[det.plugin] += 1
        log.error("detector.failed", plugin=det.plugin, detector=det.name, article=article.id,
                  error=f"{exc.__class__.__name__}: {exc}", exc_info=exc)

    def _accept(self, det: ActiveDetector, article: Article, raw: list[Any]) -> list[Finding]:
        kept = []
        for finding in raw:
            problem = invalid_finding(finding, article)
            if problem:
                self.stats.invalid_findings[det.name] += 1
                log.error("detector.invalid_finding", plugin=det.plugin, detector=det.name, article=article.id,
                          problem=problem)
                continue
            if finding.severity.at_least(det.options.min_severity) and finding.score >= det.options.min_score:
                kept.append(finding)
                self.stats.findings[det.name] += 1
        return kept

    async def run_isolated(self, article: Article, limit: float,
                           at: Callable[[str], None] | None = None) -> tuple[Article, list[Finding]]:
        """:meth:`run` with every plugin call off the event loop, for at most ``limit`` seconds each. Enrichers
        run in turn (each sees the last one's article), each in a thread; then the detectors, in turn in one
        thread (an overrunning one is abandoned with its thread, and the others go on in a new one). ``at`` is
        told which plugin call begins, in the thread that makes it (:class:`monitor.stall.DetectionJournal`)."""
        self.stats.articles += 1
        for plugin, func in self.enrichers:
            try:
                result = await self.calls.call(plugin, limit, _told, at, f"the enricher of plugin {plugin}",
                                               partial(func, article=article))
            except (TimeoutError, Stuck) as exc:
                self._overran(plugin, "monitor_enrich_article", article, limit, exc)
                continue
            except Exception as exc:
                self._enricher_failed(plugin, article, exc)
                continue
            article = self._enriched(plugin, article, result)
        # The detectors run in turn in one thread, each bounded by ``limit`` (see monitor.isolation).
        outcomes = await self.calls.call_each(
            [(det.plugin, partial(_told, at, f"detector {det.name} of plugin {det.plugin}",
                                  partial(_findings_of, det.impl, article))) for det in self.detectors], limit)
        found: list[Finding] = []
        for det, (raw, problem) in zip(self.detectors, outcomes, strict=True):
            if isinstance(problem, TimeoutError | Stuck):
                self._overran(det.plugin, f"detector {det.name}", article, limit, problem)
            elif isinstance(problem, Exception):
                self._failed(det, article, problem)
            elif problem is not None:  # KeyboardInterrupt, SystemExit in a plugin: not swallowed
                raise problem
            else:
                found += self._accept(det, article, raw)
        return article, found

    def _overran(self, plugin: str, what: str, article: Article, limit: float, exc: Exception) -> None:
        self.stats.plugin_errors[plugin] += 1
        if isinstance(exc, Stuck):
            log.error("plugin.skipped", plugin=plugin, call=what, article=article.id, reason=str(exc))
        else:
            log.error("plugin.timed_out", plugin=plugin, call=what, article=article.id, limit_s=limit,
                      outcome="abandoned; its result is dropped")


def _told(at: Callable[[str], None] | None, call: str, fn: Callable[[], T]) -> T:
    if at is None:
        return fn()
    at(call)
    try:
        return fn()
    finally:
        at("")


def _findings_of(impl: Detector, article: Article) -> list[Any]:
    return list(impl.detect(article))


def invalid_finding(finding: object, article: Article) -> str | None:
    """Why ``finding`` cannot be stored, or None: it must be a Finding with a known severity, a finite score,
    evidence inside the text that matches it, and JSON-safe attributes (strings, finite numbers, booleans,
    None, and lists and string-keyed objects of them; not a set, a date or any other object)."""
    if not isinstance(finding, Finding):
        return f"expected a Finding, got {type(finding).__name__}"
    if not isinstance(finding.severity, Severity):
        return f"severity {finding.severity!r} is not one of {[s.value for s in Severity]}"
    if not isinstance(finding.score, int | float) or not math.isfinite(finding.score):
        return f"score {finding.score!r} is not a finite number"
    if not isinstance(finding.summary, str):
        return f"summary is {type(finding.summary).__name__}, not a string"
    for ev in finding.evidence:
        if not (isinstance(ev.start, int) and isinstance(ev.end, int) and 0 <= ev.start <= ev.end <= len(article.text)):
            return f"evidence offsets {ev.start!r}..{ev.end!r} are outside the text (0..{len(article.text)})"
        if article.text[ev.start:ev.end] != ev.text:
            return f"evidence {ev.text!r} does not match article.text[{ev.start}:{ev.end}]"
    if not isinstance(finding.attributes, Mapping):
        return f"attributes is {type(finding.attributes).__name__}, not a mapping"
    return _json_problem(dict(finding.attributes), "attributes")


def _json_problem(value: object, path: str, depth: int = 0) -> str | None:
    if depth > 20:
        return f"{path} nests deeper than 20 levels"
    if value is None or isinstance(value, str | bool | int):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{path} is {value!r}, not a finite number"
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            problem = _json_problem(item, f"{path}[{i}]", depth + 1)
            if problem:
                return problem
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{path} has a {type(key).__name__} key {key!r}; keys must be strings"
            problem = _json_problem(item, f"{path}.{key}", depth + 1)
            if problem:
                return problem
        return None
    return f"{path} is a {type(value).__name__}, which is not JSON-safe"


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
