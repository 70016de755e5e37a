"""The daemon's lifecycle: signals, reload, drain, systemd notify, health and metrics, a status file.

SIGTERM/SIGINT stop intake, let in-flight work finish within the grace period, and exit 0; a second signal
exits at once. SIGHUP reloads the configuration; an invalid new one keeps the old one and says why.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from prometheus_client import generate_latest

from monitor.config import Config, load_config, store_url
from monitor.durations import parse_duration
from monitor.errors import MonitorError
from monitor.metrics import METRICS
from monitor.plugins import Plugins, close_all
from monitor.runners import Runner
from monitor.runners.local import LocalRunner
from monitor.stall import StallGuard
from monitor.statelock import StateLock
from monitor.status import HEARTBEAT_INTERVAL
from monitor.times import utcnow
from monitor.wiring import store_for

if TYPE_CHECKING:
    from monitor.console.server import ConsoleServer
    from monitor.store.base import Store

#: Seconds past the fetch deadline before an in-flight fetch counts as stuck work in ``/healthz``.
STUCK_MARGIN = 60.0

log = structlog.get_logger("monitor.service")

#: Seconds between checks that the open state database is still the file at its path.
STATE_CHECK_INTERVAL = 1.0


def sd_notify(message: str) -> None:
    """Send a systemd notification (READY=1, STATUS=…, WATCHDOG=1, STOPPING=1) when run under systemd."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(address)
            sock.sendall(message.encode())
    except OSError as exc:
        log.warning("systemd.notify_failed", error=str(exc))


