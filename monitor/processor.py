"""The document path, in one place: source → document → article → findings → alerts (→ deliveries, by the
outbox).

:meth:`Processor.poll` asks a source for new documents and hands each to ``dispatch`` — the runner's choice
of where it runs (the embedded runner's worker queue, a replica's job). :meth:`Processor.process` takes one
document the rest of the way: fetch the page (or read the bytes), extract the article (in the supervised
process pool), de-duplicate on content, run the detectors (off the loop, each bounded in time), store the
article with its findings and the alerts the routes build, in one write. Runners decide when and where this
runs; this module decides what happens.

Supervision: a store that cannot be written (disk full) is reported as ``store`` in :attr:`Processor.problems`
and the write retried with backoff, the document kept (:class:`Kept` when the daemon stops first); a document
that cannot be read is set aside with its reason, never retried forever.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, TypeVar

import structlog

from monitor.alerts.routing import Route, Silence, build_alerts
from monitor.config import Config, store_url
from monitor.durations import parse_duration
from monitor.errors import InputError
from monitor.events.tracker import EventTracker
from monitor.extract import article_from_text, with_feed_fields
from monitor.extract_pool import ExtractionPool
from monitor.fetch import Fetcher, FetchError, fetcher_for
from monitor.held import flush_held
from monitor.hookspecs import Source
from monitor.metrics import METRICS
from monitor.model import Article, Document, Finding
from monitor.plugins import Plugins
from monitor.problems import Problems
from monitor.reading import fetch_page, text_article
from monitor.source_health import SourceHealth
from monitor.stall import DetectionJournal, FrozeDaemon
from monitor.store.base import SourceState, Store
from monitor.store.calls import StoreCalls
from monitor.store.retry import Kept, until_stored
from monitor.times import iso_ago, utcnow
from monitor.wiring import Wiring

log = structlog.get_logger("monitor.processor")

T = TypeVar("T")
Dispatch = Callable[[Source, Document], Awaitable["asyncio.Future[None]"]]


@dataclass
class _Ctx:
    fetcher: Fetcher
    state: SourceState
    store: Store
    #: The source's item versions, read before the poll where the store must not be called on the loop (replicas:
    #: a query to PostgreSQL from this synchronous method would hold the loop that sends heartbeats).
    versions: dict[str, str] | None = None

    def seen(self, key: str, version: str) -> bool:
        if self.versions is not None:
            return self.versions.get(key) == version
        return self.store.item_version(key) == version


@dataclass
class Stats:
    processed: int = 0
    failed: int = 0
    duplicates: int = 0
    unchanged: int = 0
    polls_ok: int = 0
    polls_failed: int = 0
    stage: dict[str, float] = field(default_factory=lambda: {"fetch": 0.0, "extract": 0.0, "detect": 0.0,
                                                             "store": 0.0})


class Processor:
    """A document's way to stored findings and alerts; ``wake`` is called when alerts are waiting to be sent."""

    def __init__(self, config: Config, plugins: Plugins, store: Store, *, processes: int | None = None,
                 stop: asyncio.Event, wake: Callable[[], None]) -> None:
        self.plugins = plugins
        self._store = store
        self.wiring = Wiring.build(config, plugins)
        self.stop = stop
        self.wake = wake
        self.stats = Stats()
        #: What is down now (``store``, ``extraction``) and why; empty when healthy.
        self.problems = Problems()
        self.extraction = ExtractionPool(processes or config.daemon.extract_processes or os.cpu_count() or 1,
                                         self.problems)
        #: Where store calls run: on the loop (embedded), or on the store's own thread (replicas: ``in_thread``).
        self.db = StoreCalls()
        self.health = SourceHealth(store, self.alerts_for, self.db.on_loop(lambda: self.wake()))
        self.events = EventTracker()
        self._fetcher: Fetcher | None = None
        self._fetcher_loop: asyncio.AbstractEventLoop | None = None
        self._retired: list[Fetcher] = []
        self._polling: set[str] = set()
        self._errors_shown: dict[str, int] = {}
        self._stage_seconds = {stage: METRICS.stage_seconds.labels(stage=stage) for stage in self.stats.stage}
        #: The documents in detection, so that one whose plugin call freezes the process is set aside after
        #: its second death (the embedded store's state directory; replicas count a job's attempts instead).
        self.journal = None if store_url(config) else DetectionJournal(config.daemon.state_dir)

    # -- lifecycle -------------------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        return self._store

    @store.setter
    def store(self, store: Store) -> None:
        """Swap the store every step writes to (tests put a faulty one in place)."""
        self._store = store
        self.health.store = store

    @property
    def fetcher(self) -> Fetcher:
        """One long-lived HTTP client per event loop (the daemon has one loop; tests may run several)."""
        loop = asyncio.get_running_loop()
        if self._fetcher is None or self._fetcher_loop is not loop:
            self._fetcher = fetcher_for(self.wiring.config.daemon)
            self._fetcher_loop = loop
        return self._fetcher

    @property
    def oldest_fetch_s(self) -> float | None:
        """Age of the oldest request in flight (health reports work stuck past the fetch deadline)."""
        return self._fetcher.oldest_in_flight() if self._fetcher is not None else None

    def host_full(self, doc: Document) -> bool:
        """True when ``doc`` is a page whose host has every connection slot taken."""
        return doc.kind == "fetch" and bool(doc.url) and self.fetcher.host_full(doc.url or "")

    def reload(self, config: Config) -> Wiring:
        """Build everything from ``config``; a changed ``[daemon]`` gets a new HTTP client for new requests."""
        old = self.wiring.config
        self.wiring = Wiring.build(config, self.plugins)
        if config.daemon != old.daemon and self._fetcher is not None:
            # Requests under way finish on the old client (closed with the runner); every new one, feeds and
            # pages alike, goes through the new guard.
            self._retired.append(self._fetcher)
            self._fetcher = None
        return self.wiring

    async def close_fetcher(self) -> None:
        """Close the HTTP client of this loop (a one-shot run ends its loop after this)."""
        if self._fetcher is not None and self._fetcher_loop is asyncio.get_running_loop():
            await self._fetcher.aclose()
        self._fetcher = None

    async def close(self) -> None:
        await self.close_fetcher()
        for retired in self._retired:
            await retired.aclose()
        self._retired.clear()
        self.extraction.close()
        self.db.close()
        if self.journal is not None:
            self.journal.close()

    def flush_held(self, force: bool = False) -> int:
        """Bundle held alerts whose window has passed (:func:`monitor.held.flush_held`)."""
        created = flush_held(self.store, self.wiring.routes, force)
        if created:
            self.db.on_loop(lambda: self.wake())()  # replicas run this on the store's thread
        return created

    async def warm(self) -> None:
        """One-time loads the first article would otherwise pay for on the event loop, done in a thread: the
        events engine's gazetteer (0.4-0.9 s of CPU) when events are on."""
        if self.wiring.config.events.enabled:
            from monitor.events import places

            await asyncio.to_thread(places.load)

    # -- source → documents ----------------------------------------------------------------------------

    async def poll(self, name: str, dispatch: Dispatch) -> None:
        """Read source ``name`` once, handing each new document to ``dispatch``; record the source's health."""
        source = self.wiring.sources.get(name)
        if source is None or name in self._polling:
            return
        self._polling.add(name)
        structlog.contextvars.bind_contextvars(source=name)
        state = await self.db(self.store.source_state, name)
        state.last_attempt = utcnow()
        versions = await self.db(self.store.item_versions, name) if self.db.threaded else None
        ctx = _Ctx(self.fetcher, state, self.store, versions)
        # A source records its validators as it reads; a poll that fails after that must not keep them, or the
        # next poll would see "not modified" and never read the entries this one failed to handle.
        validators = (state.etag, state.last_modified, state.body_hash)
        found = 0
        pending: list[asyncio.Future[None]] = []
        log.debug("source.poll_started", source=name)
        try:
            async for doc in source.poll(ctx):
                if self.stop.is_set():
                    break
                pending.append(await dispatch(source, doc))
                found += 1
            # Remember validators (ETag, body hash) only once everything this poll found has been handled:
            # a crash before then re-reads the feed instead of losing entries.
            await asyncio.gather(*pending)
        except Exception as exc:
            await asyncio.gather(*pending, return_exceptions=True)
            state.etag, state.last_modified, state.body_hash = validators
            METRICS.polls.labels(source=name, outcome="error").inc()
            self.stats.polls_failed += 1
            await self.db(self.health.failed, name, source, state, exc)
            return
        finally:
            self._polling.discard(name)
            structlog.contextvars.unbind_contextvars("source")
        METRICS.polls.labels(source=name, outcome="ok").inc()
        self.stats.polls_ok += 1
        was_failing = await self.db(self.health.succeeded, name, source, state, found)
        # An idle source polled every few seconds must not fill the log: INFO only when a poll found something
        # or ended a failure streak.
        (log.info if found or was_failing else log.debug)("source.polled", source=name, new=found)

    # -- document → stored findings and alerts ---------------------------------------------------------

    async def process(self, source: Source, doc: Document) -> None:
        """One document: fetch, extract, de-duplicate, detect, store, alert. Failures are kept aside; a
        store that cannot be written is waited for (the document is kept; :class:`Kept` if we stop first)."""
        structlog.contextvars.bind_contextvars(source=doc.source, item=doc.key)
        try:
            try:
                why = self.journal.verdict(doc.key) if self.journal is not None else None
                if why:
                    raise FrozeDaemon(doc.url or doc.path or doc.key, why)
                article = await self.to_article(doc)
                await self._until_stored(lambda: self.detect_and_store(doc, article))
            except Kept:
                raise
            except Exception as exc:
                problem = exc
                await self._until_stored(lambda: self._record_failed(doc, problem))
                try:
                    source.done(doc, False, _reason(problem))
                except Exception as move_exc:
                    log.error("source.done_failed", error=str(move_exc))
                return
            source.done(doc, True)
        finally:
            structlog.contextvars.unbind_contextvars("source", "item")

    async def to_article(self, doc: Document) -> Article:
        """The document's article (its page fetched and extracted, else the feed's text), within the text cap."""
        article = await self._read_article(doc)
        cap = self.wiring.config.daemon.max_text_chars
        if len(article.text) > cap:
            raise InputError(doc.url or doc.path or doc.key, f"its text is {len(article.text)} characters, over "
                             f"the max_text_chars limit of {cap} (set aside whole, not truncated)")
        return article

    async def _read_article(self, doc: Document) -> Article:
        refused = doc.metadata.get("refused")
        if refused:
            raise InputError(doc.url or doc.path or doc.key, str(refused))
        body, kind, charset, url = doc.body, doc.kind, None, doc.url
        fallback_reason = None
        if kind == "fetch" and url:
            t = time.perf_counter()
            try:
                body, kind, charset = await fetch_page(self.fetcher, url)
            except FetchError as exc:
                fallback_reason = f"page not fetched: {exc.problem}"
            self._time("fetch", t)
        if body is not None and kind != "fetch":
            t = time.perf_counter()
            try:
                article = await self._extract(body, kind, doc, url, charset)
                self._time("extract", t)
                return with_feed_fields(article, doc)
            except InputError as exc:
                fallback_reason = f"page not extracted: {exc.problem}"
        if doc.fallback_text:
            article = await asyncio.to_thread(article_from_text, doc.fallback_text, where=doc.key, url=url,
                                              source=doc.source, title=doc.title)
            meta = {**article.metadata, "extractor": "feed", "fallback_reason": fallback_reason or "no page"}
            return with_feed_fields(article.with_changes(metadata=meta), doc)
        raise InputError(doc.url or doc.path or doc.key, fallback_reason or "nothing to read")

    async def _extract(self, body: bytes, kind: str | None, doc: Document, url: str | None,
                       charset: str | None) -> Article:
        where = url or doc.path or doc.key
        if kind == "text":
            return await asyncio.to_thread(text_article, body, charset, where, url, doc.path, doc.source, doc.title)
        return await self.extraction.extract(body, kind, where=where, url=url, path=doc.path, source=doc.source,
                                             charset=charset,
                                             limit=parse_duration(self.wiring.config.daemon.extract_timeout))

    async def detect_and_store(self, doc: Document, article: Article) -> None:
        """De-duplicate, detect, and store the article with its findings and new alerts in one write."""
        t = time.perf_counter()
        if await self.db(self._duplicate, doc, article):
            return
        structlog.contextvars.bind_contextvars(article=article.id)
        limit = parse_duration(self.wiring.config.daemon.detector_timeout)
        with self.journal.detecting(doc.key, doc.source) if self.journal is not None else nullcontext() as at:
            article, findings = await self.wiring.pipeline.run_isolated(article, limit, at=at)
        self._time("detect", t)
        t = time.perf_counter()
        written = await self.db(self._write, doc, article, findings)
        if written is None:
            return
        known, new, created, event = written
        self._time("store", t)
        self.stats.processed += 1
        METRICS.documents.labels(source=doc.source, outcome="processed").inc()
        for f in new:
            METRICS.findings.labels(detector=f.detector).inc()
        for a in created:
            METRICS.alerts.labels(route=a.route).inc()
        errors = self.wiring.pipeline.stats.plugin_errors
        if errors != self._errors_shown:  # the gauges change only when a plugin fails, not per article
            for plugin, n in errors.items():
                METRICS.plugin_errors.labels(plugin=plugin).set(n)
            self._errors_shown = dict(errors)
        if created:
            self.wake()
        # the article's event, when it has one, is said on this line (the events engine logs no line of its own)
        log.info("article.processed", article=article.id, findings=len(findings), new_findings=len(new),
                 alerts=len(created), updated=bool(known), **event)
        structlog.contextvars.unbind_contextvars("article")

    def _write(self, doc: Document, article: Article,
               findings: list[Finding]) -> tuple[set[str], list[Finding], list[Any], dict[str, Any]] | None:
        """A second look for a duplicate (stored meanwhile by another worker) and the write, as one store call;
        returns the finding identities stored before, the new findings, the alerts created and the article's
        event (for the log line)."""
        if self._duplicate(doc, article):
            return None
        known = self.store.finding_identities(article.id)
        new = [f for f in findings if f.identity not in known]
        created = self.store.record_article(doc.key, doc.version, article, findings, self.alerts_for(article, new))
        event: dict[str, Any] = {}
        created += self.events.track(self.store, self.wiring.config, self.wiring.routes, article, findings, event)
        return known, new, created, event

    def _duplicate(self, doc: Document, article: Article) -> bool:
        dup = self.store.article_by_content(article.content_hash)
        if dup is None or dup == article.id:
            return False
        self.store.record_item_alias(doc.key, doc.version, dup, doc.source)
        self.stats.duplicates += 1
        METRICS.documents.labels(source=doc.source, outcome="duplicate").inc()
        log.info("document.duplicate", article=article.id, same_as=dup)
        return True

    def alerts_for(self, article: Article, findings: list[Finding]) -> list[tuple[Any, Sequence[str], str | None]]:
        """The alerts the routes build for these findings (silences and throttle windows applied)."""
        now = utcnow()
        silences = [Silence(s["id"], s["detector"], s["source"], s["attributes"], s["until"])
                    for s in self.store.silences(active_at=now)]

        def sent_in_window(route: Route) -> int:
            return self.store.count_sent_alerts(route.name, iso_ago(route.throttle_window or 0))

        return build_alerts(self.wiring.routes, article, findings, silences, sent_in_window)

    async def _record_failed(self, doc: Document, exc: Exception) -> None:
        reason = _reason(exc)
        if isinstance(exc, FrozeDaemon):  # for good: the store remembers its version, so no poll offers it again
            await self.db(self.store.record_set_aside, doc.key, doc.version, doc.source, reason)
            if self.journal is not None:
                self.journal.forget(doc.key)
        else:
            await self.db(self.store.record_failure, doc.key, doc.source, reason)
        self.stats.failed += 1
        METRICS.documents.labels(source=doc.source, outcome="failed").inc()
        log.warning("document.failed", reason=reason, exc_info=not isinstance(exc, InputError))

    async def _until_stored(self, step: Callable[[], Awaitable[T]]) -> T:
        return await until_stored(step, self.problems, self.stop)

    def _time(self, stage: str, started: float) -> None:
        elapsed = time.perf_counter() - started
        self.stats.stage[stage] += elapsed
        self._stage_seconds[stage].observe(elapsed)


def _reason(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, InputError) else f"{exc.__class__.__name__}: {exc}"

