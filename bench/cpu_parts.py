"""Where the daemon's own CPU per article goes: ``bench/pipeline.py``'s run, with the CPU of a few steps summed.

    python bench/cpu_parts.py [--pages DIR] [--feeds 18] [--entries 30]

Takes the same arguments as ``bench/pipeline.py`` and runs it, with each of these wrapped to add up its
thread's CPU (``time.thread_time``, so exact for the thread it runs in, and not inflated as a profiler's is):
the detectors (in their threads), feed parsing (in a thread), the events engine, the store write, the
de-duplication look-ups; and the main thread's CPU against the other threads'. Prints each in ms per article.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SPENT: dict[str, float] = {}
_LOCK = threading.Lock()


def _summed(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def inner(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            with _LOCK:
                SPENT[label] = SPENT.get(label, 0.0) + time.thread_time() - started
    return inner


def _thread_cpu(native_id: int) -> float:
    try:
        fields = Path(f"/proc/self/task/{native_id}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:  # the thread has ended
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _main_thread_cpu() -> float:
    return _thread_cpu(os.getpid())


def _threads_by_kind() -> dict[str, float]:
    """CPU so far of the live threads other than the main one, by what they are (their name, numbers dropped)."""
    kinds: dict[str, float] = {}
    for t in threading.enumerate():
        if t.native_id is None or t.native_id == os.getpid():
            continue
        kind = type(t).__name__ if type(t) is not threading.Thread else t.name.rstrip("0123456789-_")
        kinds[kind] = kinds.get(kind, 0.0) + _thread_cpu(t.native_id)
    return kinds


def main() -> None:
    import monitor.pipeline
    import monitor.processor
    import monitor.sources.feed
    from monitor.events.tracker import EventTracker
    from monitor.runners.local import LocalRunner

    monitor.pipeline._findings_of = _summed("detectors (their threads)", monitor.pipeline._findings_of)
    feed = monitor.sources.feed.FeedSource
    feed._read = _summed("feed parsing (a thread)", feed._read)  # type: ignore[method-assign]
    EventTracker.track = _summed("events engine (store call)", EventTracker.track)  # type: ignore[method-assign]
    proc = monitor.processor.Processor
    proc._write = _summed("store write, events included", proc._write)  # type: ignore[method-assign]
    proc._duplicate = _summed("de-duplication look-ups", proc._duplicate)  # type: ignore[method-assign]
    run_once = LocalRunner.run_once

    async def measured(self: LocalRunner) -> None:
        main_before, cpu_before, threads_before = _main_thread_cpu(), time.process_time(), _threads_by_kind()
        try:
            await run_once(self)
        finally:
            total, main_thread = time.process_time() - cpu_before, _main_thread_cpu() - main_before
            n = self.processor.stats.processed + self.processor.stats.duplicates + self.processor.stats.failed
            per = 1000 / max(1, n)
            print(f"CPU of the daemon's process: {total:.2f} s = {total * per:.2f} ms/article ({n} articles); "
                  f"main thread {main_thread * per:.2f}, other threads {(total - main_thread) * per:.2f}")
            for label, seconds in sorted(SPENT.items(), key=lambda kv: -kv[1]):
                print(f"  {label:32s} {seconds * per:5.2f} ms/article")
            threads = _threads_by_kind()
            for kind, seconds in sorted(threads.items(), key=lambda kv: -kv[1]):
                spent = seconds - threads_before.get(kind, 0.0)
                print(f"  thread {kind:25s} {spent * per:5.2f} ms/article (threads still alive at the end)")

    LocalRunner.run_once = measured  # type: ignore[method-assign]
    from bench import pipeline

    pipeline.main()


if __name__ == "__main__":  # the extraction pool's forkserver imports this module: only run it as a script
    main()
