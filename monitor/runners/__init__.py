"""Runners: when and where the processor (:mod:`monitor.processor`) runs — in one process (``local``) or as
jobs shared by replicas on PostgreSQL (``queue``). :class:`Runner` is what the service asks of either."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from monitor.alerts.outbox import Outbox
from monitor.config import Config
from monitor.problems import Problems
from monitor.processor import Stats
from monitor.wiring import Wiring


class Runner(Protocol):
    stop: asyncio.Event
    outbox: Outbox

    @property
    def in_flight(self) -> int: ...

    @property
    def wiring(self) -> Wiring: ...

    @property
    def stats(self) -> Stats: ...

    @property
    def problems(self) -> Problems: ...

    @property
    def queue(self) -> asyncio.Queue[Any]: ...

    @property
    def oldest_fetch_s(self) -> float | None: ...

    def reload(self, config: Config) -> None: ...

    async def run_once(self) -> None: ...

    async def run_forever(self, ready: Any = None) -> None: ...

    async def drain(self, grace: float) -> bool: ...

    async def close(self) -> None: ...
