"""The frozen split of the real-news corpus.

An item is in the test split when the first two hex digits of the SHA-256 of its id are below 0x42 (66 in 256,
a little over a quarter, independent of source and label). ``test_ids.txt`` holds the result as frozen at the
commit the README names; nothing is ever tuned or trained on those items.

    python tests/eval/real/split.py tests/eval/real/texts/*.jsonl > tests/eval/real/test_ids.txt
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path


def in_test(item_id: str) -> bool:
    return int(hashlib.sha256(item_id.encode()).hexdigest()[:2], 16) < 0x42


if __name__ == "__main__":
    ids = sorted(json.loads(line)["id"] for path in sys.argv[1:] for line in Path(path).read_text("utf-8").splitlines())
    print("\n".join(i for i in ids if in_test(i)))
