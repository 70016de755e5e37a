"""``monitor check``: real files, a real HTTP server, stdin, output formats and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import SEED

HTML = """<!doctype html><html lang="en"><head><title>Blast kills 14 - Example News</title>
<meta name="author" content="Jo Reporter"><meta property="article:published_time" content="2024-03-01T10:00:00Z">
</head><body><nav>Home | World | Sport</nav><article><h1>Blast kills 14 in Kunduz</h1>
<p>A suicide bomber struck a crowded bus station in the northern city of Kunduz on Tuesday, killing at least 14
people and wounding 31, provincial officials said.</p>
<p>No group immediately claimed responsibility for the blast. Hospital staff said several of the wounded were in
critical condition, and relatives gathered outside the hospital late into the night.</p></article>
<footer>Copyright 2024 Example News</footer></body></html>"""


def _pairs(doc: dict) -> set[tuple]:
    return {(f["attributes"]["category"], f["attributes"]["count"]) for f in doc["findings"]
            if f["detector"] == "casualties"}


def test_seed_article_text_output_shows_findings_in_context(monitor) -> None:  # type: ignore[no-untyped-def]
    result = monitor("check", str(SEED))
    assert result.code == 0, result.err
    assert "[high] casualties: More than 50 killed" in result.out
    assert "»more than 50 people died«" in result.out
    assert "212 injured" in result.out


def test_seed_article_json_finds_what_the_core_issue_lists(monitor) -> None:  # type: ignore[no-untyped-def]
    result = monitor("check", "--format", "json", str(SEED))
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    text = doc["article"]["text"]
    assert doc["article"]["path"].endswith(SEED.name)
    for f in doc["findings"]:
        for ev in f["evidence"]:
            assert text[ev["start"]:ev["end"]] == ev["text"]
    pairs = _pairs(doc)
    assert {("killed", 50), ("injured", 212)} <= pairs
    assert not any(count in (9, 15, 2020, 225, 576) for _, count in pairs), pairs  # rockets, attacks, dates, index
    deployments = {(f["attributes"]["count"], f["attributes"]["movement"]) for f in doc["findings"]
                   if f["detector"] == "deployments"}
    # "its approximately 1,000 soldiers ... would stay" scores 0.49 with the learned decision, below its threshold:
    # a known miss (README, "Detector quality"), not asserted either way.
    assert {(5200, "remain"), (500, "withdraw"), (None, "reposition")} <= deployments
    cues = " ".join(" ".join(f["attributes"]["cues"]) for f in doc["findings"] if f["detector"] == "escalation")
    for expected in ("crushing responses", "set fire to", "take revenge", "wage a war"):
        assert expected in cues


def test_html_file_goes_through_trafilatura_with_metadata(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    page = tmp_path / "page.html"
    page.write_text(HTML)
    doc = json.loads(monitor("check", "--format", "json", str(page)).out)
    assert doc["article"]["title"].startswith("Blast kills 14")
    assert doc["article"]["metadata"]["author"] == "Jo Reporter"
    assert doc["article"]["published"] == "2024-03-01"
    assert "Copyright" not in doc["article"]["text"]
    assert {("killed", 14), ("injured", 31)} <= _pairs(doc)


def test_url_input_is_fetched_from_a_real_server(http_server, monitor, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """check URL goes through the daemon's guard: loopback is refused by default, allowed when the config's
    [daemon] allow names it (host and port)."""
    http_server.routes["/news/blast"] = (200, {"Content-Type": "text/html; charset=utf-8"}, HTML.encode())
    url = http_server.url("/news/blast")
    refused = monitor("check", "--format", "json", url)
    assert refused.code == 2 and f"{url}: refused: 127.0.0.1 resolves to non-public address" in refused.err
    assert http_server.requests == []
    port = url.split(":")[2].split("/")[0]
    config = tmp_path / "c.toml"
    config.write_text(f'[daemon]\nallow = ["127.0.0.1:{port}"]\n')
    result = monitor("check", "--format", "json", "--config", str(config), url, "http://127.0.0.1:9/other-port")
    assert result.code == 2 and "http://127.0.0.1:9/other-port: refused" in result.err
    doc = json.loads(result.out)
    assert doc["article"]["url"] == url
    assert ("killed", 14) in _pairs(doc)
    config.write_text('[daemon]\nallow = ["127.0.0.0/8"]\n')
    nobody = monitor("check", "--config", str(config), "http://127.0.0.1:9/nothing-listens-here")
    assert nobody.code == 2 and "http://127.0.0.1:9/nothing-listens-here: cannot be fetched" in nobody.err


def test_stdin_is_sniffed_as_html_or_text(monitor) -> None:  # type: ignore[no-untyped-def]
    as_html = json.loads(monitor("check", "--format", "json", "-", stdin=HTML.encode()).out)
    assert as_html["article"]["metadata"]["extractor"] == "trafilatura"
    as_text = json.loads(monitor("check", "--format", "json", "-", stdin=b"Two soldiers were wounded.").out)
    assert as_text["article"]["metadata"]["extractor"] == "text"
    assert ("injured", 2) in _pairs(as_text)


def test_directory_of_100_files_in_one_process(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(100):
        (folder / f"{i:03}.txt").write_text(f"Report {i}: {i + 2} people were killed in clashes on Monday.")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 ignored: not a supported type inside a directory")
    result = monitor("check", "--format", "json", str(folder))
    assert result.code == 0, result.err
    docs = [json.loads(line) for line in result.out.splitlines()]
    assert len(docs) == 100
    assert all(("killed", i + 2) in _pairs(d) for i, d in enumerate(docs))


def test_fail_on_severity_exits_1(monitor, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "a.txt"
    f.write_text("At least 120 people were killed when the dam burst.")
    assert monitor("check", "--fail-on", "critical", str(f)).code == 1
    f.write_text("Two people were hurt in a minor collision.")
    assert monitor("check", "--fail-on", "critical", str(f)).code == 0


def test_bad_inputs_exit_2_and_name_what_is_wrong(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    binary = tmp_path / "image.txt"
    binary.write_bytes(bytes(range(256)) * 10)
    unsupported = tmp_path / "sheet.xlsx"
    unsupported.write_bytes(b"PK\x03\x04")
    nothing = tmp_path / "nothing-here"
    nothing.mkdir()
    cases = {
        str(nothing): "directory holds no supported files",
        str(tmp_path / "missing.txt"): "no such file",
        str(empty): "is empty",
        str(binary): "binary",
        str(unsupported): "unsupported file type '.xlsx'",
        "http://127.0.0.1:9/nothing-listens-here": "refused: 127.0.0.1 resolves to non-public address",
    }
    for target, message in cases.items():
        result = monitor("check", target)
        assert result.code == 2, (target, result.out, result.err)
        assert target in result.err and message in result.err, result.err


def test_one_bad_input_does_not_stop_the_good_ones(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "good.txt"
    good.write_text("Five people were killed.")
    result = monitor("check", "--format", "json", str(tmp_path / "nope.txt"), str(good))
    assert result.code == 2
    assert ("killed", 5) in _pairs(json.loads(result.out))


def test_invalid_config_exits_2_naming_file_line_and_key(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[daemon]\nstate_dir = "s"\n\n[detectors.casualties]\nmin_count = "many"\n')
    result = monitor("check", "--config", str(cfg), str(SEED))
    assert result.code == 2
    assert f"{cfg}:5: detectors.casualties.min_count" in result.err
    assert "valid integer" in result.err


def test_plugin_error_is_reported_and_others_still_run(monitor, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plugin_dir = Path(__file__).parent / "plugins"
    f = tmp_path / "a.txt"
    f.write_text("BREAKING: Three soldiers were killed.")
    result = monitor("check", "--format", "json", "--plugins-dir", str(plugin_dir), str(f))
    assert result.code == 0
    detectors = {x["detector"] for x in json.loads(result.out)["findings"]}
    assert {"shouting", "casualties"} <= detectors
    assert "plugin errors: broken_detector (2)" in result.err
    logged = [json.loads(line) for line in result.err.splitlines() if line.startswith("{")]
    failed = [e for e in logged if e["event"] == "detector.failed"]
    assert failed and failed[0]["plugin"] == "broken_detector" and failed[0]["article"]


def test_explain_says_why_each_finding_was_kept(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    story = tmp_path / "story.txt"
    story.write_text("Gunmen killed at least 14 people and wounded 31 in the market on Tuesday, police said.\n")
    result = monitor("check", "--explain", str(story))
    assert result.code == 0, result.err
    assert "[high] casualties: At least 14 killed" in result.out
    why = [line.split("why: ", 1)[1] for line in result.out.splitlines() if "why: " in line]
    assert why and all(w.startswith(("+", "-")) for line in why for w in line.split(", "))
    assert "reading: category=killed, count=14, qualifier=at_least" in result.out


def test_a_hanging_detector_is_abandoned_as_the_daemon_abandons_it(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    """check runs detection the processor's way (each plugin call off the loop, bounded by [daemon]
    detector_timeout): a detector that never returns is dropped, the others' findings are printed."""
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "sleepy.py").write_text(
        "import threading\nfrom monitor import DetectorOptions, hookimpl\n\n"
        "class Sleepy:\n    name = 'sleepy'\n    version = '1'\n    options_model = DetectorOptions\n\n"
        "    def __init__(self, options):\n        pass\n\n"
        "    def detect(self, article):\n        threading.Event().wait()  # never returns\n        return []\n\n"
        "@hookimpl\ndef monitor_register_detectors(register):\n    register(Sleepy)\n")
    config = tmp_path / "c.toml"
    config.write_text('[daemon]\ndetector_timeout = "1s"\n')
    stories = []
    for n in (3, 4):
        story = tmp_path / f"s{n}.txt"
        story.write_text(f"Gunmen killed {n} villagers in a raid on Monday, officials said.")
        stories.append(str(story))
    result = monitor("check", "--format", "json", "--config", str(config), "--plugins-dir", str(plugins), *stories)
    assert result.code == 0, result.err
    docs = [json.loads(line) for line in result.out.splitlines()]
    assert [("killed", 3) in _pairs(docs[0]), ("killed", 4) in _pairs(docs[1])] == [True, True]
    assert "plugin errors: sleepy (2)" in result.err
    logged = [json.loads(line) for line in result.err.splitlines() if line.startswith("{")]
    assert [e["event"] for e in logged if e.get("plugin") == "sleepy"] == ["plugin.timed_out"] * 2
