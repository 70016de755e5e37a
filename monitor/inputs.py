"""Resolve what the user pointed ``monitor check`` at — paths, directories, URLs, ``-`` — into articles.

Each input yields either an article or an :class:`~monitor.errors.InputError` that names it; one bad input
never stops the others.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from monitor.config import DaemonConfig
from monitor.errors import InputError
from monitor.extract import SUPPORTED_SUFFIXES, article_from_bytes, article_from_path
from monitor.fetch import fetcher_for
from monitor.model import Article
from monitor.reading import fetch_page


@dataclass(frozen=True)
class Outcome:
    """The result of reading one input: an article, or the error that names what was wrong."""

    where: str
    article: Article | None = None
    error: InputError | None = None


def is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def expand(inputs: Sequence[str]) -> Iterator[str | InputError]:
    """Inputs with directories replaced by the supported files inside them (sorted, hidden ones skipped); a
    directory with none is an InputError in its place."""
    for item in inputs:
        if item == "-" or is_url(item):
            yield item
            continue
        path = Path(item)
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not files:
                yield InputError(item, "directory holds no supported files "
                                       f"({', '.join(sorted(SUPPORTED_SUFFIXES))})")
            yield from (str(p) for p in files)
        else:
            yield item


async def _fetch_all(urls: list[str], daemon: DaemonConfig
                     ) -> dict[str, InputError | tuple[bytes, str | None, str | None]]:
    """Each URL fetched as the processor fetches a page (:func:`monitor.reading.fetch_page`)."""
    results: dict[str, InputError | tuple[bytes, str | None, str | None]] = {}
    async with fetcher_for(daemon) as fetcher:

        async def one(url: str) -> None:
            try:
                results[url] = await fetch_page(fetcher, url)
            except InputError as exc:
                results[url] = exc

        await asyncio.gather(*(one(u) for u in urls))
    return results


def read_inputs(inputs: Sequence[str], *, stdin: bytes | None = None,
                daemon: DaemonConfig | None = None) -> Iterator[Outcome]:
    """Turn each input into an :class:`Outcome`, in the order given. URLs are fetched as the daemon fetches
    them (``daemon``: its guard, timeouts and size cap; the defaults refuse non-public addresses)."""
    items = list(expand(inputs))
    urls = [i for i in items if isinstance(i, str) and is_url(i)]
    fetched = asyncio.run(_fetch_all(urls, daemon or DaemonConfig())) if urls else {}
    for item in items:
        if isinstance(item, InputError):
            yield Outcome(item.where, error=item)
            continue
        try:
            yield Outcome(item, article=_read_one(item, fetched, stdin))
        except InputError as exc:
            yield Outcome(item, error=exc)


def _read_one(item: str, fetched: dict[str, InputError | tuple[bytes, str | None, str | None]],
              stdin: bytes | None) -> Article:
    if item == "-":
        data = stdin if stdin is not None else sys.stdin.buffer.read()
        return article_from_bytes(data, where="<stdin>", source="stdin")
    if is_url(item):
        result = fetched[item]
        if isinstance(result, InputError):
            raise result
        body, kind, charset = result
        return article_from_bytes(body, where=item, kind=kind, url=item, source="url", charset=charset)
    path = Path(item)
    if not path.exists():
        raise InputError(item, "no such file or directory")
    return article_from_path(path, source="file")
