"""A document's bytes as the processor reads them, for the daemon and ``monitor check`` alike: a page fetched
through the one HTTP client and what its Content-Type says it is; bytes taken as text."""

from __future__ import annotations

from monitor.extract import article_from_text, kind_for_content_type
from monitor.fetch import Fetcher, FetchError
from monitor.model import Article


async def fetch_page(fetcher: Fetcher, url: str) -> tuple[bytes, str | None, str | None]:
    """GET ``url``: its body, what it is read as (``kind_for_content_type``) and its charset. FetchError (naming
    the URL) when it cannot be fetched or there is no body to read."""
    resp = await fetcher.get(url)
    if resp.status == 304:
        raise FetchError(url, "HTTP 304 without a body")
    return resp.body, kind_for_content_type(resp.content_type), resp.charset


def text_article(body: bytes, charset: str | None, where: str, url: str | None, path: str | None,
                 source: str | None, title: str | None) -> Article:
    """Bytes that are plain text: decoded (the charset given, else UTF-8) and taken as they are."""
    return article_from_text(body.decode(charset or "utf-8", "replace"), where=where, url=url, path=path,
                             source=source, title=title)
