"""session-index's file, kept ready to grow by one id.

Every session's write_batch rewrites the index with one more id: read, gunzipped, parsed, then
gzip level 9 and the checksum over the whole text again — O(N) per session, O(N²) per run.
Here the ids are kept, with the gzip stream and the checksum over the text up to its closing
bracket; adding an id feeds only `,"id"` to a copy of each (the output is byte-identical to
envelope.encode_file's one-shot form: tests/desktop/test_index_file.py). What is kept is used
only while the file is the one we wrote last (its inode, size and modification time:
DesktopBackend.fingerprint); anything else (the app, a restored copy) and the file is read again.
"""
from __future__ import annotations

import base64
import zlib
from typing import Any

from . import envelope


class _Grown:
    """The text "[e1,e2,…,ek" (no closing bracket) as gzip stream, CRC-free, and checksum state."""

    def __init__(self, ids: list, gzip: Any, out: bytes, total: int):
        self.ids, self.gzip, self.out, self.total = ids, gzip, out, total  # total: the Checksum's h

    @classmethod
    def of(cls, ids: list) -> "_Grown":
        grown = cls([], zlib.compressobj(9, zlib.DEFLATED, 31), b"", 0)
        return grown.plus("[" + ",".join(envelope.js_text(i) for i in ids), list(ids))

    def plus(self, piece: str, ids: list) -> "_Grown":
        stream = self.gzip.copy()
        out = self.out + stream.compress(piece.encode("utf-8"))
        total = envelope.Checksum()
        total.h = self.total
        return _Grown(ids, stream, out, total.update(piece).h)

    def file(self, timestamp: int | None = None) -> bytes:
        """The app's file for the ids, closed with "]" (envelope.encode_file of the same text)."""
        stream = self.gzip.copy()
        data = self.out + stream.compress(b"]") + stream.flush()
        total = envelope.Checksum()
        total.h = self.total
        stamp = envelope.now_ms() if timestamp is None else timestamp
        return (envelope.envelope_head(total.update("]").digest(), stamp) + envelope.GZIP_PREFIX
                + base64.b64encode(data).decode("ascii") + envelope.ENVELOPE_TAIL).encode("utf-8")


class IndexFile:
    def __init__(self) -> None:
        self._kept: tuple[Any, _Grown] | None = None  # (the file's identity, its content)
        self._pending: _Grown | None = None  # staged by the current batch, kept once it lands

    def ids(self, identity: Any) -> list | None:
        """The ids in the file, when it is still the one we wrote (`identity` as stat says now);
        None: read it."""
        if self._kept is not None and identity is not None and self._kept[0] == identity:
            return self._kept[1].ids
        return None

    def file_for(self, ids: list, *, identity: Any, timestamp: int | None = None) -> bytes:
        """The file for the index `ids`: grown from what is kept when `ids` is it plus one id."""
        known = self.ids(identity)
        if known is not None and len(ids) == len(known) + 1 and ids[:-1] == known:
            grown = self._kept[1].plus(("," if known else "") + envelope.js_text(ids[-1]), list(ids))
        else:
            grown = _Grown.of(ids)
        self._pending = grown
        return grown.file(timestamp)

    def landed(self, identity: Any) -> None:
        """The staged file is now the index (its identity after the rename); None: it is not."""
        self._kept = None if self._pending is None or identity is None else (identity, self._pending)
        self._pending = None
