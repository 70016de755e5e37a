"""Near-duplicates — wire copies, syndicated text — by MinHash LSH (datasketch).

Each story's word 3-shingles get a MinHash signature; an LSH index finds stories whose estimated Jaccard
similarity passes the threshold without comparing against every story held. A found candidate is confirmed
on its signature (LSH alone lets some pairs below the threshold through).
"""

from __future__ import annotations

import numpy as np
from datasketch import MinHash, MinHashLSH

__all__ = ["DuplicateIndex"]


class DuplicateIndex:
    """Signatures of the stories held, by article id."""

    def __init__(self, *, threshold: float = 0.7, num_perm: int = 64) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._signatures: dict[str, np.ndarray] = {}
        # one set of permutations for every signature: making them costs more than hashing a whole article
        self._permutations = MinHash(num_perm=num_perm, seed=1, scheme="affine32").permutations

    def signature(self, shingles: set[str]) -> MinHash | None:
        if not shingles:
            return None
        minhash = MinHash(num_perm=self.num_perm, permutations=self._permutations, scheme="affine32")
        minhash.update_batch([s.encode("utf-8") for s in shingles])
        return minhash

    def nearest(self, signature: MinHash | None) -> list[tuple[str, float]]:
        """Held stories whose estimated Jaccard similarity is at least the threshold, most similar first."""
        if signature is None:
            return []
        found = []
        for key in self._lsh.query(signature):
            held = self._signatures[key]
            similarity = float(np.count_nonzero(held == signature.hashvalues)) / self.num_perm
            if similarity >= self.threshold:
                found.append((key, similarity))
        found.sort(key=lambda kv: -kv[1])
        return found

    def add(self, article_id: str, signature: MinHash | None) -> None:
        if signature is None or article_id in self._signatures:
            return
        self._lsh.insert(article_id, signature, check_duplication=False)
        self._signatures[article_id] = signature.hashvalues

    def remove(self, article_id: str) -> None:
        if self._signatures.pop(article_id, None) is not None:
            self._lsh.remove(article_id)

    def __len__(self) -> int:
        return len(self._signatures)
