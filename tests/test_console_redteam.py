"""A red-team pass over the console, each test a weakness found by real HTTP requests against a running
console (on 127.0.0.1, over a state made by a real ``monitor run --once``) and fixed: what broke is in the test's
docstring."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from monitor.console.app import CSP
from monitor.plugins import build_plugins
from monitor.store import open_store
from monitor.store.base import Store
from tests.console_support import alert_links, form_token, serving


@pytest.fixture
def store(seeded_store: Store) -> Store:
    return seeded_store


@pytest.fixture
def base(store: Store) -> Iterator[str]:
    with serving(store, detectors=build_plugins([]).detectors, sources=["inbox"]) as url:
        yield url


def _form(client: httpx.Client) -> tuple[str, str, str]:
    """The only alert's id, its form token (for ``client``'s cookie) and a finding's identity."""
    (alert_id,) = alert_links(client.get("/alerts").text)
    page = client.get(f"/alerts/{alert_id}").text
    identity = re.search(r'name="identity" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    return alert_id, form_token(page), identity


def test_out_of_range_figures_and_durations_are_a_400_not_a_500(base: str, store: Store) -> None:
    """Was: a "wrong figure" of 10**30 (an int SQLite and PostgreSQL cannot store) and a silence of
    99999999999d (a date past year 9999) raised OverflowError: a bare 500."""
    with httpx.Client(base_url=base, timeout=10) as client:
        alert_id, token, identity = _form(client)
        for figure in (str(10**30), str(2**31)):
            got = client.post(f"/alerts/{alert_id}/feedback", data={
                "csrf": token, "identity": identity, "verdict": "wrong_figure", "correct_count": figure})
            assert got.status_code == 400 and "whole number from 0 to 2147483647" in got.text
        for duration in ("99999999999d", "0s"):
            got = client.post(f"/alerts/{alert_id}/silence", data={
                "csrf": token, "identity": identity, "scope": "like", "duration": duration})
            assert got.status_code == 400 and "at most 366d" in got.text
            assert got.headers["content-security-policy"] == CSP
    assert store.feedback() == [] and store.silences() == []


def test_a_500_carries_the_security_headers(tmp_path: Path) -> None:
    """Was: Starlette answers an unhandled error outside every middleware, so a 500 had no CSP, nosniff or
    frame-ancestors. (A store closed under the console makes every page fail.)"""
    store = open_store(tmp_path)
    with serving(store) as url:
        store.close()
        got = httpx.get(url + "/alerts", timeout=10)
    assert got.status_code == 500
    assert got.headers["content-security-policy"] == CSP and got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["x-frame-options"] == "DENY"


def test_without_credentials_only_a_loopback_host_is_answered(base: str, store: Store) -> None:
    """Was: on loopback without credentials, any ``Host`` was served: a page at http://evil.example:PORT/
    whose name an attacker re-points to 127.0.0.1 (DNS rebinding) is same-origin with the console, so it could
    read every alert and, holding its own cookie and the token printed for it, post silences."""
    port = base.rsplit(":", 1)[1]
    with httpx.Client(base_url=base, timeout=10) as client:
        for host in (f"evil.example:{port}", "127.0.0.1.nip.io", "localhost.evil.example"):
            got = client.get("/alerts", headers={"Host": host})
            assert got.status_code == 400 and "loopback" in got.text and "<a class" not in got.text
            assert got.headers["content-security-policy"] == CSP
        alert_id, token, identity = _form(client)
        posted = client.post(f"/alerts/{alert_id}/feedback", data={"csrf": token, "identity": identity,
                                                                    "verdict": "right"},
                             headers={"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"})
        assert posted.status_code == 400
        # the redirect Starlette makes for a trailing slash takes its host from the request's Host
        assert client.get("/alerts/", headers={"Host": "evil.example"}).status_code == 400
        for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"LOCALHOST:{port}"):
            assert client.get("/alerts", headers={"Host": host}).status_code == 200
    assert store.feedback() == []


