"""Response bodies decoded under a cap as the raw bytes arrive.

httpx decodes a whole network chunk at once, so a few kilobytes sent with ``Content-Encoding: gzip, gzip``
expand to gigabytes before any size check runs. Here each decoding layer hands on at most :data:`STEP` bytes at
a time and the cap is checked on every piece, so memory stays near ``limit`` plus a few steps whatever the
compression ratio. At most :data:`MAX_STACKED` encodings are accepted (one is normal, two is already odd).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

#: What we ask for (and all we decode): no brotli or zstd, whose decoders are not installed.
ACCEPT_ENCODING = "gzip, deflate"
#: More stacked encodings than this are refused outright.
MAX_STACKED = 2
#: The most any layer produces in one step.
STEP = 64 * 1024
_CODINGS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class DecodeError(Exception):
    """The body's encoding is refused or broken; the message says which."""


class BodyTooLarge(Exception):
    """The decoded body passed its cap."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"response body exceeds {limit} bytes (after decoding)")
        self.limit = limit


class _Layer:
    """One gzip or deflate layer, decompressing at most ``STEP`` bytes per step."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self.wbits = _CODINGS[coding]
        self.started = False
        self.obj = zlib.decompressobj(self.wbits)

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                out = self.obj.decompress(data, STEP)
            except zlib.error as exc:
                if self.coding == "deflate" and not self.started:  # deflate sent without its zlib header
                    self.wbits, self.obj = -zlib.MAX_WBITS, zlib.decompressobj(-zlib.MAX_WBITS)
                    self.started = True
                    continue
                raise DecodeError(f"broken {self.coding} data: {exc}") from None
            self.started = True
            if out:
                yield out
            data = self.obj.unconsumed_tail
            if self.obj.eof:
                data = self.obj.unused_data
                if not data or self.wbits != _CODINGS["gzip"]:
                    return  # trailing bytes after a deflate stream are ignored, as browsers do
                self.obj = zlib.decompressobj(self.wbits)  # the next gzip member
            elif not out and not data:
                return

    def flush(self) -> Iterator[bytes]:
        out = self.obj.flush()
        if out:
            yield out


class BoundedBody:
    """Feed raw bytes with :meth:`feed`, then take the decoded body from :meth:`finish`. Raises
    :class:`BodyTooLarge` as soon as the decoded size passes ``limit``, :class:`DecodeError` for refused or
    broken encodings (from the constructor when the header alone says so)."""

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > MAX_STACKED:
            raise DecodeError(f"{len(codings)} stacked Content-Encodings ({', '.join(codings)}); at most "
                              f"{MAX_STACKED} are accepted")
        unknown = [c for c in codings if c not in _CODINGS]
        if unknown:
            raise DecodeError(f"unsupported Content-Encoding {unknown[0]!r} (accepted: gzip, deflate)")
        # The header lists encodings in the order they were applied: undo them last first.
        self.layers = [_Layer(c) for c in reversed(codings)]
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []

    def feed(self, raw: bytes) -> None:
        for piece in self._through(0, raw):
            self._keep(piece)

    def finish(self) -> bytes:
        for i, layer in enumerate(self.layers):
            for out in layer.flush():
                for piece in self._through(i + 1, out):
                    self._keep(piece)
        return self.parts[0] if len(self.parts) == 1 else b"".join(self.parts)

    def _through(self, i: int, data: bytes) -> Iterator[bytes]:
        if i == len(self.layers):
            yield data
            return
        for out in self.layers[i].feed(data):
            yield from self._through(i + 1, out)

    def _keep(self, piece: bytes) -> None:
        self.size += len(piece)
        if self.size > self.limit:
            raise BodyTooLarge(self.limit)
        self.parts.append(piece)
