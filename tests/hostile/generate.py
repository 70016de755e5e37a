"""Generate a corpus of malformed and hostile inputs (deterministic: seeded).

    python -m tests.hostile.generate DIR     # writes DIR/feeds/* and DIR/pages/*, prints the counts

feeds/ go through the feed path (served over HTTP, some with a Content-Encoding header given in the
file name); pages/ go through ``monitor check``. Families: truncated and invalid XML, wrong or lying
encodings, entity expansion ("billion laughs") and external entities, a gzip bomb and an oversized body,
endless and very long lines, HTML served as a feed, thousands of entries, bad dates, empty and binary
files, pages that make extraction slow, and random mutations of good feeds and pages.
"""

from __future__ import annotations

import gzip
import random
import sys
from pathlib import Path

from tests.newsroom import STORIES, page

SEED = 20261125


def good_rss(n: int = 5, date: str = "Tue, 07 Jan 2020 10:00:00 GMT") -> str:
    items = "".join(
        f"<item><title>{title} {i}</title><link>http://127.0.0.1:9/news/{i}</link><guid>g{i}</guid>"
        f"<description>{body[:160]}</description><pubDate>{date}</pubDate></item>"
        for i, (title, body) in enumerate(list(STORIES.values()) * (n // 3 + 1)) if i < n
    )
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>T</title>"
            f"<link>http://127.0.0.1:9/</link><description>d</description>{items}</channel></rss>")


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">{defs}]>
<rss version="2.0"><channel><title>&lol{depth};</title><item><title>x</title><description>&lol{depth};</description>
</item></channel></rss>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "{target}">]>
<rss version="2.0"><channel><title>t</title><item><title>&xxe;</title><guid>xxe</guid>
<description>Three people were killed. &xxe;</description></item></channel></rss>"""


def laughs(depth: int) -> str:
    defs = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                   for i in range(1, depth + 1))
    return BILLION_LAUGHS.format(defs=defs, depth=depth)


def mutate(data: bytes, rng: random.Random, flips: int) -> bytes:
    b = bytearray(data)
    for _ in range(flips):
        op = rng.random()
        pos = rng.randrange(max(1, len(b)))
        if op < 0.4:
            b[pos] = rng.randrange(256)
        elif op < 0.7:
            del b[pos:pos + rng.randrange(1, 40)]
        else:
            b[pos:pos] = bytes(rng.choice([b"<", b">", b"&", b"]]>", b"\x00", b"<!--", b"<![CDATA[", b"\xff\xfe"]))
    return bytes(b)


def generate(root: Path) -> dict[str, int]:
    rng = random.Random(SEED)
    feeds, pages = root / "feeds", root / "pages"
    feeds.mkdir(parents=True, exist_ok=True)
    pages.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}

    def add(folder: Path, family: str, name: str, data: bytes) -> None:
        counts[family] = counts.get(family, 0) + 1
        (folder / f"{family}-{counts[family]:04d}-{name}").write_bytes(data)

    base = good_rss(6).encode()
    for cut in range(1, 60):
        add(feeds, "truncated", "feed.xml", base[: len(base) * cut // 60])
    for _ in range(250):
        add(feeds, "mutated", "feed.xml", mutate(base, rng, rng.randrange(1, 30)))
    text = good_rss(3)
    for enc, declared in [("latin-1", "utf-8"), ("utf-8", "utf-16"), ("utf-8", "shift_jis"), ("cp1252", "utf-8"),
                          ("utf-16", "utf-8"), ("utf-8", "nonsense-charset"), ("utf-32", "utf-8")]:
        body = text.replace("encoding='utf-8'", f"encoding='{declared}'").replace("T</title>", "Tést ü ☃</title>")
        for bom in (b"", b"\xef\xbb\xbf", b"\xff\xfe"):
            add(feeds, "encoding", "feed.xml", bom + body.encode(enc, errors="replace"))
    for depth in (3, 5, 8, 10, 12):
        add(feeds, "laughs", "feed.xml", laughs(depth).encode())
        add(pages, "laughs", "page.html", laughs(depth).replace("rss", "html").encode())
    for target in ("file:///etc/passwd", "file:///proc/self/environ", "http://169.254.169.254/latest/meta-data/",
                   "http://127.0.0.1:9/x", "/etc/hostname"):
        add(feeds, "xxe", "feed.xml", XXE.format(target=target).encode())
        add(pages, "xxe", "page.html", XXE.format(target=target).replace("rss", "html").encode())
    add(feeds, "gzipbomb", "feed.xml.gz", gzip.compress(b"<rss>" + b" " * 200_000_000 + b"</rss>", 9))
    add(feeds, "oversized", "feed.xml", good_rss(3).encode() + b"<!--" + b"x" * 30_000_000 + b"-->")
    for size in (100_000, 1_000_000, 5_000_000):
        add(feeds, "longline", "feed.xml", good_rss(2).replace("<title>T", "<title>" + "A" * size).encode())
        add(pages, "longline", "page.txt", ("Five people were killed. " + "z" * size).encode())
        add(pages, "longline", "page.html", b"<html><body><p>" + b"word " * (size // 5) + b"</p></body></html>")
    for i in range(10):
        add(feeds, "htmlfeed", "feed.xml", page(*list(STORIES.values())[i % 3]))
    add(feeds, "manyentries", "feed.xml", good_rss(5000).encode())
    add(feeds, "manyentries", "feed.xml", good_rss(20000).encode())
    for date in ["", "yesterday", "Tue, 99 Foo 99999 99:99:99", "0000-00-00", "-1", "2020-13-45T25:61:61Z",
                 "Mon, 01 Jan 0001 00:00:00 GMT", "9" * 400, "Fri, 31 Dec 9999 23:59:59 +9999", "\u202e2020"]:
        for _ in range(3):
            add(feeds, "baddate", "feed.xml", good_rss(2, date).encode())
    for n in (0, 1, 3, 1000, 100_000):
        add(feeds, "binary", "feed.xml", rng.randbytes(n))
        add(pages, "binary", "page.html", rng.randbytes(n))
        add(pages, "binary", "page.txt", rng.randbytes(n))
    for junk in (b"", b"   \n\t ", b"\x00" * 100, b"\xef\xbb\xbf"):
        add(feeds, "empty", "feed.xml", junk)
        add(pages, "empty", "page.txt", junk)
        add(pages, "empty", "page.html", junk)
    slow = [
        "<html><body>" + "<div>" * 20000 + "<p>Two soldiers were killed.</p>" + "</div>" * 20000 + "</body></html>",
        "<html><body><div " + " ".join(f'a{i}="{i}"' for i in range(50000)) + "><p>Four people were injured in a "
        "crash on the motorway near the city on Sunday evening, police said.</p></div></body></html>",
        "<html><body><table>" + ("<tr>" + "<td>x</td>" * 300 + "</tr>") * 1500 + "</table></body></html>",
        "<html><body>" + "<p>Ten soldiers were wounded on the front line.</p>" * 20000 + "</body></html>",
        "<html><body>" + "<span>" * 5000 + "text " * 1000 + "</body></html>",
    ]
    for html in slow:
        add(pages, "slow", "page.html", html.encode())
    good_pages = [page(t, b) for t, b in STORIES.values()]
    for _ in range(420):
        add(pages, "mutated", "page.html", mutate(rng.choice(good_pages), rng, rng.randrange(1, 60)))
    weird = ["\u200b\u200c\u200d" * 1000, "\u202eFive people were killed.\u202c", "\ud7ff" * 50, "☃" * 10000,
             "Nine\u00a0people\u00a0were\u00a0killed.", "\r\r\r" * 1000, "\t" * 100000, "🔥" * 5000]
    for i in range(160):
        text = rng.choice(weird) + " " + rng.choice(list(STORIES.values()))[1][: rng.randrange(0, 300)]
        add(pages, "unicode", "page.md" if i % 2 else "page.txt", text.encode("utf-8", "surrogatepass"))
    return counts


if __name__ == "__main__":
    counts = generate(Path(sys.argv[1]))
    print(f"{sum(counts.values())} inputs: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