class Service:
    def __init__(self, config: Config, plugins: Plugins, config_path: str | None) -> None:
        self.config = config
        self.plugins = plugins
        self.config_path = config_path
        Path(config.daemon.state_dir).mkdir(parents=True, exist_ok=True)
        url = store_url(config)
        # Two daemons on one SQLite state directory would each deliver every alert: the second refuses to start.
        # (Replicas on PostgreSQL share their work through the database and need no lock.)
        self.lock: StateLock | None = None
        if not url:
            self.lock = StateLock(config.daemon.state_dir)
            self.lock.acquire()
        self.store = store_for(config)
        if url:
            from monitor.runners.queue import QueueRunner

            self.runner: Runner = QueueRunner(config, plugins, self.store, url)
        else:
            self.runner = LocalRunner(config, plugins, self.store)
        self.started = utcnow()
        self._signals = 0
        #: Why the state database can no longer be trusted (deleted or replaced under the daemon), if it is so.
        self.state_lost: str | None = None
        #: Sinks and sources replaced by a reload, each batch closed once work begun with it is over.
        self._retiring: set[asyncio.Task[None]] = set()
        self._closing_now = asyncio.Event()
        self._console_store: Store | None = None

    async def run(self, once: bool = False) -> int:
        """Run until stopped (or once), under the stall guard (:mod:`monitor.stall`)."""
        guard = StallGuard(self.config.daemon.state_dir, parse_duration(self.config.daemon.stall_timeout))
        guard.start()
        try:
            return await self._run(once)
        finally:
            guard.stop()

    async def _run(self, once: bool) -> int:
        if once:
            try:
                await self.runner.run_once()
            finally:
                await self._close()
            stats = self.runner.stats
            if stats.polls_failed and not stats.polls_ok:
                log.error("run.all_polls_failed", failed=stats.polls_failed)
                return 1
            return 0
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._on_stop, sig)
        loop.add_signal_handler(signal.SIGHUP, self._on_reload)
        server = await self._start_health()
        try:
            console = await self._start_console()
        except MonitorError:
            if server is not None:
                server.close()
            await self._close()
            raise
        status = asyncio.create_task(self._status_loop())
        watch = asyncio.create_task(self._watch_state())
        METRICS.up.set(1)

        def ready() -> None:
            sd_notify(f"READY=1\nSTATUS=watching {len(self.runner.wiring.sources)} source(s)")
            log.info("daemon.ready", sources=sorted(self.runner.wiring.sources), pid=os.getpid())

        await self.runner.run_forever(ready)
        sd_notify("STOPPING=1\nSTATUS=draining")
        grace = parse_duration(self.config.daemon.shutdown_grace)
        finished = await self.runner.drain(grace)
        log.info("daemon.stopped", drained=finished)
        status.cancel()
        watch.cancel()
        if server is not None:
            server.close()
        if console is not None:
            await console.stop()
        await self._close()
        return 1 if self.state_lost else 0

    def _plugin_objects(self) -> list[object]:
        """The configured sinks and sources of the wiring in use (their ``aclose`` is called at the end)."""
        wiring = self.runner.wiring
        return [*wiring.sinks.values(), *wiring.sources.values()]

    async def _close_later(self, objects: list[object], delay: float) -> None:
        """Close what a reload replaced once any delivery begun with it is over (an attempt takes at most the
        outbox's deadline), or at once when the daemon stops."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing_now.wait(), delay)
        await close_all(objects)

    async def _close_plugin_objects(self) -> None:
        self._closing_now.set()
        await asyncio.gather(*self._retiring, return_exceptions=True)
        await close_all(self._plugin_objects())

    async def _close(self) -> None:
        if self._console_store is not None:
            self._console_store.close()
        await self._close_plugin_objects()
        await self.runner.close()
        self._write_status(stopped=True)  # so that `monitor status` says stopped, not a stale "running"
        rescue = getattr(self.store, "rescue", None)
        if self.state_lost and rescue is not None:
            where = rescue()
            log.error("state.rescued", path=str(where),
                      detail="what the daemon had recorded was written back from its open handle; a restart "
                             "goes on from there")
        else:
            self.store.close()
        if self.lock is not None:
            self.lock.release()

    def _on_stop(self, sig: signal.Signals) -> None:
        self._signals += 1
        if self._signals > 1:
            log.warning("daemon.forced_exit", signal=sig.name)
            os._exit(130)
        log.info("daemon.stopping", signal=sig.name)
        METRICS.up.set(0)
        self.runner.stop.set()

    def _on_reload(self) -> None:
        before = self._plugin_objects()
        try:
            config = load_config(self.config_path)
            self.runner.reload(config)
            self.config = config
            current = {id(obj) for obj in self._plugin_objects()}
            replaced = [obj for obj in before if id(obj) not in current]
            if replaced:
                task = asyncio.get_running_loop().create_task(
                    self._close_later(replaced, self.runner.outbox.deadline))
                self._retiring.add(task)
                task.add_done_callback(self._retiring.discard)
        except MonitorError as exc:
            log.error("config.reload_failed", error=str(exc), kept="previous configuration")
        except Exception as exc:
            log.error("config.reload_failed", error=f"{exc.__class__.__name__}: {exc}", kept="previous configuration")

    async def _watch_state(self) -> None:
        """Notice the state database being deleted or replaced under the running daemon: report unhealthy and
        stop (exit 1), writing back what the open handle holds, rather than go on into a file no restart sees."""
        lost = getattr(self.store, "lost", None)
        if lost is None:
            return
        while not self.runner.stop.is_set():
            await asyncio.sleep(STATE_CHECK_INTERVAL)
            reason = lost()
            if reason:
                self.state_lost = reason
                log.error("state.lost", error=reason, action="stopping; the open database will be written back")
                METRICS.up.set(0)
                self.runner.stop.set()
                return

    # -- health, metrics, status -----------------------------------------------------------------------

    async def _start_health(self) -> asyncio.AbstractServer | None:
        listen = self.config.daemon.health_listen
        if not listen:
            return None
        host, _, port = listen.rpartition(":")
        server = await asyncio.start_server(self._handle_http, host or "127.0.0.1", int(port))
        log.info("health.listening", address=listen)
        return server

    async def _start_console(self) -> ConsoleServer | None:
        """The analyst's console (``[console] listen``), on a store connection of its own, in this loop."""
        if not self.config.console.listen:
            return None
        from monitor.console.server import console_server

        store = store_for(self.config)
        console = console_server(self.config, store, self.plugins.detectors)
        try:
            await console.start()
        except BaseException:
            store.close()
            raise
        self._console_store = store
        return console

    async def _handle_http(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), 5)
            while (await asyncio.wait_for(reader.readline(), 5)).strip():
                pass
            path = request.split(b" ")[1].decode() if request.count(b" ") >= 2 else "/"
            if path.startswith("/healthz"):
                problems = dict(self.runner.problems)
                stuck = self._stuck()
                healthy = not self.runner.stop.is_set() and stuck is None and not problems
                state = ("state lost" if self.state_lost else "stopping" if self.runner.stop.is_set()
                         else "unhealthy" if problems else "stuck" if stuck else "ok")
                body = json.dumps({"status": state, "problems": problems, **({"stuck": stuck} if stuck else {}),
                                   **self._status(),
                                   **({"error": self.state_lost} if self.state_lost else {})}).encode()
                status, ctype = ("200 OK" if healthy else "503 Service Unavailable"), "application/json"
            elif path.startswith("/metrics"):
                METRICS.queue_depth.labels(queue="documents").set(self.runner.queue.qsize())
                # As the runner makes store calls: a replica's on the store's thread, off the loop (and never at
                # the same time as another call on the store's one connection).
                db = self.runner.outbox.db
                stats = await db(self.store.stats)
                for state, n in stats.outbox.items():
                    METRICS.queue_depth.labels(queue=f"outbox_{state}").set(n)
                replicas = await db(_queue_report, self.store, self.config)
                if replicas:
                    METRICS.replicas.set(replicas["replicas_alive"])
                    for queue, q in replicas["queues"].items():
                        METRICS.queue_depth.labels(queue=f"jobs_{queue}").set(q["waiting"])
                        METRICS.oldest_job.labels(queue=queue).set(q["oldest_waiting_s"])
                body, status, ctype = generate_latest(METRICS.registry), "200 OK", "text/plain; version=0.0.4"
            else:
                body, status, ctype = b"not found\n", "404 Not Found", "text/plain"
            writer.write(f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                         "Connection: close\r\n\r\n".encode() + body)
            await writer.drain()
        except (TimeoutError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    def _stuck(self) -> str | None:
        """Why work is stuck, or None: a fetch far past its total deadline means the deadline did not fire."""
        age = self.runner.oldest_fetch_s
        limit = parse_duration(self.config.daemon.fetch_deadline) + STUCK_MARGIN
        if age is not None and age > limit:
            return f"a fetch has been in flight for {age:.0f} s (deadline plus margin: {limit:.0f} s)"
        return None

    def _status(self) -> dict[str, object]:
        oldest = self.runner.oldest_fetch_s
        return {
            "oldest_fetch_s": None if oldest is None else round(oldest, 1),
            "pid": os.getpid(),
            "started": self.started,
            "heartbeat": utcnow(),
            "queue": {"documents": self.runner.queue.qsize(), "in_flight": self.runner.in_flight},
            "processed": self.runner.stats.processed,
            "failed": self.runner.stats.failed,
        }

    def _write_status(self, stopped: bool = False) -> None:
        path = Path(self.config.daemon.state_dir) / "status.json"
        tmp = path.with_suffix(".tmp")
        doc = {**self._status(), "stopped": utcnow() if stopped else None}
        try:
            tmp.write_text(json.dumps(doc), encoding="utf-8")
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("status.write_failed", error=str(exc))

    async def _status_loop(self) -> None:
        interval = _watchdog_interval()
        while True:
            self._write_status()
            sd_notify(f"WATCHDOG=1\nSTATUS=processed {self.runner.stats.processed}, "
                      f"queued {self.runner.queue.qsize()}")
            await asyncio.sleep(interval)


def _watchdog_interval() -> float:
    usec = os.environ.get("WATCHDOG_USEC")
    if usec and usec.isdigit():
        return max(0.5, int(usec) / 1e6 / 3)
    return HEARTBEAT_INTERVAL


def _queue_report(store: Any, config: Config) -> dict[str, Any]:
    """Replica and job-queue figures when the state is on PostgreSQL; empty otherwise."""
    report = getattr(store, "queue_report", None)
    return report(parse_duration(config.daemon.stalled_after)) if report else {}
