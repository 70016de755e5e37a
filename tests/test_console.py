"""The console over real HTTP on 127.0.0.1: every page and form against a state made by a real
``monitor run --once``, hostile article text and feed fields, CSRF, auth off loopback, the daemon serving it."""

from __future__ import annotations

import base64
import html
import json
import re
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import markupsafe
import pytest

from monitor.config import parse_config
from monitor.console.app import CSP
from monitor.errors import ConfigError
from monitor.model import Alert, Article, Evidence, Finding
from monitor.plugins import build_plugins
from monitor.store import open_store
from monitor.store.base import SourceState, Store
from tests.conftest import start_monitor, wait_for
from tests.console_support import alert_links, form_token, free_port, serving


@pytest.fixture
def store(seeded_store: Store) -> Store:
    return seeded_store


@pytest.fixture
def console(store: Store) -> Iterator[httpx.Client]:
    with serving(store, detectors=build_plugins([]).detectors, sources=["inbox", "never-polled"]) as base, \
            httpx.Client(base_url=base, timeout=10, follow_redirects=True) as client:
        yield client


def _only_alert(client: httpx.Client) -> tuple[str, str]:
    page = client.get("/alerts")
    (alert_id,) = alert_links(page.text)
    return alert_id, client.get(f"/alerts/{alert_id}").text


def test_alerts_page_lists_the_run_and_filters_it(console: httpx.Client, store: Store) -> None:
    page = console.get("/alerts")
    assert page.status_code == 200 and page.headers["content-security-policy"] == CSP
    (alert_id,) = alert_links(page.text)
    alert = Alert.from_record(json.loads(store.alert_row(alert_id)["doc"]))  # type: ignore[index]
    assert html.escape(alert.article.title or "") in page.text
    # one chart per detector, a bar per day for 14 days, drawn inline
    for detector in {f.detector for f in store.article_findings(alert.article.id)}:
        assert f'aria-label="{detector}: findings per day"' in page.text
    assert page.text.count("<rect ") == 14 * len({f.detector for f in store.article_findings(alert.article.id)})
    assert alert_links(console.get("/alerts", params={"detector": "casualties", "severity": "high"}).text) == \
        [alert_id]
    assert alert_links(console.get("/alerts", params={"source": "inbox", "route": alert.route}).text) == [alert_id]
    assert alert_links(console.get("/alerts", params={"q": "Kerman"}).text) == [alert_id]
    assert alert_links(console.get("/alerts", params={"q": "no such words anywhere"}).text) == []
    assert alert_links(console.get("/alerts", params={"source": "elsewhere"}).text) == []
    assert alert_links(console.get("/alerts", params={"severity": "bogus", "page": "x"}).text) == [alert_id]
    assert console.get("/", follow_redirects=False).headers["location"] == "/alerts"


def test_one_alert_shows_evidence_in_place_reasons_and_deliveries(console: httpx.Client, store: Store) -> None:
    alert_id, page = _only_alert(console)
    alert = Alert.from_record(json.loads(store.alert_row(alert_id)["doc"]))  # type: ignore[index]
    marked = [html.unescape(m) for m in re.findall(r"<mark [^>]*>(.*?)<sup>", page, re.S)]
    for finding in alert.findings:
        assert f'id="f-{finding.identity}"' in page
        assert f"score {finding.score:.2f}" in page
        for why in finding.attributes.get("why", []):
            assert f"<code>{html.escape(why)}</code>" in page
        for ev in finding.evidence:  # each evidence span is marked where it stands, whole or in pieces
            assert ev.text in "".join(marked) or any(ev.text.startswith(m) for m in marked)
    text = html.unescape(re.sub(r"<sup>.*?</sup>|<[^>]+>", "", page.split('<div class="article-text">')[1]))
    assert " ".join(alert.article.text.split()) in " ".join(text.split())
    for d in store.alert_deliveries(alert_id):
        assert f'<span class="status status-{d["status"]}">{d["status"]}</span>' in page
    attempts = store.delivery_attempts(alert_id)
    assert attempts  # the run delivered to its sinks: each attempt is listed
    attempts_table = page.split('<table class="attempts">')[1].split("</table>")[0]
    assert attempts_table.count("<tr><td") == len(attempts)
    assert f"route <strong>{alert.route}</strong>" in page
    assert console.get("/alerts/0000000000000000").status_code == 404


