"""The README's promises, checked: its plugin example works as written; its commands are the CI's."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_plugin_example_works_as_written(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    block = re.search(r"<!-- plugin-example -->\s*```python\n(.*?)```", README, re.S)
    assert block, "README lost its plugin example"
    plugin_dir = tmp_path / "plugins"
    plugin_dir.mkdir()
    (plugin_dir / "cyber.py").write_text(block.group(1))
    article = tmp_path / "news.txt"
    article.write_text("A ransomware attack shut the port's systems; two workers were injured in the chaos.")
    result = monitor("check", "--format", "json", "--plugins-dir", str(plugin_dir), str(article))
    assert result.code == 0, result.err
    findings = json.loads(result.out)["findings"]
    cyber = [f for f in findings if f["detector"] == "cyber"]
    assert cyber and cyber[0]["evidence"][0]["text"] == "ransomware"
    assert any(f["detector"] == "casualties" for f in findings)


def test_ci_runs_the_readme_test_command() -> None:
    test_command = re.search(r"# 2\. .*\n(.+)\n", README)
    assert test_command
    assert test_command.group(1).strip() in (ROOT / ".ci" / "run").read_text()


def test_readme_check_output_is_what_the_command_prints(monitor) -> None:  # type: ignore[no-untyped-def]
    """The ``$ monitor check seeds/`` example is run as written, from the repository root: every line it shows
    (article id, word and finding counts, findings with scores, evidence) appears in the real output, in order.
    A line the README cuts short with "…" matches the start of the real line; a line of "…" skips lines."""
    block = re.search(r"```text\n\$ (monitor check [^\n]+)\n(.*?)```", README, re.S)
    assert block, "README lost its monitor check example"
    text = block.group(1)
    command, shown = text.split(), block.group(2).splitlines()
    result = monitor(*command[1:], cwd=ROOT)
    assert result.code == 0, result.err
    actual = result.out.splitlines()
    at = 0
    for line in shown:
        if line.strip() == "…":
            continue
        prefix = line.endswith("…")
        expected = line.rstrip("…").rstrip() if prefix else line
        for index in range(at, len(actual)):
            if (actual[index].startswith(expected) if prefix else actual[index] == expected):
                at = index + 1
                break
        else:
            raise AssertionError(f"README shows a line `{text}` does not print (in this order):\n{line}\n\n"
                                 f"it prints:\n{result.out}")


def test_readme_article_id_is_the_one_the_daemon_stores(tmp_path: Path, monitor) -> None:  # type: ignore[no-untyped-def]
    """`monitor check` names a file's article by its content, as the drop folder does: the README's id is the
    id on every machine, and the id `monitor run` stores for the seed."""
    import sqlite3

    shown = re.search(r"^  article ([0-9a-f]{16}) · ", README, re.M)
    assert shown
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    seed = next((ROOT / "seeds").iterdir())
    (inbox / "renamed.txt").write_bytes(seed.read_bytes())
    result = monitor("run", "--once")
    assert result.code == 0, result.err
    db = sqlite3.connect(tmp_path / "state" / "monitor.sqlite3")
    try:
        assert [row[0] for row in db.execute("SELECT id FROM articles")] == [shown.group(1)]
    finally:
        db.close()
