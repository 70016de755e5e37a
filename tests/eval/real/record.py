"""Rewrite the README's record of the shipped model files and the labelled data (their sha256), after training.

    python tests/eval/real/record.py

``tests/test_models.py`` checks the files against this record, and that each model was trained on the
recorded labels without the frozen test split.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
README = ROOT / "README.md"


def _table(header: str, paths: list[Path]) -> str:
    rows = [f"| `{p.name}` | `{hashlib.sha256(p.read_bytes()).hexdigest()}` |" for p in paths]
    return "\n".join([f"| {header} | sha256 |", "|---|---|", *rows])


def main() -> None:
    text = README.read_text(encoding="utf-8")
    models = [*sorted((ROOT / "plugins" / "models").glob("*.json")),
              ROOT / "monitor" / "text" / "words.txt", ROOT / "monitor" / "text" / "words50.npz"]
    labels = [*sorted((ROOT / "tests" / "eval" / "real" / "labels").glob("*.jsonl")), ROOT / "tests/eval/project.jsonl"]
    for header, paths in (("model file", models), ("labelled data", labels)):
        pattern = re.compile(rf"^\| {header} \| sha256 \|\n\|---\|---\|\n(?:\| `[^`]+` \| `[0-9a-f]{{64}}` \|\n?)+",
                             re.MULTILINE)
        text, n = pattern.subn(lambda _m, h=header, p=paths: _table(h, p) + "\n", text)
        if n != 1:
            raise SystemExit(f"README: no '{header}' checksum table found")
    README.write_text(text, encoding="utf-8")
    print(f"recorded {len(models)} model files and {len(labels)} label files")


if __name__ == "__main__":
    main()