def test_sources_page(console: httpx.Client, store: Store) -> None:
    page = console.get("/sources").text
    row = page.split("<td>inbox", 1)[1].split("</tr>", 1)[0]
    assert "health-ok" in row and store.source_state("inbox").last_success in row  # type: ignore[operator]
    expected = round(store.items_per_source("1970-01-01")["inbox"] / 7, 1)
    assert f"<td>{expected}</td>" in row
    assert "never polled" in page.split("<td>never-polled", 1)[1].split("</tr>", 1)[0]
    assert 'aria-label="inbox: findings per day"' in page


def test_feedback_forms_store_judgements(console: httpx.Client, store: Store) -> None:
    alert_id, page = _only_alert(console)
    alert = Alert.from_record(json.loads(store.alert_row(alert_id)["doc"]))  # type: ignore[index]
    token = form_token(page)
    counted = [f for f in alert.findings if isinstance(f.attributes.get("count"), int)]
    first, second = counted[0], alert.findings[-1]
    done = console.post(f"/alerts/{alert_id}/feedback", data={"csrf": token, "identity": first.identity,
                                                              "verdict": "wrong_figure", "correct_count": "49"})
    assert done.status_code == 200 and "judged: wrong figure" in done.text and "(right figure: 49)" in done.text
    console.post(f"/alerts/{alert_id}/feedback", data={"csrf": token, "identity": second.identity,
                                                       "verdict": "false_alarm"})
    got = {j["identity"]: (j["verdict"], j["correct_count"]) for j in store.feedback()}
    assert got == {first.identity: ("wrong_figure", 49), second.identity: ("false_alarm", None)}
    bad = console.post(f"/alerts/{alert_id}/feedback", data={"csrf": token, "identity": first.identity,
                                                             "verdict": "wrong_figure", "correct_count": "many"})
    assert bad.status_code == 400 and "whole number" in bad.text
    assert console.post(f"/alerts/{alert_id}/feedback", data={"csrf": token, "identity": first.identity,
                                                              "verdict": "meh"}).status_code == 400
    assert console.post(f"/alerts/{alert_id}/feedback", data={"csrf": token, "identity": "nope",
                                                              "verdict": "right"}).status_code == 404


def test_silence_forms_go_through_the_silence_store(console: httpx.Client, store: Store, tmp_path: Path) -> None:
    alert_id, page = _only_alert(console)
    alert = Alert.from_record(json.loads(store.alert_row(alert_id)["doc"]))  # type: ignore[index]
    token = form_token(page)
    f = next(f for f in alert.findings if f.detector == "casualties")
    done = console.post(f"/alerts/{alert_id}/silence", data={"csrf": token, "identity": f.identity,
                                                             "scope": "source", "duration": "8h", "reason": "noisy"})
    assert done.status_code == 200 and "silence " in done.text
    console.post(f"/alerts/{alert_id}/silence", data={"csrf": token, "identity": f.identity, "scope": "like",
                                                      "duration": "1d"})
    by_source, like = store.silences()
    assert (by_source["detector"], by_source["source"], by_source["attributes"], by_source["reason"]) == \
        ("casualties", "inbox", {}, "noisy")
    assert (like["detector"], like["source"]) == ("casualties", None)
    assert like["attributes"] == {"category": f.attributes["category"], "qualifier": f.attributes["qualifier"]}
    # the same silences the CLI lists
    from click.testing import CliRunner

    from monitor.cli import main

    config = tmp_path / "monitor.toml"
    config.write_text(f'[daemon]\nstate_dir = "{tmp_path / "state"}"\n')
    listed = CliRunner().invoke(main, ["silence", "list", "--config", str(config)], env={"MONITOR_STORE_URL": ""})
    assert listed.exit_code == 0 and by_source["id"] in listed.output and like["id"] in listed.output
    bad = console.post(f"/alerts/{alert_id}/silence", data={"csrf": token, "identity": f.identity,
                                                            "scope": "like", "duration": "soon"})
    assert bad.status_code == 400 and "duration" in bad.text
    assert console.post(f"/alerts/{alert_id}/silence", data={"csrf": token, "identity": f.identity,
                                                             "scope": "all", "duration": "1h"}).status_code == 400


