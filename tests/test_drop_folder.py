"""Issue 13, item 10: the drop folder analyses exactly the bytes it moves, waits for slow writers, shortens
long names safely, accepts names that are not UTF-8, and refuses hard links. Real files, a real SQLite store."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from monitor.sources.folder import NAME_MAX, REASON
from tests.test_daemon import alerts, close, make_runner, run_once

FOLDER = '[[sources]]\nname = "inbox"\ntype = "folder"\npath = "{inbox}"\nsettle = "0.2s"\n'


def _runner(tmp_path: Path):  # type: ignore[no-untyped-def]
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    return inbox, make_runner(tmp_path, FOLDER.format(inbox=inbox))




def test_a_file_replaced_while_processed_is_read_later_not_moved_away_unread(tmp_path: Path) -> None:
    inbox, runner = _runner(tmp_path)
    (inbox / "wire.txt").write_text("Four soldiers were killed in an ambush on Monday.")
    original = runner.processor.detect_and_store
    replaced = []

    async def replace_then_store(doc, article):  # type: ignore[no-untyped-def]
        if not replaced:  # the operator's os.replace lands while the first version is being analysed
            new = inbox / "wire.txt.new"
            new.write_text("Six civilians were wounded by shelling on Tuesday.")
            os.replace(new, inbox / "wire.txt")
            replaced.append(doc.key)
        await original(doc, article)

    runner.processor.detect_and_store = replace_then_store  # type: ignore[method-assign]
    run_once(runner)
    assert (inbox / "wire.txt").read_text().startswith("Six civilians")  # the new file waits, unread so far
    assert (inbox / "processed" / "wire.txt").read_text().startswith("Four soldiers")  # the bytes analysed
    run_once(runner)
    processed = {p.name: p.read_text() for p in (inbox / "processed").iterdir()}
    assert sorted(processed.values()) == ["Four soldiers were killed in an ambush on Monday.",
                                          "Six civilians were wounded by shelling on Tuesday."]
    assert not (inbox / "wire.txt").exists()
    assert [a["findings"][0]["attributes"]["count"] for a in alerts(tmp_path)] == [4, 6]
    close(runner)


def test_a_writer_still_appending_after_the_take_is_read_again_whole(tmp_path: Path) -> None:
    inbox, runner = _runner(tmp_path)
    path = inbox / "slow.txt"
    writer = path.open("w")
    writer.write("Four soldiers were killed in an ambush on Monday.\n")
    writer.flush()
    original = runner.processor.detect_and_store
    calls: list[str] = []

    async def append_then_store(doc, article):  # type: ignore[no-untyped-def]
        if not calls:  # the writer pauses longer than settle, then goes on writing to the file it opened
            writer.write("Later, officials said nine civilians were wounded in the same attack.\n")
            writer.flush()
            os.utime(writer.fileno(), ns=(1, 1))  # a different mtime even on a coarse clock
        calls.append(article.text)
        await original(doc, article)

    runner.processor.detect_and_store = append_then_store  # type: ignore[method-assign]
    try:
        run_once(runner)  # takes the first line; the file changes under it: kept, not moved away
        assert not (inbox / "processed").exists() or not list((inbox / "processed").iterdir())
        run_once(runner)  # stable again: read whole, under the same identity
    finally:
        writer.close()
    assert "nine civilians" in calls[-1] and "Four soldiers" in calls[-1]
    assert (inbox / "processed" / "slow.txt").read_text().count("\n") == 2
    assert runner.store.stats().articles == 1  # one file, one article, updated
    got = [f["attributes"]["count"] for a in alerts(tmp_path) for f in a["findings"]]
    assert sorted(got) == [4, 9]  # each figure alerted once: nothing lost, nothing twice
    close(runner)


def test_a_second_file_under_a_251_character_name_is_moved_aside_with_its_reason(tmp_path: Path) -> None:
    inbox, runner = _runner(tmp_path)
    name = "w" * 247 + ".txt"
    assert len(name.encode()) == 251
    for text in ("Four soldiers were killed on Monday.", "Six civilians were wounded on Tuesday."):
        (inbox / name).write_text(text)
        run_once(runner)
    odd = "x" * 246 + ".xlsx"  # refused twice: each needs a .reason beside it
    for content in (b"PK1", b"PK2"):
        (inbox / odd).write_bytes(content)
        run_once(runner)
    uni = "é" * 125 + ".txt"  # 254 bytes: shortened on a character boundary, never inside "é"
    (inbox / uni).write_text("Two soldiers were wounded on Wednesday.")
    run_once(runner)
    processed = sorted(p.name for p in (inbox / "processed").iterdir())
    failed = sorted(p.name for p in (inbox / "failed").iterdir())
    assert len(processed) == 3 and len(failed) == 4
    for n in processed + failed:
        assert len(os.fsencode(n)) <= NAME_MAX
        assert n.endswith((".txt", ".xlsx", REASON))
    assert sum(1 for n in failed if n.endswith(REASON)) == 2
    assert not [p for p in inbox.iterdir() if p.is_file()]
    assert runner.store.stats().articles == 3
    close(runner)


def test_a_name_that_is_not_utf8_is_read_and_kept_byte_for_byte(tmp_path: Path) -> None:
    inbox, runner = _runner(tmp_path)
    raw = os.path.join(os.fsencode(inbox), b"caf\xe9-\xff.txt")
    with open(raw, "wb") as fh:
        fh.write(b"Three soldiers were wounded near the border.")
    run_once(runner)
    assert os.listdir(os.path.join(os.fsencode(inbox), b"processed")) == [b"caf\xe9-\xff.txt"]
    assert not (inbox / "failed").exists()
    assert [a["findings"][0]["attributes"]["count"] for a in alerts(tmp_path)] == [3]
    close(runner)


def test_hard_links_are_refused_with_a_reason_and_never_read(tmp_path: Path) -> None:
    inbox, runner = _runner(tmp_path)
    outside = tmp_path / "secret.txt"
    outside.write_text("Ten soldiers were killed.")
    os.link(outside, inbox / "linked.txt")
    run_once(runner)
    assert "hard links" in (inbox / "failed" / "linked.txt.reason").read_text()
    assert outside.read_text() == "Ten soldiers were killed."
    assert runner.store.stats().articles == 0 and alerts(tmp_path) == []
    close(runner)


def test_a_file_left_in_taking_by_a_crash_is_read_on_the_next_start(tmp_path: Path) -> None:
    inbox, runner = _runner(tmp_path)
    (inbox / ".taking").mkdir()
    (inbox / ".taking" / "left.txt").write_text("Five soldiers were killed in the night.")

    async def twice() -> None:  # unknown to this process: it must hold still for settle first
        await runner.run_once()
        await runner.run_once()

    asyncio.run(twice())
    assert (inbox / "processed" / "left.txt").exists()
    assert [a["findings"][0]["attributes"]["count"] for a in alerts(tmp_path)] == [5]
    close(runner)
