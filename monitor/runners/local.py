"""The embedded runner: APScheduler polls each source on its interval (with jitter), documents flow through
a bounded queue to workers, extraction runs in a process pool sized to the cores, and the outbox delivers.

Supervision: a worker never dies with its document. When the state database cannot be written (disk full),
the worker logs it, keeps the document, reports ``store`` in :attr:`LocalRunner.problems` (``/healthz`` says
unhealthy) and retries with backoff until the write succeeds. When an extraction process dies (the OOM
killer), the pool is rebuilt, ``extraction`` is reported until the new pool answers, and the document is
extracted again. Plugin calls and text handling run off the event loop, each plugin call bounded in time.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from typing import Any, TypeVar

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor.alerts.outbox import Outbox
from monitor.alerts.routing import DIGEST, THROTTLED, Route, Silence, build_alerts, bundle, iso_ago, routes_for
from monitor.config import Config
from monitor.durations import parse_duration
from monitor.errors import InputError
from monitor.extract import article_from_text, extract_for_document
from monitor.fetch import Fetcher, FetchError, fetcher_for
from monitor.hookspecs import Sink, Source
from monitor.masking import mask_text, mask_url
from monitor.metrics import METRICS
from monitor.model import Article, Document, Evidence, Finding, Severity, stable_id, utcnow
from monitor.pipeline import Pipeline, build_pipeline
from monitor.plugins import Plugins
from monitor.reload import check_reload
from monitor.store.base import SourceState, Store
from monitor.wiring import build_sinks, build_sources

log = structlog.get_logger("monitor.runner")

#: Consecutive failed polls before a source is reported unhealthy.
FAILURES_BEFORE_ALERT = 3
#: Longest wait between polls of a failing source.
MAX_BACKOFF = 6 * 3600.0
QUEUE_SIZE = 64
#: Retrying a store write: the first wait, doubling up to the last.
STORE_RETRY_FIRST = 0.5
STORE_RETRY_MAX = 30.0
#: Attempts to extract one document when extraction processes keep dying under it (a page that kills its
#: worker every time is set aside after this many).
POOL_ATTEMPTS = 4

T = TypeVar("T")


def _store_errors() -> tuple[type[BaseException], ...]:
    """What a store raises when the database cannot be written or reached (disk full, I/O error, lost
    connection): the document is kept and the write retried, never failed."""
    errors: tuple[type[BaseException], ...] = (sqlite3.OperationalError, sqlite3.DatabaseError)
    try:
        import psycopg
    except ImportError:
        return errors
    return (*errors, psycopg.OperationalError)


STORE_ERRORS = _store_errors()


class Kept(Exception):
    """The document could not be stored before the daemon stopped: it stays where it is, for the next start."""


@dataclass
class _Ctx:
    fetcher: Fetcher
    state: SourceState
    store: Store

    def seen(self, key: str, version: str) -> bool:
        return self.store.item_version(key) == version


@dataclass
class Wiring:
    """Everything built from one config: swapped as a whole on reload."""

    config: Config
    pipeline: Pipeline
    sources: dict[str, Source]
    sinks: dict[str, Sink]
    routes: list[Route]

    @classmethod
    def build(cls, config: Config, plugins: Plugins) -> Wiring:
        return cls(config, build_pipeline(plugins, config), build_sources(config, plugins),
                   build_sinks(config, plugins), routes_for(config))


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


class LocalRunner:
    def __init__(self, config: Config, plugins: Plugins, store: Store, *, workers: int | None = None,
                 processes: int | None = None) -> None:
        self.plugins = plugins
        self.store = store
        self.wiring = Wiring.build(config, plugins)
        self._fetcher: Fetcher | None = None
        self.processes = processes or config.daemon.extract_processes or os.cpu_count() or 1
        self.pool: ProcessPoolExecutor | None = None
        self.queue: asyncio.Queue[Any] = asyncio.Queue(QUEUE_SIZE)
        self.workers = workers or max(4, self.processes * 4)
        self.outbox = Outbox(store, self.wiring.sinks, config.daemon.delivery_attempts,
                             parse_duration(config.daemon.delivery_backoff),
                             timeout=parse_duration(config.daemon.delivery_timeout))
        self.stats = Stats()
        self.stop = asyncio.Event()
        self.scheduler: AsyncIOScheduler | None = None
        self.in_flight = 0
        self._polling: set[str] = set()
        self._fetcher_loop: asyncio.AbstractEventLoop | None = None
        self._parked: set[asyncio.Task[None]] = set()
        self._retired: list[Fetcher] = []
        #: What is down now (``store``, ``extraction``) and why; empty when healthy.
        self.problems: dict[str, str] = {}

    # -- lifecycle -------------------------------------------------------------------------------------

    @property
    def fetcher(self) -> Fetcher:
        """One long-lived HTTP client per event loop (the daemon has one loop; tests may run several)."""
        loop = asyncio.get_running_loop()
        if self._fetcher is None or self._fetcher_loop is not loop:
            self._fetcher = fetcher_for(self.wiring.config.daemon)
            self._fetcher_loop = loop
        return self._fetcher

    def _pool(self) -> ProcessPoolExecutor:
        if self.pool is None:
            self.pool = ProcessPoolExecutor(self.processes, mp_context=get_context("forkserver"))
        return self.pool

    def _problem(self, part: str, why: str | None) -> None:
        """Report ``part`` down (``why``) or back up (None); each change logged once."""
        if why is None:
            if self.problems.pop(part, None) is not None:
                log.warning("health.recovered", part=part)
            return
        if part not in self.problems:
            log.error("health.unhealthy", part=part, reason=why)
        self.problems[part] = why

    def _pool_broken(self, pool: ProcessPoolExecutor) -> None:
        """An extraction process died: replace the pool once (whoever notices first), report it until the
        new pool has answered."""
        if self.pool is not pool:
            return
        log.error("extraction.pool_broken", processes=self.processes,
                  outcome="pool rebuilt; the documents in flight are extracted again")
        self._problem("extraction", "an extraction process died; the process pool is being rebuilt")
        self.pool = None
        pool.shutdown(wait=False, cancel_futures=True)
        asyncio.get_running_loop().create_task(self._warm(self._pool()))

    async def _warm(self, pool: ProcessPoolExecutor) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(pool, os.getpid)
        except BrokenProcessPool:
            self._pool_broken(pool)
            return
        if self.pool is pool:
            self._problem("extraction", None)

    async def close(self) -> None:
        if self._fetcher is not None and self._fetcher_loop is asyncio.get_running_loop():
            await self._fetcher.aclose()
        self._fetcher = None
        for retired in self._retired:
            await retired.aclose()
        self._retired.clear()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def _fresh_loop_objects(self) -> None:
        # asyncio primitives bind to the loop that first waits on them; each run gets its own.
        self.queue = asyncio.Queue(QUEUE_SIZE)
        self.outbox.wake = asyncio.Event()

    async def run_once(self) -> None:
        """Poll every source once, process what it found, deliver what is due, return."""
        self._fresh_loop_objects()
        workers = [asyncio.create_task(self._worker()) for _ in range(self.workers)]
        try:
            await asyncio.gather(*(self.poll(name) for name in list(self.wiring.sources)))
            await self.queue.join()
        finally:
            for _ in workers:
                await self.queue.put(None)
            await asyncio.gather(*workers)
        self.flush_held(force=True)
        await self.outbox.deliver_due()
        if self._fetcher is not None:
            await self._fetcher.aclose()
            self._fetcher = None

    async def run_forever(self, ready: Any = None) -> None:
        """Poll on schedule until ``stop`` is set; then stop intake and drain (see ``service``)."""
        self._fresh_loop_objects()
        workers = [asyncio.create_task(self._worker()) for _ in range(self.workers)]
        delivery = asyncio.create_task(self.outbox.run(self.stop, before=self.flush_held))
        self.scheduler = AsyncIOScheduler()
        self._schedule_all()
        self.scheduler.start()
        if ready is not None:
            ready()
        await self.stop.wait()
        self.scheduler.shutdown(wait=False)
        self._drain_tasks = (workers, delivery)

    async def drain(self, grace: float) -> bool:
        """After stop: finish queued and in-flight documents within ``grace`` seconds. True if all finished."""
        workers, delivery = self._drain_tasks
        deadline = time.monotonic() + grace
        finished = True
        try:
            await asyncio.wait_for(self.queue.join(), max(0.1, deadline - time.monotonic()))
        except TimeoutError:
            finished = False
            log.warning("daemon.drain_timeout", queued=self.queue.qsize(), in_flight=self.in_flight)
        for w in (*workers, *self._parked):
            w.cancel()
        await asyncio.gather(*workers, *self._parked, return_exceptions=True)
        try:
            await asyncio.wait_for(delivery, max(0.1, deadline - time.monotonic()))
        except TimeoutError:
            finished = False
        return finished

    def _schedule_all(self) -> None:
        assert self.scheduler is not None
        for job in self.scheduler.get_jobs():
            job.remove()
        for name, source in self.wiring.sources.items():
            interval = max(1.0, float(source.interval))
            self.scheduler.add_job(self._scheduled_poll, "interval", seconds=interval, jitter=min(30, interval * 0.1),
                                   args=[name], id=name, max_instances=1, coalesce=True,
                                   next_run_time=_now_dt())

    def reload(self, config: Config) -> None:
        """Swap in a new configuration without a restart: sources, sinks, routes, detectors, and every
        ``[daemon]`` setting the process was not built around — a changed guard or fetch limit gets a new HTTP
        client at once. A change only a restart applies refuses the whole reload (``monitor.reload``)."""
        old = self.wiring.config
        check_reload(old, config)
        wiring = Wiring.build(config, self.plugins)
        self.wiring = wiring
        self.outbox.sinks = wiring.sinks
        self.outbox.max_attempts = config.daemon.delivery_attempts
        self.outbox.base_delay = parse_duration(config.daemon.delivery_backoff)
        self.outbox.timeout = parse_duration(config.daemon.delivery_timeout)
        if config.daemon != old.daemon and self._fetcher is not None:
            # Requests under way finish on the old client (closed with the runner); every new one, feeds and
            # pages alike, goes through the new guard.
            self._retired.append(self._fetcher)
            self._fetcher = None
        if self.scheduler is not None:
            self._schedule_all()
        log.info("config.reloaded", sources=sorted(wiring.sources), sinks=sorted(wiring.sinks))

    # -- polling ---------------------------------------------------------------------------------------

    async def _scheduled_poll(self, name: str) -> None:
        if self.stop.is_set():
            return
        state = self.store.source_state(name)
        if state.next_due and state.next_due > utcnow():
            return  # backing off after failures
        await self.poll(name)

    async def poll(self, name: str) -> None:
        source = self.wiring.sources.get(name)
        if source is None or name in self._polling:
            return
        self._polling.add(name)
        structlog.contextvars.bind_contextvars(source=name)
        state = self.store.source_state(name)
        state.last_attempt = utcnow()
        ctx = _Ctx(self.fetcher, state, self.store)
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
                pending.append(await self.dispatch(source, doc))
                found += 1
            # Remember validators (ETag, body hash) only once everything this poll found has been handled:
            # a crash before then re-reads the feed instead of losing entries.
            await asyncio.gather(*pending)
        except Exception as exc:
            await asyncio.gather(*pending, return_exceptions=True)
            state.etag, state.last_modified, state.body_hash = validators
            self._poll_failed(name, source, state, exc)
            return
        finally:
            self._polling.discard(name)
            structlog.contextvars.unbind_contextvars("source")
        METRICS.polls.labels(source=name, outcome="ok").inc()
        self.stats.polls_ok += 1
        # A failing source recovers on any successful poll; a silent one only when it brings something new.
        was_failing = state.health == "failing" or (state.health == "silent" and found > 0)
        state.last_success = utcnow()
        state.last_error = None
        state.error_count = 0
        state.next_due = None
        if found:
            state.last_new_item = state.last_success
        if was_failing:
            state.health = "ok"
        self.store.save_source_state(state)
        if was_failing:
            self._health_alert(name, state, recovered=True)
        self._check_silence(name, source, state)
        # An idle source polled every few seconds must not fill the log: INFO only when a poll found something
        # or ended a failure streak.
        (log.info if found or was_failing else log.debug)("source.polled", source=name, new=found)

    async def dispatch(self, source: Source, doc: Document) -> asyncio.Future[None]:
        """Hand a document to the workers; the future completes when it has been processed (or set aside)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await self.queue.put((source, doc, done))
        return done

    def _poll_failed(self, name: str, source: Source, state: SourceState, exc: Exception) -> None:
        METRICS.polls.labels(source=name, outcome="error").inc()
        self.stats.polls_failed += 1
        state.error_count += 1
        state.last_error = mask_text(str(exc) or exc.__class__.__name__)
        interval = float(source.interval)
        delay = min(MAX_BACKOFF, interval * 2 ** min(state.error_count - 1, 16))
        if isinstance(exc, FetchError) and exc.retry_after:
            delay = max(delay, exc.retry_after)
        state.next_due = _iso_in(delay)
        log.warning("source.failed", source=name, error=state.last_error, failures=state.error_count,
                    next_poll_in=round(delay, 1), gone=state.gone)
        if (state.error_count >= FAILURES_BEFORE_ALERT or state.gone) and state.health != "failing":
            state.health = "failing"
            self.store.save_source_state(state)
            self._health_alert(name, state, recovered=False)
        else:
            self.store.save_source_state(state)

    def _check_silence(self, name: str, source: Source, state: SourceState) -> None:
        limit = source.silence_after
        if not limit:
            return
        last = state.last_new_item or state.last_attempt
        if last and _age(last) > limit and state.health == "ok":
            state.health = "silent"
            self.store.save_source_state(state)
            self._health_alert(name, state, recovered=False, silent=True)

    def _health_alert(self, name: str, state: SourceState, *, recovered: bool, silent: bool = False) -> None:
        """Source health goes through the routes like any finding (detector name ``source_health``)."""
        if recovered:
            summary, severity, status = f"Source {name} recovered", Severity.LOW, "recovered"
        elif silent:
            summary, severity, status = f"Source {name} has brought nothing new since {state.last_new_item}", \
                Severity.MEDIUM, "silent"
        else:
            summary = f"Source {name} is failing ({state.error_count} polls in a row): {state.last_error}"
            severity, status = Severity.HIGH, "gone" if state.gone else "failing"
        text = summary
        url = state.url and mask_url(state.url)
        article = Article.create(text, url=url, path=None if url else f"source:{name}", source=name,
                                 title=f"source {name}: {status}")
        finding = Finding(detector="source_health", severity=severity, score=1.0, summary=summary,
                          evidence=(Evidence.at(text, 0, len(text)),),
                          attributes={"source": name, "status": status, "since": state.last_attempt or utcnow()})
        alerts = self._alerts_for(article, [finding])
        self.store.record_article(f"health:{name}:{finding.identity}", "1", article, [finding], alerts)
        log.warning("source.health", source=name, status=status)
        self.outbox.wake.set()

    # -- processing ------------------------------------------------------------------------------------

    async def _worker(self) -> None:
        while True:
            item = await self.queue.get()
            if item is None:
                self.queue.task_done()
                return
            if self._host_is_full(item[1]):
                self._park(item)
                continue
            await self._handle(item)

    async def _handle(self, item: tuple[Source, Document, asyncio.Future[None]]) -> None:
        source, doc, done = item
        self.in_flight += 1
        METRICS.queue_depth.labels(queue="documents").set(self.queue.qsize())
        outcome: BaseException | None = None
        try:
            await self.process(source, doc)
        except Kept as exc:
            outcome = exc
        except Exception as exc:  # a bug, not the document's fault: log it, keep this worker alive
            log.error("worker.error", item=doc.key, error=f"{exc.__class__.__name__}: {exc}", exc_info=True)
            outcome = exc
        finally:
            self.in_flight -= 1
            if not done.done():
                # A poll that handed out a document not handled keeps its old validators (re-read later).
                done.set_exception(outcome) if outcome is not None else done.set_result(None)
            self.queue.task_done()

    # -- per-host fairness (issue 13, item 2) ------------------------------------------------------------
    # A page whose host already has every slot taken would make its worker wait for that host: twelve
    # trickled links from one host held every worker, and other hosts and the drop folder stopped. Such a
    # document waits in its own task instead (it is already in memory, held by its poll), leaving the worker
    # free; the fetcher's total deadline bounds how long any of them waits.

    def _host_is_full(self, doc: Document) -> bool:
        return doc.kind == "fetch" and bool(doc.url) and self.fetcher.host_full(doc.url or "")

    def _park(self, item: tuple[Source, Document, asyncio.Future[None]]) -> None:
        task = asyncio.create_task(self._handle(item))
        self._parked.add(task)
        task.add_done_callback(self._parked.discard)

    @property
    def oldest_fetch_s(self) -> float | None:
        """Age of the oldest request in flight (health reports work stuck past the fetch deadline)."""
        return self._fetcher.oldest_in_flight() if self._fetcher is not None else None

    async def process(self, source: Source, doc: Document) -> None:
        """One document: fetch, extract, de-duplicate, detect, store, alert. Failures are kept aside; a
        store that cannot be written is waited for (the document is kept; :class:`Kept` if we stop first)."""
        structlog.contextvars.bind_contextvars(source=doc.source, item=doc.key)
        try:
            try:
                article = await self._to_article(doc)
                await self._until_stored(lambda: self._detect_and_store(doc, article))
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

    async def _record_failed(self, doc: Document, exc: Exception) -> None:
        reason = _reason(exc)
        self.store.record_failure(doc.key, doc.source, reason)
        self.stats.failed += 1
        METRICS.documents.labels(source=doc.source, outcome="failed").inc()
        log.warning("document.failed", reason=reason, exc_info=not isinstance(exc, InputError))

    async def _until_stored(self, step: Callable[[], Awaitable[T]]) -> T:
        """Run ``step`` until the store accepts it: a store error is logged, reported as ``store`` in
        :attr:`problems`, and retried with backoff; the document is never failed for it."""
        delay = STORE_RETRY_FIRST
        while True:
            try:
                result = await step()
            except STORE_ERRORS as exc:
                self._problem("store", f"the state database cannot be written: {exc}")
                if self.stop.is_set():
                    log.warning("document.kept", reason=f"state database unavailable at shutdown: {exc}",
                                outcome="left in place for the next start")
                    raise Kept(str(exc)) from exc
                log.error("store.write_failed", error=f"{exc.__class__.__name__}: {exc}", retry_in_s=delay,
                          outcome="document kept; retrying")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), delay)
                delay = min(delay * 2, STORE_RETRY_MAX)
                continue
            self._problem("store", None)
            return result

    async def _to_article(self, doc: Document) -> Article:
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
                resp = await self.fetcher.get(url)
                body, kind, charset = resp.body, _kind(resp.content_type), resp.charset
            except FetchError as exc:
                fallback_reason = f"page not fetched: {exc.problem}"
            self._time("fetch", t)
        if body is not None and kind != "fetch":
            t = time.perf_counter()
            try:
                article = await self._extract(body, kind, doc, url, charset)
                self._time("extract", t)
                return _with_feed_fields(article, doc)
            except InputError as exc:
                fallback_reason = f"page not extracted: {exc.problem}"
        if doc.fallback_text:
            article = await asyncio.to_thread(article_from_text, doc.fallback_text, where=doc.key, url=url,
                                              source=doc.source, title=doc.title)
            meta = {**article.metadata, "extractor": "feed", "fallback_reason": fallback_reason or "no page"}
            return _with_feed_fields(article.with_changes(metadata=meta), doc)
        raise InputError(doc.url or doc.path or doc.key, fallback_reason or "nothing to read")

    async def _extract(self, body: bytes, kind: str | None, doc: Document, url: str | None,
                       charset: str | None) -> Article:
        where = url or doc.path or doc.key
        if kind == "text":
            return await asyncio.to_thread(_text_article, body, charset, where, url, doc.path, doc.source, doc.title)
        limit = parse_duration(self.wiring.config.daemon.extract_timeout)
        loop = asyncio.get_running_loop()
        for _ in range(POOL_ATTEMPTS):
            pool = self._pool()
            try:
                future = loop.run_in_executor(pool, _extract_job, body, kind, where, url, doc.path, doc.source,
                                              charset)
                data = await asyncio.wait_for(future, limit)
            except BrokenProcessPool:
                self._pool_broken(pool)
                continue
            except TimeoutError:
                raise InputError(where, f"extraction took longer than {limit:g} s") from None
            if self.pool is pool:
                self._problem("extraction", None)
            if isinstance(data, InputError):
                raise data
            return Article.from_dict(data)
        raise InputError(where, f"the extraction process died {POOL_ATTEMPTS} times while reading it")

    async def _detect_and_store(self, doc: Document, article: Article) -> None:
        t = time.perf_counter()
        if self._duplicate(doc, article):
            return
        structlog.contextvars.bind_contextvars(article=article.id)
        limit = parse_duration(self.wiring.config.daemon.detector_timeout)
        article, findings = await self.wiring.pipeline.run_isolated(article, limit)
        self._time("detect", t)
        t = time.perf_counter()
        # Detection ran off the loop: another worker may have stored the same text meanwhile. From here to the
        # commit nothing awaits, so this second look and the write are one step for the loop.
        if self._duplicate(doc, article):
            return
        known = self.store.finding_identities(article.id)
        new = [f for f in findings if f.identity not in known]
        alerts = self._alerts_for(article, new)
        created = self.store.record_article(doc.key, doc.version, article, findings, alerts)
        self._time("store", t)
        self.stats.processed += 1
        METRICS.documents.labels(source=doc.source, outcome="processed").inc()
        for f in new:
            METRICS.findings.labels(detector=f.detector).inc()
        for a in created:
            METRICS.alerts.labels(route=a.route).inc()
        for plugin, n in self.wiring.pipeline.stats.plugin_errors.items():
            METRICS.plugin_errors.labels(plugin=plugin).set(n)
        if created:
            self.outbox.wake.set()
        log.info("article.processed", article=article.id, findings=len(findings), new_findings=len(new),
                 alerts=len(created), updated=bool(known))
        structlog.contextvars.unbind_contextvars("article")

    def _duplicate(self, doc: Document, article: Article) -> bool:
        dup = self.store.article_by_content(article.content_hash)
        if dup is None or dup == article.id:
            return False
        self.store.record_item_alias(doc.key, doc.version, dup, doc.source)
        self.stats.duplicates += 1
        METRICS.documents.labels(source=doc.source, outcome="duplicate").inc()
        log.info("document.duplicate", article=article.id, same_as=dup)
        return True

    def _alerts_for(self, article: Article, findings: list[Finding]) -> list[tuple[Any, Sequence[str], str | None]]:
        now = utcnow()
        silences = [Silence(s["id"], s["detector"], s["source"], s["attributes"], s["until"])
                    for s in self.store.silences(active_at=now)]

        def sent_in_window(route: Route) -> int:
            return self.store.count_sent_alerts(route.name, iso_ago(route.throttle_window or 0))

        return build_alerts(self.wiring.routes, article, findings, silences, sent_in_window)

    def flush_held(self, force: bool = False) -> int:
        """Send one digest per digest route whose window has passed, and one summary per throttled route
        whose window has passed; ``force`` sends them now (used by ``--once``). Returns bundles created."""
        created = 0
        for route in self.wiring.routes:
            for kind, window in ((DIGEST, route.digest_window), (THROTTLED, route.throttle_window)):
                if not window:
                    continue
                oldest = self.store.oldest_held(route.name, kind)
                if oldest is None or (not force and oldest > iso_ago(window)):
                    continue
                members = self.store.held_alerts(route.name, kind, utcnow())
                if members and self.store.record_bundle(bundle(route, kind, members), [m.id for m in members],
                                                        route.sinks):
                    created += 1
                    log.info("alerts.bundled", route=route.name, kind=kind, alerts=len(members))
        if created:
            self.outbox.wake.set()
        return created

    def _time(self, stage: str, started: float) -> None:
        elapsed = time.perf_counter() - started
        self.stats.stage[stage] += elapsed
        METRICS.stage_seconds.labels(stage=stage).observe(elapsed)


