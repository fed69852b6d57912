"""A session's checksum: sha256 of its canonical JSON text.

Canonical, not codec.dumps as stored: a session rebuilt from its chunks has its keys in another
order, and a number that crossed JavaScript may come back as 1 instead of 1.0. Sorted keys and
JS numbers make "the same JSON value" give the same checksum, as compare.json_equal decides.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any


def _js_numbers(value: Any) -> Any:
    if isinstance(value, float):
        return int(value) if value.is_integer() else value  # JS prints 1.0 and -0.0 as 1 and 0
    if isinstance(value, dict):
        return {k: _js_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_js_numbers(v) for v in value]
    return value


# In Python's JSON text a float with an integer value always shows as "….0" (below 1e16) or
# with "e+" (from 1e16 up), and a number is always followed by `,`, `]`, `}` or the end.
_INTEGER_FLOAT_ENDINGS = (".0,", ".0]", ".0}", "e+")


def _may_hold_integer_float(text: str) -> bool:
    """False only when `text` surely has no integer-valued float (a string may look like one)."""
    return text.endswith(".0") or any(ending in text for ending in _INTEGER_FLOAT_ENDINGS)


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=True, allow_nan=False,
                      separators=(",", ":"))


def canonical_json(value: Any) -> str:
    # Fast path (byte-identical): dump as is at C speed; only when the text could hold an
    # integer-valued float (or a string that merely looks like one) take the copying walk.
    text = _dumps(value)
    if not _may_hold_integer_float(text):
        return text
    return _dumps(_js_numbers(value))


def session_checksum(session: Any) -> str:
    return hashlib.sha256(canonical_json(session).encode("ascii")).hexdigest()
