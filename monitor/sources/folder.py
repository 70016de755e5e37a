"""The drop folder: files dropped into a directory become documents.

A file is taken once it is complete — its size and modification time unchanged between two polls (a file
renamed into the folder is complete at once, and is seen on the next poll) — then moved to ``processed/``
after its article is stored, or to ``failed/`` with a ``.reason`` file beside it. The only copy of a file is
never deleted. Symlinks, FIFOs, devices and over-large files are never opened: they are moved to
``failed/`` with the reason (the link itself is moved, not its target).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import ClassVar

import structlog
from pydantic import Field

from monitor.durations import Duration, parse_duration
from monitor.extract import HTML_SUFFIXES, TEXT_SUFFIXES
from monitor.hookspecs import Options, RegisterSource, SourceContext, hookimpl
from monitor.model import Document

log = structlog.get_logger("monitor.sources.folder")

SUFFIXES = HTML_SUFFIXES | TEXT_SUFFIXES | {".eml"}


class FolderOptions(Options):
    path: str = "inbox"
    interval: Duration = "5s"
    #: A file counts as complete when its size and mtime stay unchanged this long.
    settle: Duration = "1s"
    max_bytes: int = Field(default=20_000_000, ge=1)


def _eml(data: bytes) -> tuple[bytes, str, str | None]:
    """(body, kind, subject) of an e-mail message: its HTML part, else its text part."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    subject = str(msg.get("subject") or "") or None
    part = msg.get_body(preferencelist=("html", "plain")) if hasattr(msg, "get_body") else None
    if part is None:
        return b"", "text", subject
    content = part.get_content()
    kind = "html" if part.get_content_subtype() == "html" else "text"
    body = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    return body, kind, subject


class FolderSource:
    """Reads complete files from a directory, then moves them out of the way."""

    options_model: ClassVar[type[Options]] = FolderOptions
    type: ClassVar[str] = "folder"
    #: A drop folder may rightly stay empty for weeks: it is never reported silent.
    silence_after: float | None = None

    def __init__(self, name: str, options: FolderOptions) -> None:
        self.name = name
        self.options = options
        self.root = Path(options.path)
        self.interval = parse_duration(options.interval)
        self.settle = parse_duration(options.settle)
        self._seen: dict[str, tuple[int, int]] = {}
        self._paths: dict[str, Path] = {}

    async def _ready(self) -> list[Path]:
        """Entries whose size and mtime did not change over ``settle`` seconds (symlinks and specials
        included, so that they can be set aside)."""
        ready = self._look()
        if len(ready) < len(self._seen):
            await asyncio.sleep(self.settle)
            ready = self._look()
        return ready

    def _look(self) -> list[Path]:
        ready = []
        current: dict[str, tuple[int, int]] = {}
        try:
            entries = list(os.scandir(self.root))
        except FileNotFoundError:
            self.root.mkdir(parents=True, exist_ok=True)
            return []
        for entry in entries:
            if entry.name.startswith(".") or entry.is_dir(follow_symlinks=False):
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
        safe = "".join(ch if ch.isprintable() else "_" for ch in path.name)
        target = target_dir / safe
        n = 1
        while target.exists() or target.is_symlink():
            target = target_dir / f"{Path(safe).stem}.{n}{Path(safe).suffix}"
            n += 1
        os.replace(path, target)
        if reason is not None:
            target.with_name(target.name + ".reason").write_text(reason + "\n", encoding="utf-8")
        self._seen.pop(path.name, None)
        return target

    def _refuse(self, path: Path, reason: str) -> None:
        log.warning("folder.refused", source=self.name, path=str(path), reason=reason)
        try:
            self._move(path, "failed", reason)
        except OSError as exc:
            log.error("folder.move_failed", source=self.name, path=str(path), error=str(exc))

    def _read(self, path: Path) -> bytes | str:
        """The file's bytes, or the reason it is refused. Never follows a symlink, never opens a FIFO."""
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            return "is a symbolic link (links are not followed)"
        if not stat.S_ISREG(st.st_mode):
            return "is not a regular file (FIFO, socket or device)"
        if path.suffix.lower() not in SUFFIXES:
            return f"unsupported file type {path.suffix or '(none)'!r}; supported: {', '.join(sorted(SUFFIXES))}"
        if st.st_size > self.options.max_bytes:
            return f"is {st.st_size} bytes, over the {self.options.max_bytes}-byte limit"
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as fh:
            return fh.read(self.options.max_bytes + 1)

    async def poll(self, ctx: SourceContext) -> AsyncIterator[Document]:
        for path in await self._ready():
            try:
                data = self._read(path)
            except OSError as exc:
                data = f"cannot be read: {exc.strerror or exc}"
            if isinstance(data, str):
                self._refuse(path, data)
                continue
            digest = hashlib.sha256(data).hexdigest()[:16]
            key = f"file:{digest}"
            suffix = path.suffix.lower()
            title = None
            if suffix == ".eml":
                data, kind, title = _eml(data)
            else:
                kind = "html" if suffix in HTML_SUFFIXES else "text"
            doc = Document(source=self.name, key=key, path=str(path.resolve()), body=data, kind=kind, title=title,
                           version=digest, metadata={"filename": path.name})
            self._paths[key] = path
            if ctx.seen(key, digest):
                self.done(doc, True)  # processed before a crash or restart: only the move was missing
                continue
            yield doc

    def done(self, document: Document, ok: bool, reason: str | None = None) -> None:
        path = self._paths.pop(document.key, None)
        if path is None or not path.exists():
            return
        if ok:
            self._move(path, "processed")
        else:
            self._refuse(path, reason or "failed")


@hookimpl
def monitor_register_sources(register: RegisterSource) -> None:
    register(FolderSource)
