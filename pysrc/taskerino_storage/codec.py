"""Taskerino's DATA forms of a record in the `collections` store, in Python.

The app stores `{name, data, timestamp}` where `data` is one of
  - "GZIP_V1:" + base64(gzip(JSON text))   (what the app writes by default)
  - a plain JSON string
  - the raw value itself (structured clone; only in old data)
The browser bridge (web/idb-bridge.mjs) implements the same rules in JavaScript; this module
is the CPython side, used by the in-memory backend and by tests that build records by hand.
"""
from __future__ import annotations

import base64
import binascii
import gzip
import json
import zlib
from typing import Any, Literal

GZIP_PREFIX = "GZIP_V1:"
Encoding = Literal["gzip", "json"]


def dumps(value: Any) -> str:
    """JSON text exactly as it crosses the bridge: ASCII-escaped so lone surrogates survive."""
    return json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":"))


def loads(key: str, text: str) -> Any:
    """Parse a record's JSON text; raises RecordDecodeError naming the key."""
    from .errors import RecordDecodeError

    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordDecodeError(key, f"not valid JSON ({exc})") from None


def encode_text(text: str, encoding: Encoding = "gzip") -> str:
    if encoding == "json":
        return text
    if encoding != "gzip":
        raise ValueError(f"unknown encoding {encoding!r}: use 'gzip' or 'json'")
    packed = gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)
    return GZIP_PREFIX + base64.b64encode(packed).decode("ascii")


def encode_data(value: Any, encoding: Encoding = "gzip") -> str:
    return encode_text(dumps(value), encoding)


def decode_text(key: str, data: Any) -> str:
    """The JSON text a DATA value holds; raises ValueError naming what is wrong."""
    if isinstance(data, str):
        if not data.startswith(GZIP_PREFIX):
            return data
        try:
            packed = base64.b64decode(data[len(GZIP_PREFIX):], validate=True)
        except binascii.Error as exc:
            raise ValueError(f"GZIP_V1 payload is not valid base64 ({exc})") from None
        try:
            return gzip.decompress(packed).decode("utf-8")
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"GZIP_V1 payload is not a complete gzip stream ({exc})") from None
        except UnicodeDecodeError as exc:
            raise ValueError(f"GZIP_V1 payload is not UTF-8 text ({exc.reason})") from None
    # The raw-object form: only JSON-representable values can be read losslessly.
    try:
        return dumps(data)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"raw stored value is not JSON ({exc})") from None


def decode_data(key: str, data: Any) -> Any:
    from .errors import RecordDecodeError

    try:
        text = decode_text(key, data)
    except ValueError as exc:
        raise RecordDecodeError(key, str(exc)) from None
    return loads(key, text)
