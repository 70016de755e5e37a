"""Near-duplicates — wire copies, syndicated text — by MinHash LSH.

Each story's word 3-shingles get a MinHash signature (datasketch); the signature is cut into ``bands`` of
``rows`` values and each band is looked up in its own table, so stories whose estimated Jaccard similarity is
high are found without comparing against every story held. A candidate is confirmed on its signature (banding
lets some pairs below the threshold through). With 12 bands of 5 rows, a pair at Jaccard 0.7 is found with
probability 0.89, at 0.8 with 0.99, at 0.5 only 0.32 (and then refused on its signature).

The banding is done here rather than with ``datasketch.MinHashLSH`` for memory: that index keeps a Python set
per bucket — about 250 bytes per story per band, 3 KB a story — where a bucket here holds the one article id
it almost always has (a list only when several stories share it).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = ["DuplicateIndex"]


def _hash32(shingle: str) -> int:
    # Python's own string hash, many times faster than datasketch's SHA-1: signatures are compared only
    # within this process (after a restart, EventIndex.add computes them again), so its per-process seed is fine
    return hash(shingle) & 0xFFFFFFFF


# datasketch's affine32 scheme pre-mixes each 32-bit hash with the MurmurHash3 finalizer (its ``_fmix``)
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


class DuplicateIndex:
    """Signatures of the stories held, by article id, and their bands."""

    def __init__(self, *, threshold: float = 0.7, bands: int = 12, rows: int = 5) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"duplicate threshold must be in (0, 1], not {threshold}")
        self.threshold = threshold
        self.bands = bands
        self.rows = rows
        self.num_perm = bands * rows
        # the fewest equal values that make an estimated similarity at or above the threshold
        self._min_same = next(n for n in range(self.num_perm + 1) if n / self.num_perm >= threshold)
        # one set of permutations for every signature: making them costs more than hashing a whole article.
        # Imported here: datasketch's package imports scipy (a second of start-up for every command).
        from datasketch import MinHash

        self._a, self._b = MinHash(num_perm=self.num_perm, seed=1, scheme="affine32", hashfunc=_hash32).permutations
        self._signatures: dict[str, bytes] = {}
        self._tables: list[dict[int, str | list[str]]] = [{} for _ in range(bands)]

    def signature(self, shingles: set[str]) -> np.ndarray | None:
        """The MinHash values of a set of shingles (32-bit), or None for an empty set: what datasketch's
        ``MinHash(scheme="affine32", hashfunc=_hash32).update_batch`` gives with these permutations, computed
        here in a few array operations (building a ``MinHash`` for each story cost as much as hashing it)."""
        if not shingles:
            return None
        # the low 32 bits of each hash (a cast from int64 wraps, as ``& 0xFFFFFFFF`` does)
        hv = np.array([hash(s) for s in shingles], dtype=np.int64).astype(np.uint32).reshape(-1, 1)
        s1, m1, s2, m2, s3 = _FMIX32
        hv ^= hv >> s1
        hv *= m1
        hv ^= hv >> s2
        hv *= m2
        hv ^= hv >> s3
        return (hv * self._a + self._b).min(axis=0)

    def _band_keys(self, signature: np.ndarray) -> list[int]:
        data = signature.tobytes()
        width = 4 * self.rows
        return [hash(data[i * width : (i + 1) * width]) for i in range(self.bands)]

    def nearest(self, signature: np.ndarray | None) -> Iterator[tuple[str, float]]:
        """Held stories whose estimated Jaccard similarity is at least the threshold, most similar first (then by
        article id), with their similarity. Lazily: the caller mostly takes the first (a wire story held many
        times over has dozens of matches, and a tuple made for each cost more than the rest of the assignment)."""
        if signature is None:
            return
        candidates: set[str] = set()
        for table, key in zip(self._tables, self._band_keys(signature), strict=True):
            found = table.get(key)
            if found is None:
                continue
            if isinstance(found, str):
                candidates.add(found)
            else:
                candidates.update(found)
        if not candidates:
            return
        # every candidate's signature compared in one array operation
        ids = list(candidates)
        held = np.frombuffer(b"".join([self._signatures[article_id] for article_id in ids]), dtype=np.uint32)
        same = np.count_nonzero(held.reshape(len(ids), self.num_perm) == signature, axis=1)
        hits = np.flatnonzero(same >= self._min_same)
        if not len(hits):
            return
        counts = same.tolist()
        order = sorted(hits.tolist(), key=ids.__getitem__)  # by id, then (stable) by equal values, most first
        if same[hits].min() != same[hits].max():
            order.sort(key=counts.__getitem__, reverse=True)
        for i in order:
            yield ids[i], counts[i] / self.num_perm

    def add(self, article_id: str, signature: np.ndarray | None) -> None:
        if signature is None or article_id in self._signatures:
            return
        self._signatures[article_id] = signature.tobytes()
        for table, key in zip(self._tables, self._band_keys(signature), strict=True):
            found = table.get(key)
            if found is None:
                table[key] = article_id
            elif isinstance(found, str):
                table[key] = [found, article_id]
            else:
                found.append(article_id)

    def remove(self, article_id: str) -> None:
        data = self._signatures.pop(article_id, None)
        if data is None:
            return
        for table, key in zip(self._tables, self._band_keys(np.frombuffer(data, dtype=np.uint32)), strict=True):
            found = table.get(key)
            if found == article_id:
                del table[key]
            elif isinstance(found, list):
                found.remove(article_id)
                if len(found) == 1:
                    table[key] = found[0]

    def __len__(self) -> int:
        return len(self._signatures)
