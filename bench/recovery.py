"""Time to recover from the faults of issue 13 (items 4 and 5), measured on this machine.

``python bench/recovery.py``: for each fault, the seconds from the fault ending (disk space back, a worker
killed, a detector hung) to the runner healthy again with every document stored, and the alerts lost and
duplicated, counted from the JSON Lines sink against what was expected.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.config import parse_config
from monitor.plugins import build_plugins
from monitor.runners.local import LocalRunner
from monitor.store import open_store
from tests.newsroom import STORIES, page
from tests.test_supervision import RELEASE, FullDisk, Misbehaving

TEXTS = [f"{n} soldiers were killed in an ambush on day {n}." for n in range(2, 12)]


def runner_in(tmp: Path, extra: str = "", plugins: object = None) -> LocalRunner:
    config = parse_config(f'[daemon]\nstate_dir = "{tmp / "state"}"\n{extra}\n[[sources]]\nname = "inbox"\n'
                          f'type = "folder"\npath = "{tmp / "inbox"}"\nsettle = "0.1s"\n[[sinks]]\nname = "f"\n'
                          f'type = "jsonl"\npath = "{tmp / "alerts.jsonl"}"\n')
    extras = [("misbehaving", plugins)] if plugins is not None else []
    return LocalRunner(config, build_plugins(extra=extras), open_store(config.daemon.state_dir), processes=1)


def counted(tmp: Path, expected: int) -> tuple[int, int]:
    path = tmp / "alerts.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    ids = [r["alert_id"] for r in rows]
    return max(0, expected - len(set(ids))), len(ids) - len(set(ids))


def disk_full() -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        (tmp / "inbox").mkdir()
        for i, text in enumerate(TEXTS):
            (tmp / "inbox" / f"{i}.txt").write_text(text)
        runner = runner_in(tmp)
        disk = FullDisk(runner.store)
        runner.store = disk  # type: ignore[assignment]
        runner.outbox.store = disk  # type: ignore[assignment]
        disk.full.set()

        async def go() -> float:
            task = asyncio.create_task(runner.run_once())
            while "store" not in runner.problems:
                await asyncio.sleep(0.01)
            await asyncio.sleep(1.0)  # a while on a full disk
            disk.full.clear()
            back = time.perf_counter()
            while "store" in runner.problems or runner.stats.processed < len(TEXTS):
                await asyncio.sleep(0.005)
            elapsed = time.perf_counter() - back
            await task
            return elapsed

        elapsed = asyncio.run(go())
        asyncio.run(runner.close())
        return elapsed, *counted(tmp, len(TEXTS))


def killed_worker() -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        (tmp / "inbox").mkdir()
        (tmp / "inbox" / "first.html").write_bytes(page(*STORIES["troops"]))
        runner = runner_in(tmp)

        async def go() -> float:
            await runner.run_once()
            for pid in runner.processor.extraction.pids():
                os.kill(pid, signal.SIGKILL)
            killed = time.perf_counter()
            (tmp / "inbox" / "second.html").write_bytes(page(*STORIES["blast"]))
            await runner.run_once()
            return time.perf_counter() - killed

        elapsed = asyncio.run(go())
        asyncio.run(runner.close())
        # the second run includes its 0.1 s settle: report the rebuild and re-extraction it took
        return elapsed, *counted(tmp, 2)


def hung_detector(limit: float = 1.0) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        (tmp / "inbox").mkdir()
        (tmp / "inbox" / "a.txt").write_text(TEXTS[0])
        runner = runner_in(tmp, f'detector_timeout = "{limit}s"', Misbehaving())
        started = time.perf_counter()
        asyncio.run(runner.run_once())
        elapsed = time.perf_counter() - started
        RELEASE.set()
        asyncio.run(runner.close())
        return elapsed, *counted(tmp, 1)


def main() -> None:
    for name, fn in (("store write fails (disk full), then space returns", disk_full),
                     ("extraction process SIGKILLed", killed_worker),
                     ("detector hangs (detector_timeout 1 s)", hung_detector)):
        elapsed, lost, dup = fn()
        print(f"{name}: recovered in {elapsed:.2f} s; alerts lost {lost}, duplicated {dup}")


if __name__ == "__main__":
    main()
