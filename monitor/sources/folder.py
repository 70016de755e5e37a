"""The drop folder: files dropped into a directory become articles.

A file is taken once it is complete (its size and modification time unchanged since the previous poll),
read, and moved to ``processed/`` — or to ``failed/`` with a ``.reason`` file beside it. The only copy of
a file is never deleted.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import ClassVar

import structlog

from monitor.errors import InputError
from monitor.extract import SUPPORTED_SUFFIXES, article_from_path
from monitor.hookspecs import Options, RegisterSource, hookimpl
from monitor.model import Article

log = structlog.get_logger("monitor.sources.folder")


class FolderOptions(Options):
    path: str = "inbox"
    interval: str = "10s"
    max_bytes: int = 20_000_000


class FolderSource:
    """Reads complete files from a directory, then moves them out of the way."""

    type: ClassVar[str] = "folder"
    options_model: ClassVar[type[Options]] = FolderOptions

    def __init__(self, name: str, options: FolderOptions) -> None:
        self.name = name
        self.options = options
        self.root = Path(options.path)
        self._seen: dict[str, tuple[int, int]] = {}

    def _ready(self) -> list[Path]:
        """Files whose size and mtime did not change since the last look."""
        ready = []
        current: dict[str, tuple[int, int]] = {}
        try:
            entries = list(os.scandir(self.root))
        except FileNotFoundError:
            self.root.mkdir(parents=True, exist_ok=True)
            return []
        for entry in entries:
            if entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
                continue
            st = entry.stat(follow_symlinks=False)
            sig = (st.st_size, st.st_mtime_ns)
            current[entry.name] = sig
            if self._seen.get(entry.name) == sig:
                ready.append(Path(entry.path))
        self._seen = current
        return sorted(ready)

    def _move(self, path: Path, folder: str, reason: str | None = None) -> Path:
        target_dir = self.root / folder
        target_dir.mkdir(exist_ok=True)
        target = target_dir / path.name
        n = 1
        while target.exists():
            target = target_dir / f"{path.stem}.{n}{path.suffix}"
            n += 1
        os.replace(path, target)
        if reason is not None:
            target.with_name(target.name + ".reason").write_text(reason + "\n", encoding="utf-8")
        self._seen.pop(path.name, None)
        return target

    async def poll(self) -> AsyncIterator[Article]:
        for path in self._ready():
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                reason = f"unsupported file type {path.suffix or '(none)'!r}"
                log.warning("folder.refused", source=self.name, path=str(path), reason=reason)
                self._move(path, "failed", reason)
                continue
            try:
                article = article_from_path(path, source=self.name, max_bytes=self.options.max_bytes)
            except InputError as exc:
                log.warning("folder.refused", source=self.name, path=str(path), reason=exc.problem)
                self._move(path, "failed", exc.problem)
                continue
            target = self._move(path, "processed")
            yield article.with_changes(path=str(target.resolve()))


@hookimpl
def monitor_register_sources(register: RegisterSource) -> None:
    register(FolderSource)
