"""A session's checksum: sha256 of its canonical JSON text.

Canonical, not codec.dumps as stored: a session rebuilt from its chunks has its keys in another
order, and a number that crossed JavaScript may come back as 1 instead of 1.0. Sorted keys and
JS numbers make "the same JSON value" give the same checksum, as jsoncompare.json_equal decides.
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


def canonical_json(value: Any) -> str:
    return json.dumps(_js_numbers(value), sort_keys=True, ensure_ascii=True, allow_nan=False,
                      separators=(",", ":"))


def session_checksum(session: Any) -> str:
    return hashlib.sha256(canonical_json(session).encode("ascii")).hexdigest()
