"""Runners: when and where the processor (:mod:`monitor.processor`) runs — in one process (``local``) or as
jobs shared by replicas on PostgreSQL (``queue``). :class:`Runner` is what the service asks of either."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from monitor.alerts.outbox import Outbox
from monitor.config import Config
from monitor.problems import Problems
from monitor.processor import Processor, Stats
from monitor.wiring import Wiring


class ProcessorView:
    """What either runner shows the service of the processor it composes (one copy for both runners)."""

    processor: Processor

    @property
    def wiring(self) -> Wiring:
        return self.processor.wiring

    @property
    def stats(self) -> Stats:
        return self.processor.stats

    @property
    def problems(self) -> Problems:
        """What is down now (``store``, ``extraction``) and why; empty when healthy."""
        return self.processor.problems

    @property
    def oldest_fetch_s(self) -> float | None:
        return self.processor.oldest_fetch_s


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
