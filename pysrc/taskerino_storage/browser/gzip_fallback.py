"""Python's zlib and hashlib for the migration worker's JS, synchronously: gzip for a browser
without CompressionStream (web/lib/gzip-codec.mjs setFallbackGzip), and the synchronous codec
of the compare-and-swap's last attempt in every browser (web/lib/data-forms.mjs setSyncCodec:
gzip, gunzip, sha256). Importable only in Pyodide.

The same bytes-in, bytes-out contract as the native streams: one standard gzip member out (the
app's fflate reads it), and in, exactly one complete member, nothing after it — a truncated
stream or trailing bytes are refused, as Chromium's DecompressionStream refuses them."""
from __future__ import annotations

import hashlib
import zlib
from typing import Any

from pyodide.ffi import to_js  # type: ignore[import-not-found]

GZIP_WBITS = 31  # zlib's gzip wrapper (16 + the 15-bit window)
LEVEL = 6  # zlib's default, as fflate's and CompressionStream's


def gzip(data: Any) -> Any:
    """A Uint8Array in, its gzip member as a Uint8Array out."""
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, GZIP_WBITS)
    return to_js(packer.compress(data.to_bytes()) + packer.flush())


def gunzip(data: Any) -> Any:
    unpacker = zlib.decompressobj(GZIP_WBITS)
    out = unpacker.decompress(data.to_bytes()) + unpacker.flush()
    if not unpacker.eof:
        raise ValueError("the gzip stream is truncated")
    if unpacker.unused_data:
        raise ValueError(f"{len(unpacker.unused_data)} bytes follow the end of the gzip stream")
    return to_js(out)


def sha256(text: str) -> str:
    """The hex SHA-256 of a JSON text's UTF-8 bytes (well-formed: JSON.stringify's), as crypto.subtle gives it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