def test_a_same_site_page_cannot_post_with_a_cookie_it_planted(base: str, store: Store) -> None:
    """Was: the token is only HMAC(cookie), and cookies ignore ports, so a page on another port of 127.0.0.1 (or
    a sibling subdomain) can set ``mm_csrf`` to a cookie of its own and post the token the console printed for
    it; SameSite=Strict does not stop a same-site post, and the Origin check let ``Origin: null`` through
    (what a browser sends under ``Referrer-Policy: no-referrer``). The browser's ``Sec-Fetch-Site`` and, when
    Origin is missing, ``Referer`` now refuse it; the console's own posts say ``same-origin``."""
    with httpx.Client(base_url=base, timeout=10) as attacker:
        alert_id, token, identity = _form(attacker)  # the attacker's own cookie, and the token for it
        cookie = attacker.cookies["mm_csrf"]
    data = {"csrf": token, "identity": identity, "verdict": "false_alarm"}
    url = f"{base}/alerts/{alert_id}/feedback"
    for headers in ({"Origin": "null", "Sec-Fetch-Site": "same-site"},
                    {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
                    {"Referer": "http://127.0.0.1:8000/planted.html"}):
        got = httpx.post(url, data=data, cookies={"mm_csrf": cookie}, headers=headers, timeout=10)
        assert got.status_code == 403 and "cross-origin" in got.text
    assert store.feedback() == []
    own = httpx.post(url, data=data, cookies={"mm_csrf": cookie}, timeout=10,
                     headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"})
    assert own.status_code == 303 and [j["verdict"] for j in store.feedback()] == ["false_alarm"]


def test_a_form_post_is_small_and_has_no_files(base: str, store: Store) -> None:
    """Was: Starlette's default limits (1,000 fields of up to 1 MB each, files of any size spooled to disk) let
    one post — from any page, as a cross-site post needs no token to be *parsed* — hold a gigabyte, parsed in
    the event loop the daemon shares: 200 fields of 1 MB took 3.7 s and left the process 140 MB bigger."""
    with httpx.Client(base_url=base, timeout=10) as client:
        alert_id, token, identity = _form(client)
        url = f"/alerts/{alert_id}/feedback"
        fields = {"csrf": token, "identity": identity, "verdict": "right"}
        many = client.post(url, data={**fields, **{f"f{i}": "x" for i in range(30)}})
        assert many.status_code == 400 and "Too many fields" in many.text
        long = client.post(url, data={**fields, "note": "n" * 100_000})
        assert long.status_code == 400 and "maximum size" in long.text
        upload = client.post(url, data=fields, files={"note": ("big.bin", b"\0" * 2_000_000)})
        assert upload.status_code == 400 and "Too many files" in upload.text
        assert upload.headers["content-security-policy"] == CSP
        assert store.feedback() == []
        assert client.post(url, data={**fields, "note": "fine"}).status_code == 303  # a real post still works
        assert client.post(url, data=fields, files={"note": (None, "multipart, no file")}).status_code == 303


def test_a_link_cannot_put_its_own_words_in_the_status_note(base: str) -> None:
    """Was: ``/alerts/ID?done=...`` printed any text (escaped, but as the console's own status note), so a link
    could show "Session expired: log in again at https://evil.example". Only the notes the forms write show."""
    with httpx.Client(base_url=base, timeout=10, follow_redirects=True) as client:
        alert_id, token, identity = _form(client)
        lure = "Session expired: log in again at https://evil.example"
        page = client.get(f"/alerts/{alert_id}", params={"done": lure}).text
        assert "evil.example" not in page and 'class="done"' not in page
        silenced = client.post(f"/alerts/{alert_id}/silence", data={"csrf": token, "identity": identity,
                                                                   "scope": "like", "duration": "1h"})
        assert re.search(r'class="done" role="status">silence [0-9a-f]{8} added until 20', silenced.text)
