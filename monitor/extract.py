"""Bytes or text in, an :class:`~monitor.model.Article` out.

HTML goes through trafilatura (main text and metadata); plain text and Markdown are taken as they are.
Input that is empty, binary or undecodable raises :class:`~monitor.errors.InputError` naming the input.
"""

from __future__ import annotations

import hashlib
import re
from html import unescape
from pathlib import Path
from typing import Any

from monitor.errors import InputError
from monitor.model import Article, Document, stable_id

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".text"})
SUPPORTED_SUFFIXES = HTML_SUFFIXES | TEXT_SUFFIXES

_HTML_SNIFF = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<meta|<!--)", re.IGNORECASE)
_HTML_TAGS = re.compile(rb"<(?:p|div|article|body|br|h[1-6])[\s>/]", re.IGNORECASE)
_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)

#: Extraction settings chosen on measured quality: on the 181 ScrapingHub benchmark news pages ``fast``
#: without comments scores 0.962 shingle F1 against 0.952 for the defaults, at ~1.5x the speed. trafilatura's
#: metadata pass (htmldate, author and tag heuristics) costs as much again as the fast extraction, so the few
#: fields an alert needs are read from the page head by :func:`page_metadata` instead (README, "Performance").
TRAFILATURA_OPTIONS: dict[str, Any] = {"include_comments": False, "fast": True}

_HEAD_LIMIT = 200_000
MAX_TAGS = 250_000
_OVERLONG_TAG = re.compile(r"<([a-zA-Z][\w:-]*)\s[^<>]{20000,}?>")
_META = re.compile(
    r"""<meta\s+(?=[^>]*?(?:property|name|itemprop)\s*=\s*["']([^"']+)["'])(?=[^>]*?content\s*=\s*"([^"]*)"|"""
    r"""[^>]*?content\s*=\s*'([^']*)')[^>]*>""",
    re.IGNORECASE,
)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_LANG = re.compile(r"""<html[^>]*?\blang\s*=\s*["']?([A-Za-z]{2})""", re.IGNORECASE)
_TIME = re.compile(r"""<time[^>]*?datetime\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_JSONLD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
_META_KEYS = {
    "og:title": "title", "twitter:title": "title", "article:published_time": "published", "datepublished": "published",
    "pubdate": "published", "date": "published", "dc.date": "published", "dc.date.issued": "published",
    "author": "author", "article:author": "author", "og:site_name": "sitename", "description": "description",
    "og:description": "description", "og:locale": "language",
}


def page_metadata(html: str) -> dict[str, str]:
    """Title, publication date (ISO date), author, site name, description and language from a page's head:
    Open Graph and article meta tags, ``<title>``, ``<time datetime>``, JSON-LD ``datePublished``."""
    head = html[:_HEAD_LIMIT]
    out: dict[str, str] = {}
    for m in _META.finditer(head):
        key = _META_KEYS.get(m.group(1).lower())
        value = (m.group(2) if m.group(2) is not None else m.group(3) or "").strip()
        if key and value and key not in out:
            out[key] = unescape(value)
    if "title" not in out:
        t = _TITLE.search(head)
        if t and t.group(1).strip():
            out["title"] = unescape(" ".join(t.group(1).split()))
    if "published" not in out:
        for rx in (_JSONLD_DATE, _TIME):
            d = rx.search(html)
            if d:
                out["published"] = d.group(1)
                break
    if "published" in out:
        d = _DATE.search(out["published"])
        if d:
            out["published"] = d.group(1)
        else:
            del out["published"]
    lang = _LANG.search(head)
    if lang:
        out["language"] = lang.group(1).lower()
    elif "language" in out:
        out["language"] = out["language"][:2].lower()
    return out


def looks_like_html(data: bytes) -> bool:
    """Sniff the first few KB: a doctype/html/head/body start, or common block tags."""
    head = data[:4096]
    return bool(_HTML_SNIFF.match(head) or len(_HTML_TAGS.findall(head)) >= 2)


def _is_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > len(sample) * 0.05


def decode_text(data: bytes, where: str, declared: str | None = None) -> str:
    """Decode bytes as text: declared charset, then UTF-8 (BOM aware), then Windows-1252."""
    if _is_binary(data):
        raise InputError(where, "looks like a binary file, not text or HTML")
    candidates = [c for c in (declared, "utf-8-sig", "cp1252") if c]
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace")


def article_from_html(
    data: bytes | str, *, where: str, url: str | None = None, path: str | None = None,
    source: str | None = None,
) -> Article:
    """Extract main text and metadata from an HTML page with trafilatura."""
    import trafilatura  # heavy import, paid only by callers that see HTML

    if isinstance(data, bytes):
        m = _CHARSET.search(data[:4096])
        html = decode_text(data, where, m.group(1).decode("ascii", "replace") if m else None)
    else:
        html = data
    if not html.strip():
        raise InputError(where, "is empty")
    # lxml's parser is quadratic in the number of attributes of one tag: a tag of 50,000 attributes takes
    # 20 s. Tags that long carry no text, so their attributes are dropped before parsing.
    html = _OVERLONG_TAG.sub(r"<\1>", html)
    # Extraction time grows with the element count; news pages have a few thousand. A page with hundreds of
    # thousands is refused rather than allowed to hold a worker for many seconds.
    tags = html.count("<")
    if tags > MAX_TAGS:
        raise InputError(where, f"has {tags:,} tags, over the {MAX_TAGS:,} accepted for one page")
    try:
        doc = trafilatura.bare_extraction(html, url=url, **TRAFILATURA_OPTIONS)
    except Exception as exc:  # trafilatura raises assorted lxml errors on broken markup
        raise InputError(where, f"HTML could not be parsed: {exc}") from None
    text = getattr(doc, "text", None) or ""
    if not text.strip():
        raise InputError(where, "no main text could be extracted from the HTML")
    head = page_metadata(html)
    meta: dict[str, str] = {k: head[k] for k in ("author", "sitename", "description") if k in head}
    meta["extractor"] = "trafilatura"
    return Article.create(
        text.strip(),
        url=url,
        path=path,
        source=source,
        title=head.get("title") or getattr(doc, "title", None),
        published=head.get("published"),
        language=head.get("language"),
        metadata=meta,
    )


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _whole_characters(text: str) -> str:
    """``text`` with each lone surrogate as U+FFFD. UTF-7 and UTF-16 can spell half of a surrogate pair, which
    Python decodes to a code point nothing after can encode (the content hash, the store, the phrase automata)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text)
    return text


