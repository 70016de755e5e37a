"""What the daemon does when a plugin call freezes the whole process, and the journal that keeps that article from
freezing it again.

A detector that loops or waits in Python is abandoned after ``detector_timeout`` (:mod:`monitor.isolation`). One
stuck inside a C call that keeps the interpreter's lock — a regular expression that backtracks without end is the
common case — cannot be abandoned: no other thread runs, the event loop included, so the daemon neither works nor
answers ``/healthz`` nor obeys SIGTERM.

:class:`StallGuard` notices. The event loop re-arms faulthandler's watchdog every second; when the loop has not run
for ``[daemon] stall_timeout``, faulthandler's own thread (which needs no interpreter lock) writes every thread's
stack to ``stall-PID.txt`` in the state directory (a file for each process: replicas may share the directory) and
ends the process with exit status 1, for the service manager to restart it (``Restart=on-failure`` in the systemd
unit, ``restart: unless-stopped`` in the compose file). The next start logs those stacks (``daemon.stalled_before``).
faulthandler has one such timer per process: nothing else in the daemon uses it.

:class:`DetectionJournal` (``detecting.json``) names the documents in detection and the plugin call each is in,
rewritten in place as they change (no fsync: what it guards against is the process dying, and the page cache outlives
that). A start after a stall counts one death against each document that was inside a plugin call (``deaths.json``);
a document at :data:`SET_ASIDE_AFTER` deaths is set aside for good (the store remembers it, the plugin named in the
reason) instead of taking the daemon down again. A process that ended otherwise (SIGKILL, the OOM killer) counts
nothing. Limits: a document in another plugin call at the same instant at both stalls would be set aside too; a
freeze outside detection (feed parsing; extraction runs in processes of its own) is reported but pinned on no
document. Only the embedded store keeps a journal: replicas on PostgreSQL set such a job aside by its attempts
(:mod:`monitor.runners.queue`).
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import json
import os
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import IO, Any

import structlog

from monitor.errors import InputError
from monitor.times import iso_ago, utcnow

log = structlog.get_logger("monitor.stall")

#: Deaths while a document was being detected before it is set aside instead of detected again.
SET_ASIDE_AFTER = 2
#: A death counted against a document that no source offered again is forgotten after this many seconds.
FORGET_AFTER = 7 * 24 * 3600
#: Seconds between two re-armings of the watchdog by the event loop.
REARM_EVERY = 1.0

JOURNAL, DEATHS = "detecting.json", "deaths.json"
#: Each process writes its stacks to a file of its own (replicas on PostgreSQL may share a state directory);
#: a file left with stacks in it is a process that stalled.
STACKS = "stall-{pid}.txt"


class FrozeDaemon(InputError):
    """A document set aside for good: detecting it froze the daemon :data:`SET_ASIDE_AFTER` times."""


def stalled_stacks(state_dir: str | Path) -> list[Path]:
    """The stack files processes that stalled left in ``state_dir`` (a running process's own is empty)."""
    found = []
    for path in sorted(Path(state_dir).glob(STACKS.format(pid="*"))):
        with contextlib.suppress(OSError):
            if path.stat().st_size:
                found.append(path)
    return found


class StallGuard:
    """Ends the process, every thread's stack written to ``stall-PID.txt``, when the event loop has not run for
    ``limit`` seconds (0: off)."""

    def __init__(self, state_dir: str | Path, limit: float) -> None:
        self.dir = Path(state_dir)
        self.path = self.dir / STACKS.format(pid=os.getpid())
        self.limit = limit
        self._file: IO[str] | None = None
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        self._report_previous()
        if self.limit <= 0:
            return
        self._file = self.path.open("w", encoding="utf-8")
        self._rearm()

    def _rearm(self) -> None:
        assert self._file is not None
        faulthandler.dump_traceback_later(self.limit, exit=True, file=self._file)
        self._handle = asyncio.get_running_loop().call_later(min(REARM_EVERY, self.limit / 4), self._rearm)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._file is not None:
            faulthandler.cancel_dump_traceback_later()
            self._file.close()
            self._file = None
            self.path.unlink(missing_ok=True)

    def _report_previous(self) -> None:
        """Log the stacks each stalled process left, and keep them as ``stall-PID.txt.1``."""
        for path in stalled_stacks(self.dir):
            try:
                stacks = path.read_text(encoding="utf-8", errors="replace")
                kept = path.with_name(path.name + ".1")
                os.replace(path, kept)
            except OSError as exc:
                log.warning("stall.report_failed", file=str(path), error=str(exc))
                continue
            # faulthandler lists the newest thread first: the frozen plugin thread is near the top
            log.error("daemon.stalled_before", file=str(kept), stacks=stacks[:8000],
                      detail="a previous process stopped answering (its event loop did not run for stall_timeout) "
                             "and was ended; the stacks show where each thread was")


class DetectionJournal:
    """The documents in detection now (``detecting.json``) and the deaths counted against documents
    (``deaths.json``), in one state directory that one process uses at a time."""

    def __init__(self, state_dir: str | Path) -> None:
        self.dir = Path(state_dir)
        with contextlib.suppress(OSError):
            self.dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._now: dict[str, dict[str, str]] = {}
        self.deaths: dict[str, dict[str, Any]] = self._read(DEATHS)
        self._count_deaths()
        self._size = 0
        try:
            self._fd = os.open(self.dir / JOURNAL, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        except OSError as exc:
            log.warning("journal.unavailable", file=str(self.dir / JOURNAL), error=str(exc),
                        detail="a plugin call that freezes the daemon will not be told apart")
            self._fd = -1

    def _read(self, name: str) -> dict[str, Any]:
        path = self.dir / name
        try:
            data = json.loads(path.read_text(encoding="utf-8") or "{}")
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("journal.unreadable", file=str(path), error=str(exc), action="read as empty")
            return {}
        return data if isinstance(data, dict) else {}

    def _count_deaths(self) -> None:
        """One death against each document a process that stalled was inside a plugin call for; old counts
        forgotten. A process ended otherwise (SIGKILL, the OOM killer, a forced stop) counts nothing: it left no
        stacks, and its documents are simply detected again."""
        left = self._read(JOURNAL)
        cutoff = iso_ago(FORGET_AFTER)
        kept = {k: v for k, v in self.deaths.items()  # a hand-edited file must not stop the daemon
                if isinstance(v, dict) and isinstance(v.get("deaths"), int) and str(v.get("last", "")) >= cutoff}
        changed, self.deaths = len(kept) != len(self.deaths), kept
        stalled = bool(stalled_stacks(self.dir))
        for key, entry in left.items() if stalled else ():
            entry = entry if isinstance(entry, dict) else {}
            if not entry.get("plugin"):  # between plugin calls: a bystander, not the document that froze it
                continue
            count = self.deaths.get(key, {}).get("deaths", 0) + 1
            self.deaths[key] = {**entry, "deaths": count, "last": utcnow()}
            changed = True
            log.error("daemon.died_detecting", document=key, plugin=entry.get("plugin"), deaths=count,
                      action="set aside when next read" if count >= SET_ASIDE_AFTER else "detected again")
        if changed:
            self._write_deaths()

    def _write_deaths(self) -> None:
        path, tmp = self.dir / DEATHS, self.dir / (DEATHS + ".tmp")
        try:
            tmp.write_text(json.dumps(self.deaths), encoding="utf-8")
            os.replace(tmp, path)
        except OSError as exc:  # the journal guards the daemon; it must never fail a document
            log.warning("journal.write_failed", file=str(path), error=str(exc))

    def verdict(self, key: str) -> str | None:
        """Why document ``key`` must not be detected again, or None."""
        entry = self.deaths.get(key)
        if not entry or entry.get("deaths", 0) < SET_ASIDE_AFTER:
            return None
        plugin = entry.get("plugin") or "an enricher or detector"
        return (f"the daemon died {entry['deaths']} times while detecting it, last in {plugin} (a plugin call that "
                f"never returns and holds the interpreter: see daemon.stalled_before); set aside so that it cannot "
                f"stop the daemon again")

    @contextlib.contextmanager
    def detecting(self, key: str, source: str) -> Iterator[Callable[[str], None]]:
        """Document ``key`` in detection for the block, which is handed the callback that names each plugin call
        (:meth:`at`); detected to the end, its deaths are forgotten, cut short (a stop, an error), they are kept."""
        self.begin(key, source)
        try:
            yield partial(self.at, key)
        except BaseException:
            self.end(key, False)
            raise
        self.end(key, True)

    def begin(self, key: str, source: str) -> None:
        with self._lock:
            self._now[key] = {"source": source, "plugin": ""}
            self._flush()

    def at(self, key: str, plugin: str) -> None:
        """Document ``key`` is now in ``plugin``'s call ("": between calls); called from the thread that makes the
        call."""
        with self._lock:
            entry = self._now.get(key)
            if entry is not None:
                entry["plugin"] = plugin
                self._flush()

    def end(self, key: str, detected: bool) -> None:
        with self._lock:
            self._now.pop(key, None)
            self._flush()
        if detected:  # detected to the end after all: its count starts again
            self.forget(key)

    def forget(self, key: str) -> None:
        """Drop the deaths counted against ``key``: it was detected to the end, or it is set aside in the store,
        which now remembers it."""
        if self.deaths.pop(key, None) is not None:
            self._write_deaths()

    def _flush(self) -> None:
        if self._fd < 0:
            return
        data = json.dumps(self._now).encode() if self._now else b""
        # Padded with spaces to the last length: the call that froze the process may take the interpreter
        # between the write and the truncation (os.pwrite lets go of it), and a shorter text must not leave the
        # old one's tail behind (trailing spaces still read as JSON).
        padded = data.ljust(self._size)
        try:
            os.pwrite(self._fd, padded, 0)
            os.ftruncate(self._fd, len(data))
        except OSError as exc:
            log.warning("journal.write_failed", file=str(self.dir / JOURNAL), error=str(exc))
        self._size = len(data)

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                with contextlib.suppress(OSError):
                    os.ftruncate(self._fd, 0)
                os.close(self._fd)
                self._fd = -1
