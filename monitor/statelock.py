"""One daemon per state directory: an exclusive ``flock`` on ``<state_dir>/monitor.lock``, held for the life of
the process (the kernel releases it when the process ends, however it ends). The holder's pid is written into
the file so that a second start can name it."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from monitor.errors import MonitorError

LOCK_NAME = "monitor.lock"


class StateLocked(MonitorError):
    """Another process holds the state directory."""


class StateLock:
    def __init__(self, state_dir: str | Path) -> None:
        self.path = Path(state_dir).absolute() / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`StateLocked` naming the holder."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise MonitorError(f"{self.path}: cannot take the state-directory lock: {exc.strerror or exc} "
                               "(the daemon needs to write its state directory)") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise StateLocked(f"{self.path.parent}: the state directory is in use by another monitor daemon "
                              f"(pid {holder}, holding {self.path}); stop it first, or give this one its own "
                              "[daemon] state_dir") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