def _reason(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, InputError) else f"{exc.__class__.__name__}: {exc}"


def _text_article(body: bytes, charset: str | None, where: str, url: str | None, path: str | None,
                  source: str | None, title: str | None) -> Article:
    return article_from_text(body.decode(charset or "utf-8", "replace"), where=where, url=url, path=path,
                             source=source, title=title)


def _extract_job(body: bytes, kind: str | None, where: str, url: str | None, path: str | None,
                 source: str | None, charset: str | None) -> dict[str, Any] | InputError:
    try:
        return extract_for_document(body, kind, where=where, url=url, path=path, source=source, charset=charset)
    except InputError as exc:
        return exc


def _kind(content_type: str) -> str | None:
    if "html" in content_type:
        return "html"
    if content_type.startswith("text/plain"):
        return "text"
    return None


def _with_feed_fields(article: Article, doc: Document) -> Article:
    """The feed's title and date fill what the page did not say; the source name is the configured one. A
    dropped file's identity is its content (its key), not the name it was dropped under, which a later,
    different file may reuse."""
    return article.with_changes(
        id=stable_id("loc", doc.key) if doc.url is None else article.id,
        source=doc.source,
        title=article.title or doc.title,
        published=article.published or doc.published,
        metadata={**article.metadata, **({"guid": doc.metadata["guid"]} if "guid" in doc.metadata else {})},
    )


def _now_dt() -> datetime:
    return datetime.now(UTC)


def _iso_in(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).replace(microsecond=0).isoformat()


def _age(iso: str) -> float:
    try:
        return time.time() - datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return 0.0

