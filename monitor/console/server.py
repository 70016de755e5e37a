"""Serving the console with uvicorn: inside the daemon's event loop (started at run, stopped on shutdown, as
the health endpoint is) or on its own for ``monitor console``.

The socket is bound here, before uvicorn starts, so a port in use is a clear error instead of uvicorn's
``sys.exit``; embedded, uvicorn is kept away from the process's signals, which stay the daemon's."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Generator, Mapping
from typing import Any

import structlog
import uvicorn

from monitor.config import Config, ConsoleConfig, console_listen_problem
from monitor.console.app import Console, create_app
from monitor.console.auth import Credentials
from monitor.errors import ConfigError
from monitor.store.base import Store

log = structlog.get_logger("monitor.console")


class _Server(uvicorn.Server):
    """A uvicorn server that leaves SIGTERM/SIGINT to its host (the daemon, or ``monitor console``)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def bind(listen: str) -> socket.socket:
    """A listening TCP socket at "host:port" (port 0: any free port); ConfigError naming the address if not."""
    host, _, port = listen.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, int(port)))
        sock.listen(128)
    except (OSError, ValueError) as exc:
        sock.close()
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"[console] listen = {listen!r}: cannot listen there: {why}") from None
    sock.setblocking(False)
    return sock


class ConsoleServer:
    """The console app on its own socket, in the running event loop: :meth:`start`, then :meth:`stop`."""

    def __init__(self, app: Any, settings: ConsoleConfig) -> None:
        problem = console_listen_problem(settings.listen, settings.token, settings.username, settings.password)
        if problem:
            raise ConfigError(f"[console] {problem}")
        self.listen = settings.listen
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off", server_header=False)
        self.server = _Server(config)
        self.sock: socket.socket | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def address(self) -> str:
        """The "host:port" actually listened on (the port chosen when ``listen`` asked for 0)."""
        assert self.sock is not None
        host, port = self.sock.getsockname()[:2]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    async def start(self) -> None:
        self.sock = bind(self.listen)
        self._task = asyncio.create_task(self.server.serve(sockets=[self.sock]))
        while not self.server.started:
            if self._task.done():
                await self._task
                raise ConfigError(f"[console] listen = {self.listen!r}: the console did not start")
            await asyncio.sleep(0.01)
        log.info("console.listening", address=self.address)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.sock is not None:
            self.sock.close()


def console_server(config: Config, store: Store, detectors: Mapping[str, Any] | None = None,
                   settings: ConsoleConfig | None = None) -> ConsoleServer:
    """The console over ``store`` as ``config`` sets it up (``settings`` overrides ``[console]``)."""
    settings = settings or config.console
    console = Console(store, detectors, [s.name for s in config.sources])
    app = create_app(console, Credentials(settings.token, settings.username, settings.password))
    return ConsoleServer(app, settings)
