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
