"""A local newsroom for tests and benchmarks: RSS/Atom feeds and article pages served on 127.0.0.1."""

from __future__ import annotations

import http.server
import threading
from html import escape

STORIES = {
    "blast": ("Blast kills 14 in Kunduz",
              "A suicide bomber struck a crowded bus station in the northern city of Kunduz on Tuesday, killing "
              "at least 14 people and wounding 31, provincial officials said. No group immediately claimed "
              "responsibility for the blast. Hospital staff said several of the wounded were in critical "
              "condition, and relatives gathered outside the hospital late into the night."),
    "troops": ("Pentagon to send 3,000 troops",
               "The Pentagon said it would send about 3,000 additional troops to the Middle East to bolster "
               "defences after the embassy attack. Paratroopers from the 82nd Airborne Division were expected to "
               "arrive in Kuwait within days, officials said on Sunday evening."),
    "quiet": ("Bridge reopens after restoration",
              "A 1,000-year-old bridge reopened to visitors on Sunday after a 12-year restoration that cost 40 "
              "million euros. The city expects 300,000 tourists this summer, the mayor told reporters at the "
              "ceremony, praising the craftsmen who worked on the project."),
}


def page(title: str, body: str, extra: str = "") -> bytes:
    paras = "".join(f"<p>{escape(p)}</p>" for p in body.split("\n\n"))
    nav = "".join(f'<li><a href="/s/{i}">Section {i}</a></li>' for i in range(12))
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title></head><body>"
        f"<nav><ul>{nav}</ul></nav><article><h1>{escape(title)}</h1>{paras}{extra}</article>"
        "<footer><p>Copyright Example News. All rights reserved.</p></footer></body></html>"
    ).encode()


def rss(base: str, items: list[tuple[str, str, str]], *, guid: bool = True) -> bytes:
    """``items``: (slug, title, summary)."""
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>{base}/news/{slug}?utm_source=rss</link>"
        + (f"<guid isPermaLink='false'>id-{slug}</guid>" if guid else "")
        + f"<description>{escape(summary)}</description><pubDate>Tue, 07 Jan 2020 10:00:00 GMT</pubDate></item>"
        for slug, t, summary in items
    )
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Example</title>"
            f"<link>{base}/</link><description>News</description>{entries}</channel></rss>").encode()


def atom(base: str, items: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(
        f"<entry><title>{escape(t)}</title><link href='{base}/news/{slug}'/><id>urn:x:{slug}</id>"
        f"<updated>2020-01-07T10:00:00Z</updated><summary>{escape(summary)}</summary></entry>"
        for slug, t, summary in items
    )
    return (f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>Ex</title>"
            f"<id>urn:x</id><updated>2020-01-07T10:00:00Z</updated>{entries}</feed>").encode()


def rss1(base: str, items: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(
        f"<item rdf:about='{base}/news/{slug}'><title>{escape(t)}</title><link>{base}/news/{slug}</link>"
        f"<description>{escape(summary)}</description></item>"
        for slug, t, summary in items
    )
    return ("<?xml version='1.0'?><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' "
            f"xmlns='http://purl.org/rss/1.0/'><channel rdf:about='{base}/'><title>Ex</title><link>{base}/</link>"
            f"<description>d</description></channel>{entries}</rdf:RDF>").encode()


def serve_stories(server, slugs=None) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """Serve each story's page under /news/<slug>; return feed items for them."""
    items = []
    for slug in slugs or STORIES:
        title, body = STORIES[slug]
        server.routes[f"/news/{slug}?utm_source=rss"] = (200, {"Content-Type": "text/html; charset=utf-8"},
                                                         page(title, body))
        server.routes[f"/news/{slug}"] = (200, {"Content-Type": "text/html; charset=utf-8"}, page(title, body))
        items.append((slug, title, body[:120]))
    return items


def start_server(handler: type[http.server.BaseHTTPRequestHandler]) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``handler`` on 127.0.0.1 in a daemon thread; return the server and its base URL. Stop it with
    ``server.shutdown()``."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
