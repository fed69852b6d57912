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
import math
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal

GZIP_PREFIX = "GZIP_V1:"
Encoding = Literal["gzip", "json"]


def dumps(value: Any) -> str:
    """JSON text exactly as it crosses the bridge: ASCII-escaped so lone surrogates survive."""
    known = _known_texts.get()
    if known is not None:
        hit = known.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
    return json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":"))


# Inside `known_texts()`, dumps(value) returns the text remembered for that very object instead
# of encoding it again (a session's records are measured, then written: one encoding, not two).
# Scoped to one task's block, holding the objects (so an id can't be reused); the caller must
# not change a remembered object inside the block.
_known_texts: ContextVar[dict[int, tuple[Any, str]] | None] = ContextVar("known_texts", default=None)


@contextmanager
def known_texts() -> Iterator[None]:
    token = _known_texts.set({})
    try:
        yield
    finally:
        _known_texts.reset(token)


def remember(value: Any, text: str) -> str:
    """Inside known_texts(): dumps(value) is `text` (which must be dumps(value)). Returns text."""
    known = _known_texts.get()
    if known is not None:
        known[id(value)] = (value, text)
    return text


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _NotJsonNumber(f"the number {text[:40]} is out of range (JavaScript reads it as Infinity)")
    return value


def _no_constant(name: str) -> Any:
    raise _NotJsonNumber(f"{name} is not a JSON value")


class _NotJsonNumber(ValueError):
    pass


def loads(key: str, text: str) -> Any:
    """Parse a record's JSON text; raises RecordDecodeError naming the key.

    Strict like JavaScript's JSON.parse where Python's json module is lenient: NaN/Infinity
    tokens are refused, and so are floats JavaScript reads as ±Infinity (1e400): they could
    not be written back as JSON, so such a record can't be kept losslessly. (Long integers are
    kept digit for digit; beyond 4300 digits Python refuses them.)"""
    from .errors import RecordDecodeError

    try:
        return json.loads(text, parse_float=_finite_float, parse_constant=_no_constant)
    except ValueError as exc:  # JSONDecodeError, _NotJsonNumber, an integer beyond 4300 digits
        raise RecordDecodeError(key, f"not valid JSON ({exc})") from None


def loads_stringified(key: str, text: str) -> Any:
    """loads() for a text JavaScript's JSON.stringify just made from a value it held: its numbers
    are finite doubles (stringify writes no NaN/Infinity, and the bridge refuses values holding
    them before), so no float needs checking: parsed at C speed, no call per float."""
    from .errors import RecordDecodeError

    try:
        return json.loads(text)
    except ValueError as exc:
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
