"""Taskerino's DATA forms of a record in the `collections` store, in Python.

The app stores `{name, data, timestamp}` where `data` is one of
  - "GZIP_V1:" + base64(gzip(JSON text))   (what the app writes by default)
  - a plain JSON string
  - the raw value itself (structured clone; only in old data)
The browser bridge (web/lib/data-forms.mjs) implements the same rules in JavaScript; this module
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
from typing import Any, Literal, NamedTuple

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
    from ..errors import RecordDecodeError

    try:
        return json.loads(text, parse_float=_finite_float, parse_constant=_no_constant)
    except ValueError as exc:  # JSONDecodeError, _NotJsonNumber, an integer beyond 4300 digits
        raise RecordDecodeError(key, f"not valid JSON ({exc})") from None


def loads_stringified(key: str, text: str) -> Any:
    """loads() for a text JavaScript's JSON.stringify just made from a value it held: its numbers
    are finite doubles (stringify writes no NaN/Infinity, and the bridge refuses values holding
    them before), so no float needs checking: parsed at C speed, no call per float."""
    from ..errors import RecordDecodeError

    try:
        return json.loads(text)
    except ValueError as exc:
        raise RecordDecodeError(key, f"not valid JSON ({exc})") from None


def record_encoding(key: str, encoding: Encoding) -> Encoding:
    """The DATA form record `key` is written in: a session's metadata as plain JSON (a form the
    app reads too), everything else in `encoding`. The metadata is small (gzip saves little) and
    every listing reads it, once per session: decompressing it was 90% of a listing's time."""
    from ..session.layout import parse_chunked_key

    parsed = parse_chunked_key(key)
    return "json" if parsed is not None and parsed.part == "metadata" else encoding


def encode_text(text: str, encoding: Encoding = "gzip") -> str:
    if encoding == "json":
        return text
    if encoding != "gzip":
        raise ValueError(f"unknown encoding {encoding!r}: use 'gzip' or 'json'")
    packed = gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)
    return GZIP_PREFIX + base64.b64encode(packed).decode("ascii")


def encode_data(value: Any, encoding: Encoding = "gzip") -> str:
    return encode_text(dumps(value), encoding)


class _Undefined:
    """JavaScript's `undefined` inside raw (structured-clone) data: Python has no such value, so
    the memory backend holds this one where the browser would hold `undefined`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED = _Undefined()


class Decoded(NamedTuple):
    """A stored record (or array element) read as JSON."""

    value: Any
    text: str  # a JSON text that decodes to `value`
    #: Paths of object properties stored as `undefined` and read as absent (raw data only).
    undefined_paths: tuple[str, ...] = ()


class NotJson(ValueError):
    """A raw value holds something JSON can't (the message names its path); it can't be kept
    losslessly, so nothing is made of it."""


def json_view(value: Any, path: str = "") -> tuple[Any, list[str]]:
    """The JSON value a raw (structured-clone) value means, and the paths of the object
    properties left out of it because they hold `undefined`.

    The app means such a property absent: its types mark those fields optional and its own save
    (JSON.stringify) drops them. Anything else JSON can't hold — `undefined` inside an array, a
    Date, a Map, NaN, a class instance — raises NotJson naming its path: no meaning is guessed.
    web/lib/data-forms.mjs `jsonView` applies the same rule to real structured-clone values."""
    absent: list[str] = []
    return _view(value, path, absent), absent


def _view(value: Any, path: str, absent: list[str]) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        raise NotJson(f"{path or 'value'} is {'NaN' if math.isnan(value) else value}")
    if isinstance(value, list):
        return [_view(v, f"{path}[{i}]", absent) for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            inner = f"{path}.{k}" if path else str(k)
            if v is UNDEFINED:
                absent.append(inner)
            else:
                out[k] = _view(v, inner, absent)
        return out
    kind = "undefined" if value is UNDEFINED else type(value).__name__
    raise NotJson(f"{path or 'value'} is {kind}")


def decode(key: str, data: Any) -> Decoded:
    """A DATA value read as JSON; RecordDecodeError naming the key and what is wrong."""
    from ..errors import RecordDecodeError

    if not isinstance(data, str):  # the raw-object form
        return decode_value(key, data, "raw stored value")
    try:
        text = decode_text(data)
    except ValueError as exc:
        raise RecordDecodeError(key, str(exc)) from None
    return Decoded(loads(key, text), text)


def decode_value(key: str, value: Any, what: str) -> Decoded:
    """A raw value (a record's, or an array element) read as JSON, as json_view reads it."""
    from ..errors import RecordDecodeError

    try:
        view, absent = json_view(value)
    except NotJson as exc:
        raise RecordDecodeError(key, f"{what} is not JSON: {exc}") from None
    return Decoded(view, dumps(view), tuple(absent))


def decode_text(data: str) -> str:
    """The JSON text a string DATA value holds; raises ValueError naming what is wrong."""
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


def decode_data(key: str, data: Any) -> Any:
    return decode(key, data).value