def test_every_form_refuses_a_post_without_its_csrf_token(console: httpx.Client, store: Store) -> None:
    alert_id, page = _only_alert(console)
    identity = re.search(r'name="identity" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    forms = {"feedback": {"identity": identity, "verdict": "false_alarm"},
             "silence": {"identity": identity, "scope": "like", "duration": "1h"}}
    for form, data in forms.items():
        url = f"/alerts/{alert_id}/{form}"
        assert console.post(url, data=data).status_code == 403  # no token
        assert console.post(url, data={**data, "csrf": "0" * 64}).status_code == 403  # a wrong one
        stranger = httpx.post(str(console.base_url) + url, data={**data, "csrf": form_token(page)})
        assert stranger.status_code == 403  # the token without the cookie it was made for
        cross = console.post(url, data={**data, "csrf": form_token(page)}, headers={"Origin": "https://evil.example"})
        assert cross.status_code == 403 and "cross-origin" in cross.text
    assert store.feedback() == [] and store.silences() == []


def test_a_form_served_by_one_console_posts_to_another_over_the_same_state(store: Store) -> None:
    """Replicas (or a restart) share the CSRF key through the state: an analyst's open page still posts."""
    with serving(store) as first, serving(store) as second, httpx.Client(timeout=10) as browser:
        page = browser.get(first + "/alerts")
        (alert_id,) = alert_links(page.text)
        page = browser.get(f"{first}/alerts/{alert_id}")
        identity = re.search(r'name="identity" value="([0-9a-f]+)"', page.text).group(1)  # type: ignore[union-attr]
        posted = browser.post(f"{second}/alerts/{alert_id}/feedback", headers={"Origin": second},
                              data={"identity": identity, "verdict": "right", "csrf": form_token(page.text)})
        assert posted.status_code in (200, 303), posted.text
    assert [f["verdict"] for f in store.feedback()] == ["right"]


HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


