"""Replica mode: several identical ``monitor run`` processes share one PostgreSQL database, with procrastinate
as the work queue.

- A periodic ``reconcile`` job (procrastinate makes one per period across all replicas) defers a ``poll`` job
  for each source that is due, with a queueing lock per source (at most one waiting poll per source) and a
  lock per source (at most one running poll per source).
- A poll job reads its source and defers one ``process`` job per new document (fetch, extraction in the
  replica's process pool, detection, storage — :class:`~monitor.processor.Processor`, as in the embedded
  runner). Files from a drop folder
  are processed inside the poll job, on the replica that holds the folder.
- Alerts and their outbox rows are written in one transaction — which a procrastinate defer, on its own
  connection, could not join — so delivery is not a procrastinate job: every replica's outbox loop claims due
  rows with ``FOR UPDATE SKIP LOCKED`` and a lease, so each attempt is made by one replica.
- Workers send heartbeats; a replica's stalled-job check hands the jobs of a replica that stopped beating to
  the others (``stalled_after``), and half-written work is rolled back by the transactions around it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import socket
from dataclasses import asdict
from typing import Any

import structlog

from monitor.alerts.outbox import Outbox
from monitor.config import Config
from monitor.durations import parse_duration
from monitor.errors import ConfigError
from monitor.hookspecs import Source
from monitor.model import Document
from monitor.plugins import Plugins
from monitor.processor import Processor
from monitor.runners import ProcessorView
from monitor.runners.local import LocalRunner
from monitor.schedule import is_due
from monitor.store.base import SourceState, Store

log = structlog.get_logger("monitor.replicas")

QUEUES = ("reconcile", "poll", "process")
#: A process job found stalled (its replica stopped sending heartbeats: a plugin call that froze it, see
#: monitor.stall) on this attempt is set aside, not handed to another replica. Attempts count procrastinate's own
#: retries of a failed job too; one more than the embedded store's two deaths, as a rolling restart's SIGKILL may
#: catch a job once.
REPLICA_DEATHS = 3
#: How often the periodic reconcile job runs (one job per period across every replica).
RECONCILE_SECONDS = 2


def encode_document(doc: Document) -> dict[str, Any]:
    data = asdict(doc)
    data["body"] = base64.b64encode(doc.body).decode() if doc.body is not None else None
    data["metadata"] = dict(doc.metadata)
    return data


def decode_document(data: dict[str, Any]) -> Document:
    body = data.get("body")
    return Document(**{**data, "body": base64.b64decode(body) if body is not None else None})


class QueueRunner(ProcessorView):
    """The processor's steps, scheduled through procrastinate jobs instead of APScheduler. ``--once`` is the
    embedded runner's, on the shared store (:attr:`local`, whose processor and outbox the jobs use too)."""

    def __init__(self, config: Config, plugins: Plugins, store: Store, url: str, *,
                 processes: int | None = None, replica: str | None = None) -> None:
        self.local = LocalRunner(config, plugins, store, processes=processes)
        self.store = store
        self.processor: Processor = self.local.processor
        self.outbox: Outbox = self.local.outbox
        self.stop = self.local.stop
        self.workers = self.local.workers
        # The store is synchronous and PostgreSQL is across a network: every store call of the jobs, the
        # outbox and the held-alert flush waits on the store's own thread, never on the loop that sends this
        # worker's heartbeats (a slow query or a lock would otherwise stall them into "stalled").
        self.processor.db.in_thread()
        self.outbox.db = self.processor.db
        try:
            import procrastinate
        except ImportError:
            raise ConfigError("[store] url: replicas on PostgreSQL need the extra: "
                              "pip install 'media-monitor[postgres]'") from None

        self.replica = replica or f"{socket.gethostname()}-{os.getpid()}"
        self.outbox.lease = parse_duration(config.daemon.delivery_lease)
        self.stalled_after = parse_duration(config.daemon.stalled_after)
        self.app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))
        self._already_enqueued = procrastinate.exceptions.AlreadyEnqueued
        self._failed = procrastinate.jobs.Status.FAILED

        @self.app.task(name="monitor.poll", queue="poll")
        async def poll(source: str) -> None:
            log.info("replica.poll", source=source, replica=self.replica)
            await self.processor.poll(source, self.dispatch)

        @self.app.task(name="monitor.process", queue="process", retry=3)
        async def process(source: str, document: dict[str, Any]) -> None:
            src = self.wiring.sources.get(source)
            if src is not None:
                await self.processor.process(src, decode_document(document))

        @self.app.periodic(cron=f"* * * * * */{RECONCILE_SECONDS}", periodic_id="reconcile")
        @self.app.task(name="monitor.reconcile", queue="reconcile")
        async def reconcile(timestamp: int) -> None:
            await self._reconcile_once()

        self.poll_task = poll
        self.process_task = process

    # -- what the service reads (the embedded runner's, which ``--once`` runs) ---------------------------

    @property
    def queue(self) -> asyncio.Queue[Any]:
        return self.local.queue

    @property
    def in_flight(self) -> int:
        return self.local.in_flight

    def reload(self, config: Config) -> None:
        self.local.reload(config)

    async def close(self) -> None:
        await self.local.close()

    async def run_once(self) -> None:
        """``monitor run --once`` on PostgreSQL: poll, process and deliver in this process, like the embedded
        runner, on the shared store. Deferring jobs here would need a worker to run them before exiting (and
        used to fail on an App that was never opened); a one-shot run has nobody to hand work to."""
        await self.local.run_once()

    async def dispatch(self, source: Source, doc: Document) -> asyncio.Future[None]:
        """Feed entries become process jobs any replica may take; local files are processed here."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if doc.path is not None:
            await self.processor.process(source, doc)
        else:
            await self.process_task.defer_async(source=doc.source, document=encode_document(doc))
        done.set_result(None)
        return done

    async def _install_schema(self) -> None:
        """procrastinate's tables, once, under the same advisory lock as the store's migrations."""
        from monitor.store.postgres import MIGRATION_LOCK

        conn = self.app.connector
        async with conn.pool.connection() as c, c.transaction():  # type: ignore[attr-defined]
            await c.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            exists = await (await c.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")).fetchone()
            if not exists[0]:
                await c.execute(self.app.schema_manager.get_schema())

    async def _reconcile_once(self) -> None:
        """The periodic reconcile job (one per period across all replicas): defer a poll for every source that
        is due; the queueing lock keeps one waiting poll per source."""
        for name, source in list(self.wiring.sources.items()):
            state: SourceState = await self.processor.db(self.store.source_state, name)
            if not is_due(state, float(source.interval)):
                continue
            with contextlib.suppress(self._already_enqueued):
                await self.poll_task.configure(queueing_lock=f"poll:{name}", lock=f"poll:{name}").defer_async(
                    source=name)

    async def _recover_stalled(self) -> None:
        """Give the jobs of replicas that stopped sending heartbeats back to the queue."""
        manager = self.app.job_manager
        while not self.stop.is_set():
            try:
                for job in await manager.get_stalled_jobs(seconds_since_heartbeat=self.stalled_after):
                    log.warning("replica.stalled_job", job=job.id, task=job.task_name, replica=self.replica)
                    if job.task_name == "monitor.poll":
                        # A poll is never retried: the reconcile loop defers the next one, and a retry would
                        # collide with it on the queueing lock. Finishing it releases the source's lock.
                        await manager.finish_job(job, status=self._failed, delete_job=True)
                    elif job.task_name == "monitor.process" and job.attempts + 1 >= REPLICA_DEATHS:
                        await self._set_aside_stalled(manager, job)
                    else:
                        await manager.retry_job(job)
            except Exception as exc:
                log.error("replica.stalled_check_failed", error=f"{exc.__class__.__name__}: {exc}".strip())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), max(1.0, self.stalled_after / 3))

    async def _set_aside_stalled(self, manager: Any, job: Any) -> None:
        """A document whose replica stopped answering on its :data:`REPLICA_DEATHS`-th attempt is set aside with the
        reason, not handed to the next replica to take that one down too (:mod:`monitor.stall`)."""
        doc = job.task_kwargs.get("document") or {}
        key, source = str(doc.get("key") or f"job {job.id}"), str(job.task_kwargs.get("source") or "")
        reason = (f"the replica processing it stopped answering on attempt {job.attempts + 1} (each replica's "
                  f"stall-PID.txt shows where it was); set aside so that it cannot stop another replica")
        await self.processor.db(self.store.record_set_aside, key, str(doc.get("version") or ""), source, reason)
        await manager.finish_job(job, status=self._failed, delete_job=False)
        log.error("replica.stalled_job_set_aside", job=job.id, document=key, source=source, reason=reason)

    async def run_forever(self, ready: Any = None) -> None:
        self.outbox.wake = asyncio.Event()
        async with self.app.open_async():
            await self._install_schema()
            await self.processor.warm()
            heartbeat = max(0.5, self.stalled_after / 4)
            worker = asyncio.create_task(self.app.run_worker_async(
                queues=list(QUEUES), concurrency=self.workers, name=self.replica, install_signal_handlers=False,
                delete_jobs="successful",
                update_heartbeat_interval=heartbeat, stalled_worker_timeout=self.stalled_after,
                shutdown_graceful_timeout=parse_duration(self.wiring.config.daemon.shutdown_grace),
            ))
            helpers = [asyncio.create_task(self._recover_stalled()),
                       asyncio.create_task(self.outbox.run(self.stop, before=self._flush_held))]
            if ready is not None:
                ready()
            log.info("replica.started", replica=self.replica)
            await self.stop.wait()
            worker.cancel()  # procrastinate drains in-flight jobs within shutdown_graceful_timeout
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            await asyncio.gather(*helpers, return_exceptions=True)

    async def _flush_held(self) -> int:
        return await self.processor.db(self.processor.flush_held)

    async def drain(self, grace: float) -> bool:
        """Nothing left to drain: procrastinate's worker finished its jobs within the grace period above."""
        return True
