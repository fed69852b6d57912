"""JavaScript's JSON.stringify and Number::toString, for values parsed from JSON text.

Python's json.dumps writes the same text as JSON.stringify but for three things: numbers (57.0
for 57, 1e-05 for 0.00001, 1e+16 written out by JS, -0.0 for 0, integers beyond 2^53 that JS
holds as the nearest double), the order of an object's keys (JS puts array-index keys such as
"0", "42" first, ascending), and a lone surrogate (JS escapes it). `js_stringify` starts from
json.dumps at C speed and fixes only a text where one of those can occur.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

_SAFE_INTEGER = 2 ** 53
_INDEX_LIMIT = 2 ** 32 - 1  # array indices are 0 .. 2^32 - 2
_REPR = re.compile(r"(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?")
# Where json.dumps' text may differ from JS's: an integer-valued float (…0.0), an exponent, a
# long run of digits (an integer beyond 2^53), a non-finite number. A string may match too: the
# slow path then changes nothing there.
_NUMBER_HINT = re.compile(r"\.0\b|\d[eE]|\d{16}|NaN|Infinity")
_INDEX_KEY_HINT = re.compile(r'"(?:0|[1-9]\d*)":')
# A string (skipped) or a number, in json.dumps' text.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|(-?(?:Infinity|NaN|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?))')


def number_text(x: float | int) -> str:
    """Number::toString for a finite number: the shortest digits that round-trip (Python's
    repr finds the same ones), written out in full from 1e-6 up to below 1e21, else with an
    exponent ("1e+21", "1.5e-7"); -0 is "0"."""
    x = float(x)
    if x == 0:
        return "0"
    sign, whole, fraction, exponent = _REPR.fullmatch(repr(x)).groups()
    digits = whole + (fraction or "")
    point = len(whole) + int(exponent or 0)  # the decimal point's place after the first digit of `digits`
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        e = n - 1
        text = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return sign + text


def js_stringify(value: Any, indent: int | None = None, *, nonfinite_null: bool = False) -> str:
    """JSON.stringify(value) (indent: JSON.stringify(value, null, indent)) for a value as Python's
    json module parses JSON text. nonfinite_null: a number JS would hold as ±Infinity or NaN (a
    parsed 1e400) is written `null`, as JS writes it; else it is a ValueError."""
    text = _dumps(value, indent, nonfinite_null)
    if _INDEX_KEY_HINT.search(text):
        text = _dumps(_js_order(value), indent, nonfinite_null)
    return _fix_numbers(text, nonfinite_null) if _NUMBER_HINT.search(text) else text


def from_python_text(text: str) -> str:
    """JSON.stringify(JSON.parse(text)) for a compact JSON text (json.dumps' or JavaScript's,
    ensure_ascii off, lone surrogates escaped): the same text in the common case, found without
    parsing."""
    if _INDEX_KEY_HINT.search(text):
        return js_stringify(json.loads(text), nonfinite_null=True)
    return _fix_numbers(text, True) if _NUMBER_HINT.search(text) else text


def _dumps(value: Any, indent: int | None, nonfinite_null: bool) -> str:
    text = json.dumps(value, ensure_ascii=False, allow_nan=nonfinite_null, indent=indent,
                      separators=None if indent is not None else (",", ":"))
    return escape_lone_surrogates(text)


def escape_lone_surrogates(text: str) -> str:
    """JSON.stringify writes a lone surrogate as an escape (Python strings hold no pairs)."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return "".join(f"\\u{ord(c):04x}" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def _is_index(key: str) -> bool:
    return key.isdigit() and (key == "0" or key[0] != "0") and key.isascii() and int(key) < _INDEX_LIMIT


def _js_order(value: Any) -> Any:
    """Objects with their keys in JS's own-property order: array indices first, ascending."""
    if isinstance(value, dict):
        indices = sorted((k for k in value if _is_index(k)), key=int)
        order = indices + [k for k in value if not _is_index(k)] if indices else list(value)
        return {k: _js_order(value[k]) for k in order}
    if isinstance(value, list):
        return [_js_order(v) for v in value]
    return value


def _fix_numbers(text: str, nonfinite_null: bool) -> str:
    def token(match: re.Match) -> str:
        number = match.group(1)
        if number is None:
            return match.group(0)  # a string
        if number in ("NaN", "Infinity", "-Infinity"):
            return "null"
        if number.lstrip("-").isdigit() and abs(int(number)) <= _SAFE_INTEGER:
            return number
        x = float(number)  # as JSON.parse rounds it (a huge integer or exponent: ±inf)
        if x in (math.inf, -math.inf):
            if nonfinite_null:
                return "null"
            raise ValueError(f"the number {number[:20]} is too large for JavaScript (it would be Infinity)")
        return number_text(x)
    return _TOKEN.sub(token, text)
