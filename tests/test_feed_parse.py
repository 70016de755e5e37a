"""Feed parsing with feedparser's base-URI joins remembered (``monitor.sources.feed._feedparser``) gives what
feedparser gives without: relative links, ``xml:base`` on the feed, its entries and their links, and broken
feeds (truncated, mutated, with lying encodings)."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from monitor.sources.feed import _feedparser
from tests.hostile.generate import good_rss, mutate

ATOM_BASES = b"""<?xml version='1.0' encoding='utf-8'?>
<feed xmlns='http://www.w3.org/2005/Atom' xml:base='http://example.org/news/'><title>Ex</title><id>urn:x</id>
<updated>2020-01-07T10:00:00Z</updated><link href='/'/>
<entry xml:base='world/'><title type='html'>&lt;b&gt;Blast&lt;/b&gt; kills 14</title><link href='kunduz?id=1'/>
<id>urn:x:1</id><updated>2020-01-07T10:00:00Z</updated><summary type='html'>&lt;a href="a/b"&gt;x&lt;/a&gt;</summary>
</entry>
<entry xml:base='https://other.example/'><title>Troops</title><link rel='alternate' href='../up/../troops'/>
<link rel='enclosure' href='//cdn.example/t.mp3'/><id>urn:x:2</id><updated>2020-01-08T10:00:00Z</updated>
<content type='xhtml'><div xmlns='http://www.w3.org/1999/xhtml'><a href='x'>x</a></div></content></entry>
<entry xml:base='javascript:alert(1)//'><title>Bad base</title><link href='x'/><id>urn:x:3</id></entry>
</feed>"""

RSS_RELATIVE = b"""<?xml version='1.0'?><rss version='2.0' xml:base='http://example.org/a/b/'><channel><title>T</title>
<link>/</link><description>d</description>
<item><title>One</title><link>one.html</link><guid isPermaLink='true'>/perma/1</guid></item>
<item><title>Two</title><link>../two.html?x=1#f</link><description>&lt;p&gt;Two&lt;/p&gt;</description></item>
<item><title>Three</title><link>HTTP://EXAMPLE.ORG:80//three</link></item>
</channel></rss>"""


def _feeds() -> list[tuple[bytes, str]]:
    rng = random.Random(7)
    base = good_rss(6).encode()
    feeds = [(ATOM_BASES, "http://example.org/feed"), (RSS_RELATIVE, "http://example.org/rss"),
             (RSS_RELATIVE, "https://elsewhere.example/x/y")]
    feeds += [(base[: len(base) * cut // 12], "http://127.0.0.1:9/feed") for cut in range(1, 12)]
    feeds += [(mutate(base, rng, rng.randrange(1, 30)), "http://127.0.0.1:9/feed") for _ in range(40)]
    feeds += [(mutate(ATOM_BASES, rng, rng.randrange(1, 10)), "http://example.org/feed") for _ in range(40)]
    text = good_rss(3).replace("T</title>", "Tést ü ☃</title>")
    feeds += [(text.encode("latin-1", "replace"), "http://127.0.0.1:9/feed"),
              (text.replace("utf-8", "utf-16").encode("utf-8"), "http://127.0.0.1:9/feed")]
    return feeds


def _parse(body: bytes, url: str) -> str:
    parsed = _feedparser().parse(body, sanitize_html=False, resolve_relative_uris=False,
                                 response_headers={"content-type": "application/xml", "content-location": url})
    return json.dumps(parsed, default=str, sort_keys=True, ensure_ascii=False)


@pytest.fixture
def unremembered(monkeypatch: pytest.MonkeyPatch) -> Any:
    """feedparser's own join, for the duration of a call."""
    import feedparser.mixin

    def plain(body: bytes, url: str) -> str:
        with monkeypatch.context() as m:
            m.setattr(feedparser.mixin, "make_safe_absolute_uri", feedparser.mixin.make_safe_absolute_uri.__wrapped__)
            return _parse(body, url)
    return plain


def test_the_join_is_remembered() -> None:
    import feedparser.mixin

    _feedparser()
    assert hasattr(feedparser.mixin.make_safe_absolute_uri, "cache_info")


def test_parsing_gives_what_feedparser_gives_without_remembered_joins(unremembered: Any) -> None:
    for body, url in _feeds():
        # twice: the second parse reads the joins the first one left
        assert _parse(body, url) == unremembered(body, url) == _parse(body, url)
    atom = json.loads(_parse(ATOM_BASES, "http://example.org/feed"))
    assert [e["link"] for e in atom["entries"]][:2] == ["http://example.org/news/world/kunduz?id=1",
                                                        "https://other.example/troops"]


def test_long_arguments_are_not_remembered() -> None:
    join = _feedparser().mixin.make_safe_absolute_uri
    before = join.cache_info().currsize
    long = "http://example.org/" + "a" * 5000
    assert join(long, "b") == join.__wrapped__(long, "b") == "http://example.org/b"
    assert join(long, "c") == "http://example.org/c"
    assert join.cache_info().currsize == before
