"""The embedded runner: when and where the :class:`~monitor.processor.Processor` runs in one process.

APScheduler polls each source on its interval (with jitter; a failing source's backoff is
:mod:`monitor.schedule`'s), documents flow through a bounded queue to workers, and the outbox delivers. A
worker never dies with its document (the processor supervises the store and the extraction pool); a page
whose host has every connection slot taken waits in its own task, not in a worker.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor.alerts.outbox import Outbox
from monitor.config import Config
from monitor.durations import parse_duration
from monitor.hookspecs import Source
from monitor.metrics import METRICS
from monitor.model import Document
from monitor.plugins import Plugins
from monitor.processor import Processor
from monitor.reload import check_reload
from monitor.runners import ProcessorView
from monitor.schedule import backing_off, jitter
from monitor.store.base import Store
from monitor.store.retry import Kept
from monitor.times import now_dt

log = structlog.get_logger("monitor.runner")

QUEUE_SIZE = 64

Item = tuple[Source, Document, "asyncio.Future[None]"]


class LocalRunner(ProcessorView):
    def __init__(self, config: Config, plugins: Plugins, store: Store, *, workers: int | None = None,
                 processes: int | None = None) -> None:
        self.stop = asyncio.Event()
        self.processor = Processor(config, plugins, store, processes=processes, stop=self.stop,
                                   wake=lambda: self.outbox.wake.set())
        self.queue: asyncio.Queue[Item | None] = asyncio.Queue(QUEUE_SIZE)
        self.workers = workers or max(4, self.processor.extraction.processes * 4)
        self.outbox = Outbox(store, self.wiring.sinks, config.daemon.delivery_attempts,
                             parse_duration(config.daemon.delivery_backoff),
                             timeout=parse_duration(config.daemon.delivery_timeout))
        self.scheduler: AsyncIOScheduler | None = None
        self.in_flight = 0
        self._parked: set[asyncio.Task[None]] = set()

    # -- what the service reads ------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        return self.processor.store

    @store.setter
    def store(self, store: Store) -> None:
        self.processor.store = store

    # -- lifecycle -------------------------------------------------------------------------------------

    async def close(self) -> None:
        await self.processor.close()

    def _fresh_loop_objects(self) -> None:
        # asyncio primitives bind to the loop that first waits on them; each run gets its own.
        self.queue = asyncio.Queue(QUEUE_SIZE)
        self.outbox.wake = asyncio.Event()

    async def run_once(self) -> None:
        """Poll every source once, process what it found, deliver what is due, return."""
        self._fresh_loop_objects()
        await self.processor.warm()
        workers = [asyncio.create_task(self._worker()) for _ in range(self.workers)]
        try:
            await asyncio.gather(*(self.poll(name) for name in list(self.wiring.sources)))
            await self.queue.join()
        finally:
            for _ in workers:
                await self.queue.put(None)
            await asyncio.gather(*workers)
        self.processor.flush_held(force=True)
        await self.outbox.deliver_due()
        await self.processor.close_fetcher()

    async def run_forever(self, ready: Any = None) -> None:
        """Poll on schedule until ``stop`` is set; then stop intake and drain (see ``service``)."""
        self._fresh_loop_objects()
        await self.processor.warm()
        workers = [asyncio.create_task(self._worker()) for _ in range(self.workers)]
        delivery = asyncio.create_task(self.outbox.run(self.stop, before=self.processor.flush_held))
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
            self.scheduler.add_job(self._scheduled_poll, "interval", seconds=interval, jitter=jitter(interval),
                                   args=[name], id=name, max_instances=1, coalesce=True, next_run_time=now_dt())

    def reload(self, config: Config) -> None:
        """Swap in a new configuration without a restart: sources, sinks, routes, detectors, and every
        ``[daemon]`` setting the process was not built around — a changed guard or fetch limit gets a new HTTP
        client at once. A change only a restart applies refuses the whole reload (``monitor.reload``)."""
        check_reload(self.wiring.config, config)
        wiring = self.processor.reload(config)
        self.outbox.sinks = wiring.sinks
        self.outbox.max_attempts = config.daemon.delivery_attempts
        self.outbox.base_delay = parse_duration(config.daemon.delivery_backoff)
        self.outbox.timeout = parse_duration(config.daemon.delivery_timeout)
        if self.scheduler is not None:
            self._schedule_all()
        log.info("config.reloaded", sources=sorted(wiring.sources), sinks=sorted(wiring.sinks))

    # -- polling ---------------------------------------------------------------------------------------

    async def _scheduled_poll(self, name: str) -> None:
        # APScheduler waited the interval; a failing source also waits out its backoff.
        if self.stop.is_set() or backing_off(self.store.source_state(name)):
            return
        await self.poll(name)

    async def poll(self, name: str) -> None:
        await self.processor.poll(name, self.dispatch)

    async def dispatch(self, source: Source, doc: Document) -> asyncio.Future[None]:
        """Hand a document to the workers; the future completes when it has been processed (or set aside)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await self.queue.put((source, doc, done))
        return done

    # -- workers ---------------------------------------------------------------------------------------

    async def _worker(self) -> None:
        while True:
            item = await self.queue.get()
            if item is None:
                self.queue.task_done()
                return
            if self.processor.host_full(item[1]):
                self._park(item)
                continue
            await self._handle(item)

    async def _handle(self, item: Item) -> None:
        source, doc, done = item
        self.in_flight += 1
        METRICS.queue_depth.labels(queue="documents").set(self.queue.qsize())
        outcome: BaseException | None = None
        try:
            await self.processor.process(source, doc)
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

    def _park(self, item: Item) -> None:
        task = asyncio.create_task(self._handle(item))
        self._parked.add(task)
        task.add_done_callback(self._parked.discard)
