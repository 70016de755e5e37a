"""The drop folder: files dropped into a directory become documents.

The rules (also in the README):

- A file is taken once it is stable: its size and modification time unchanged for ``settle``.
- Taking is a move first: the file is renamed into ``.taking/`` and only then opened and read, so what is
  analysed is exactly the file that was moved. A file replaced in the inbox (``os.replace``) after that is a
  new file, taken on a later poll.
- After its article is stored the file goes to ``processed/``; when it cannot be read, to ``failed/`` with a
  ``NAME.reason`` file beside it. If it changed after it was read (a writer still appending), it is not moved
  on: it waits in ``.taking/`` until stable and is read again whole, under the same identity, so only what
  is new can alert. Files left in ``.taking/`` by a crash are read on the next start.
- Symlinks, FIFOs, devices, hard-linked files (more than one link: the same bytes may belong to a file
  outside the inbox), unsupported suffixes and files over ``max_bytes`` are never opened: they go to
  ``failed/`` with the reason (the link itself is moved, never its target).
- Names: control characters become ``_``; names that are not UTF-8 are kept byte for byte on disk and shown
  with U+FFFD in logs and the store; a name that would not fit beside its ``.reason`` (255 bytes) or with a
  ``.N`` suffix added on a clash is shortened on a character boundary, its extension kept.
- The only copy of a file is never deleted.
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
TAKING = ".taking"
REASON = ".reason"
#: The longest file name most file systems take, in bytes.
NAME_MAX = 255


def display(name: str) -> str:
    """A name as text that can go anywhere (logs, the store): bytes that are not UTF-8 become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _clean(name: str) -> str:
    """Control characters become ``_``; undecodable bytes (surrogate escapes) are kept as they are."""
    return "".join(ch if ch.isprintable() or "\udc80" <= ch <= "\udcff" else "_" for ch in name)


def _fit(stem: str, tail: str) -> str:
    """``stem + tail``, the stem shortened so that the name and its ``.reason`` fit in NAME_MAX bytes, cut
    on a UTF-8 character boundary when the name is UTF-8."""
    budget = max(1, NAME_MAX - len(REASON) - len(os.fsencode(tail)))
    raw = os.fsencode(stem)
    if len(raw) <= budget:
        return stem + tail
    raw = raw[:budget]
    for drop in range(4):
        try:
            raw[: len(raw) - drop].decode("utf-8")
        except UnicodeDecodeError:
            continue
        raw = raw[: len(raw) - drop]
        break
    return os.fsdecode(raw) + tail