def article_from_text(
    text: str, *, where: str, url: str | None = None, path: str | None = None, source: str | None = None,
    title: str | None = None,
) -> Article:
    """Plain text (or Markdown) taken as it is; the title is the first line when it is short."""
    text = _whole_characters(text).replace("\r\n", "\n").strip()
    if not text:
        raise InputError(where, "is empty")
    if title is None:
        first = text.split("\n", 1)[0].strip().lstrip("# ").strip()
        title = first if 0 < len(first) <= 200 else None
    return Article.create(text, url=url, path=path, source=source, title=title, metadata={"extractor": "text"})


def article_from_bytes(
    data: bytes, *, where: str, kind: str | None = None, url: str | None = None, path: str | None = None,
    source: str | None = None, charset: str | None = None,
) -> Article:
    """Turn raw bytes into an article; ``kind`` is "html", "text" or None to sniff."""
    if not data.strip():
        raise InputError(where, "is empty")
    if _is_binary(data):
        raise InputError(where, "looks like a binary file, not text or HTML")
    if kind is None:
        kind = "html" if looks_like_html(data) else "text"
    if kind == "html":
        return article_from_html(data, where=where, url=url, path=path, source=source)
    return article_from_text(decode_text(data, where, charset), where=where, url=url, path=path, source=source)


def kind_for_content_type(content_type: str) -> str | None:
    """"html", "text" or None (sniff the bytes) for an HTTP Content-Type: what a fetched page is read as, by the
    daemon and by ``monitor check`` alike."""
    if "html" in content_type:
        return "html"
    if content_type.startswith("text/"):
        return "text"
    return None


def kind_for_path(path: Path) -> str:
    """"html" or "text" for a supported file name; InputError for anything else."""
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in TEXT_SUFFIXES:
        return "text"
    supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
    raise InputError(str(path), f"unsupported file type {suffix or '(no suffix)'!r}; supported: {supported}")


def article_from_path(path: Path, *, source: str | None = None, max_bytes: int = 20_000_000) -> Article:
    """Read one supported file into an article."""
    where = str(path)
    kind = kind_for_path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(where, f"is {size} bytes, over the {max_bytes}-byte limit")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(where, "no such file") from None
    except IsADirectoryError:
        raise InputError(where, "is a directory") from None
    except OSError as exc:
        raise InputError(where, f"cannot be read: {exc.strerror or exc}") from None
    article = article_from_bytes(data, where=where, kind=kind, path=str(path.resolve()), source=source)
    # The id the daemon gives this file when it is dropped in a folder (its content, not where it lies), so
    # `monitor check` prints the same id on every machine and for every checkout.
    return article.with_changes(id=stable_id("loc", file_key(data)))


def file_key(data: bytes) -> str:
    """A file's item key: its content's hash (the drop folder's key, and the base of its article id)."""
    return "file:" + hashlib.sha256(data).hexdigest()[:16]


def extract_for_document(body: bytes, kind: str | None, *, where: str, url: str | None, path: str | None,
                         source: str | None, charset: str | None = None) -> dict[str, Any]:
    """Process-pool entry point: bytes to an article as a plain dict (cheap to send between processes)."""
    article = article_from_bytes(body, where=where, kind=kind, url=url, path=path, source=source,
                                 charset=charset)
    return article.to_dict()


def with_feed_fields(article: Article, doc: Document) -> Article:
    """The feed's title and date fill what the page did not say; the source name is the configured one. A
    dropped file's identity is its content (its key), not the name it was dropped under, which a later,
    different file may reuse."""
    return article.with_changes(
        id=stable_id("loc", doc.key) if doc.url is None else article.id,
        source=doc.source,
        title=article.title or doc.title,
        published=article.published or doc.published,
        metadata={**article.metadata, **({"guid": doc.metadata["guid"]} if "guid" in doc.metadata else {})},
    )