def test_hostile_article_text_and_feed_fields_are_escaped(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    text = f"Intro {HOSTILE} and then gunmen killed 12 people. <a href='javascript:alert(3)'>x</a> end"
    start = text.index("killed 12 people")
    article = Article.create(text, url="javascript:alert(4)", source=f"src{HOSTILE}", title=f"T{HOSTILE}")
    finding = Finding(detector=f"cas{HOSTILE}", severity="high", score=0.9, summary=f"S{HOSTILE}",
                      evidence=(Evidence.at(text, start, start + 16), Evidence.at(text, 6, 6 + len(HOSTILE))),
                      attributes={"category": f"k{HOSTILE}", "count": 12, "why": [f"+w{HOSTILE}"]})
    alert = Alert.create(f"route{HOSTILE}", article, [finding])
    store.record_article("k", "v", article, [finding], [(alert, [f"sink{HOSTILE}"], None)])
    store.mark_retry(alert.id, f"sink{HOSTILE}", f"error {HOSTILE}", "2030-01-01T00:00:00+00:00")
    store.save_source_state(SourceState(name=f"src{HOSTILE}", url=f"https://x.example/{HOSTILE}",
                                        last_error=f"HTTP {HOSTILE}", health="failing"))
    try:
        with serving(store) as base, httpx.Client(base_url=base, timeout=10, follow_redirects=True) as client:
            pages = [client.get("/alerts").text, client.get(f"/alerts/{alert.id}").text, client.get("/sources").text,
                     client.get("/alerts", params={"q": HOSTILE, "source": HOSTILE}).text]
            form = client.post(f"/alerts/{alert.id}/feedback", data={
                "csrf": form_token(pages[1]), "identity": finding.identity, "verdict": "wrong_figure",
                "correct_count": HOSTILE}).text
    finally:
        store.close()
    for page in [*pages, form]:
        # no element or attribute of the payload survives: it breaks out of nothing and runs nothing
        assert "<script" not in page and "<img" not in page and "<a href='javascript" not in page
        assert not re.search(r"""href=["']?\s*javascript:""", page, re.I)
    escaped = str(markupsafe.escape(HOSTILE))
    assert f"T{escaped}" in pages[0] and f"src{escaped}" in pages[0]
    detail = pages[1]
    assert f'<mark title="finding 1">{escaped}<sup>' in detail  # evidence inside the hostile text, still text
    assert f"+w{escaped}" in detail and f"error {escaped}" in detail and f"route{escaped}" in detail
    assert "not http/https" in detail  # the javascript: URL is shown as text, never as a link
    assert f"HTTP {escaped}" in pages[2]


def test_auth_is_required_when_credentials_are_set(store: Store) -> None:
    with serving(store, token="s3cret") as base:
        assert httpx.get(base + "/alerts").status_code == 401
        assert httpx.get(base + "/alerts").headers["www-authenticate"].startswith("Basic ")
        assert httpx.get(base + "/static/style.css").status_code == 401
        assert httpx.get(base + "/alerts", auth=("anyone", "wrong")).status_code == 401
        assert httpx.get(base + "/alerts", headers={"Authorization": "Basic !!!"}).status_code == 401
        assert httpx.get(base + "/alerts", auth=("anyone", "s3cret")).status_code == 200
        assert httpx.get(base + "/alerts", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert httpx.get(base + "/alerts", headers={"Authorization": "Bearer nope"}).status_code == 401
        basic = base64.b64encode(b"x:s3cret").decode()
        assert httpx.get(base + "/sources", headers={"Authorization": f"Basic {basic}"}).status_code == 200


@pytest.mark.parametrize("table", ['listen = "0.0.0.0:9109"', 'listen = "10.1.2.3:9109"', 'listen = "[::]:9109"',
                                   'listen = "0.0.0.0:9109"\nusername = "ann"'])
def test_off_loopback_without_credentials_is_a_config_error(table: str) -> None:
    with pytest.raises(ConfigError, match=r"monitor.toml:1: console: .*(not a loopback address: set|go together)"):
        parse_config(f"[console]\n{table}\n", "monitor.toml")


def test_loopback_needs_no_credentials_and_elsewhere_accepts_them() -> None:
    assert parse_config('[console]\nlisten = "127.0.0.1:9109"\n').console.listen == "127.0.0.1:9109"
    assert parse_config('[console]\nlisten = "[::1]:9109"\n').console.listen == "[::1]:9109"
    assert parse_config('[console]\nlisten = "0.0.0.0:9109"\ntoken = "t"\n').console.token == "t"
    with pytest.raises(ConfigError, match="expected host:port"):
        parse_config('[console]\nlisten = "9109"\n')


def test_monitor_console_refuses_to_listen_elsewhere_without_credentials(seeded_state: Path, monitor) -> None:
    refused = monitor("console", "--listen", "0.0.0.0:0", "--state-dir", str(seeded_state / "state"))
    assert refused.code == 2 and "not a loopback address: set token" in refused.err
    from click.testing import CliRunner

    from monitor.cli import main

    missing = CliRunner().invoke(main, ["console", "--state-dir", str(seeded_state / "nowhere")])
    assert missing.exit_code == 2 and "no state database here" in missing.output


@pytest.mark.usefixtures("no_orphans")
def test_the_daemon_serves_the_console_and_stops_it_on_shutdown(tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "inbox").mkdir()
    (tmp_path / "monitor.toml").write_text(f"""
[daemon]
state_dir = "state"
shutdown_grace = "5s"

[console]
listen = "127.0.0.1:{port}"

[[sources]]
name = "inbox"
type = "folder"
path = "inbox"
interval = "1s"
settle = "0.2s"

[[sinks]]
name = "file"
type = "jsonl"
path = "alerts.jsonl"
""")
    log = (tmp_path / "run.log").open("wb")
    proc = start_monitor(["run", "--config", "monitor.toml"], cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def listed() -> list[str]:
        try:
            return alert_links(httpx.get(base + "/alerts", timeout=5).text)
        except httpx.TransportError:
            return []

    def up() -> bool:
        try:
            return httpx.get(base + "/sources", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_for(up, timeout=60)
        (tmp_path / "inbox" / "seed.txt").write_text((Path(__file__).parent.parent / "seeds" /
                                                      "000_776c1127264d44d4.txt").read_text())
        wait_for(listed, timeout=60)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
    assert code == 0, (tmp_path / "run.log").read_text()[-2000:]
    with pytest.raises(httpx.TransportError):
        httpx.get(base + "/alerts", timeout=2)
    assert "console.listening" in (tmp_path / "run.log").read_text()


def test_a_busy_port_is_a_clear_error() -> None:
    from monitor.console.server import bind

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError, match=rf"\[console\] listen = '127.0.0.1:{port}': cannot listen there: "
                                              "Address already in use"):
            bind(f"127.0.0.1:{port}")


def test_console_settings_need_a_restart() -> None:
    from monitor.reload import ReloadRefused, check_reload

    old = parse_config('[console]\nlisten = "127.0.0.1:9109"\n', "a.toml")
    with pytest.raises(ReloadRefused, match=r"\[console\] listen .*needs a restart"):
        check_reload(old, parse_config('[console]\nlisten = "127.0.0.1:9200"\n', "b.toml"))
    with pytest.raises(ReloadRefused, match=r"\[console\] token"):
        check_reload(old, parse_config('[console]\nlisten = "127.0.0.1:9109"\ntoken = "t"\n', "b.toml"))