def _split(name: str) -> tuple[str, str]:
    suffix = Path(name).suffix
    if not suffix or len(suffix) > 16 or suffix == name:
        return name, ""
    return name[: -len(suffix)], suffix


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
    """Reads complete files from a directory, then moves them out of the way (see the module's rules)."""

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
        self._seen_taken: dict[str, tuple[int, int]] = {}
        #: key -> (path in .taking, (size, mtime) when read, the name it was dropped under)
        self._paths: dict[str, tuple[Path, tuple[int, int], str]] = {}
        #: name in .taking -> key, for a file that changed after it was read: read again under that key
        self._keys: dict[str, str] = {}
        self._origin: dict[str, str] = {}

    @property
    def taking(self) -> Path:
        return self.root / TAKING

    async def _ready(self) -> tuple[list[Path], list[Path]]:
        """Inbox entries and ``.taking/`` files whose size and mtime did not change over ``settle`` seconds
        (symlinks and specials included, so that they can be set aside)."""
        inbox, taken = self._look(), self._taken_ready()
        if len(inbox) < len(self._seen) or len(taken) < len(self._seen_taken):
            await asyncio.sleep(self.settle)
            inbox, taken = self._look(), self._taken_ready()
        return inbox, taken

    def _look(self) -> list[Path]:
        ready, self._seen = _stable(self.root, self._seen)
        return ready

    def _move(self, path: Path, folder: str, name: str | None = None, reason: str | None = None) -> Path:
        target_dir = self.root / folder
        target_dir.mkdir(exist_ok=True)
        stem, suffix = _split(_clean(name or path.name))
        target = target_dir / _fit(stem, suffix)
        n = 1
        while target.exists() or target.is_symlink():
            target = target_dir / _fit(stem, f".{n}{suffix}")
            n += 1
        os.replace(path, target)
        if reason is not None:
            target.with_name(target.name + REASON).write_text(reason + "\n", encoding="utf-8")
        self._seen.pop(path.name, None)
        return target

    def _refuse(self, path: Path, reason: str, name: str | None = None) -> None:
        log.warning("folder.refused", source=self.name, path=display(str(path)), reason=reason)
        try:
            self._move(path, "failed", name, reason)
        except OSError as exc:
            log.error("folder.move_failed", source=self.name, path=display(str(path)), error=str(exc))

    def _refusal(self, st: os.stat_result, name: str) -> str | None:
        """Why a file is not read, from its status alone (never opened)."""
        if stat.S_ISLNK(st.st_mode):
            return "is a symbolic link (links are not followed)"
        if not stat.S_ISREG(st.st_mode):
            return "is not a regular file (FIFO, socket or device)"
        if st.st_nlink > 1:
            return (f"has {st.st_nlink} hard links: its bytes may belong to a file outside the inbox, so it is "
                    "not read (copy it in instead)")
        suffix = Path(name).suffix.lower()
        if suffix not in SUFFIXES:
            return f"unsupported file type {suffix or '(none)'!r}; supported: {', '.join(sorted(SUFFIXES))}"
        if st.st_size > self.options.max_bytes:
            return f"is {st.st_size} bytes, over the {self.options.max_bytes}-byte limit"
        return None

    def _read(self, path: Path, name: str) -> tuple[bytes, tuple[int, int]] | str:
        """The file's bytes and (size, mtime) as read, or the reason it is refused. Never follows a symlink,
        never blocks on a FIFO; the checks are made again on the opened file."""
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fd)
            reason = self._refusal(st, name)
            if reason:
                return reason
            data = fh.read(self.options.max_bytes + 1)
            after = os.fstat(fd)
        if len(data) > self.options.max_bytes:
            return f"grew over the {self.options.max_bytes}-byte limit while it was read"
        return data, (after.st_size, after.st_mtime_ns)

    def _take(self, path: Path) -> Path | None:
        """Set a stable inbox file aside if it must not be read, else move it into ``.taking/``."""
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return None
        reason = self._refusal(st, path.name)
        if reason:
            self._refuse(path, reason)
            return None
        try:
            taken = self._move(path, TAKING)
        except OSError as exc:
            log.error("folder.move_failed", source=self.name, path=display(str(path)), error=str(exc))
            return None
        self._origin[taken.name] = path.name
        return taken

    def _taken_ready(self) -> list[Path]:
        """Files in ``.taking/`` not being processed and stable (just moved there, or unchanged since the
        last poll: a file that changed after it was read, or one a crash left behind)."""
        busy = {p.name for p, _, _ in self._paths.values()}
        known = {n: sig for n, sig in self._seen_taken.items() if n not in busy}
        ready, current = _stable(self.taking, known)
        self._seen_taken = {n: sig for n, sig in current.items() if n not in busy}
        return [p for p in ready if p.name not in busy]

    async def poll(self, ctx: SourceContext) -> AsyncIterator[Document]:
        inbox, taken = await self._ready()
        moved = [p for p in (self._take(path) for path in inbox) if p is not None]
        for path in sorted({*taken, *moved}):
            name = self._origin.get(path.name, path.name)
            try:
                data = self._read(path, name)
            except OSError as exc:
                data = f"cannot be read: {exc.strerror or exc}"
            if isinstance(data, str):
                self._forget(path.name)
                self._refuse(path, data, name)
                continue
            body, sig = data
            digest = hashlib.sha256(body).hexdigest()[:16]
            key = self._keys.get(path.name) or f"file:{digest}"
            suffix = Path(name).suffix.lower()
            title = None
            if suffix == ".eml":
                body, kind, title = _eml(body)
            else:
                kind = "html" if suffix in HTML_SUFFIXES else "text"
            doc = Document(source=self.name, key=key, path=display(str(self.root.resolve() / name)), body=body,
                           kind=kind, title=title, version=digest, metadata={"filename": display(name)})
            self._paths[key] = (path, sig, name)
            if ctx.seen(key, digest):
                self.done(doc, True)  # processed before a crash or restart: only the move was missing
                continue
            yield doc

    def _forget(self, taken: str) -> None:
        self._keys.pop(taken, None)
        self._origin.pop(taken, None)
        self._seen_taken.pop(taken, None)

    def done(self, document: Document, ok: bool, reason: str | None = None) -> None:
        entry = self._paths.pop(document.key, None)
        if entry is None:
            return
        path, sig, name = entry
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            self._forget(path.name)
            return
        if (st.st_size, st.st_mtime_ns) != sig:
            # Still being written after it was read: read it again whole once it settles, same identity.
            self._keys[path.name] = document.key
            log.warning("folder.changed_while_read", source=self.name, path=display(name),
                        outcome="kept in .taking and read again once stable")
            return
        self._forget(path.name)
        if ok:
            try:
                self._move(path, "processed", name)
            except OSError as exc:
                log.error("folder.move_failed", source=self.name, path=display(name), error=str(exc))
        else:
            self._refuse(path, reason or "failed", name)


def _stable(folder: Path, before: dict[str, tuple[int, int]]) -> tuple[list[Path], dict[str, tuple[int, int]]]:
    """Entries of ``folder`` (not hidden, not directories) whose (size, mtime) equal ``before``'s, and the
    (size, mtime) of every entry now."""
    ready = []
    current: dict[str, tuple[int, int]] = {}
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        folder.mkdir(parents=True, exist_ok=True)
        return [], {}
    for entry in entries:
        if entry.name.startswith(".") or entry.is_dir(follow_symlinks=False):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue
        sig = (st.st_size, st.st_mtime_ns)
        current[entry.name] = sig
        if before.get(entry.name) == sig:
            ready.append(Path(entry.path))
    return sorted(ready), current


@hookimpl
def monitor_register_sources(register: RegisterSource) -> None:
    register(FolderSource)
