"""Type-strict equality of decoded JSON values, and a complete list of their differences.

The rules are JSON's, as JavaScript sees them: `true` is never a number (though Python says
True == 1), an int and a float are equal when their values are (JS has one number type),
object key order does not matter, and a missing key differs from a key holding null.

Speed: sessions run to hundreds of KB. Python's own `==` (in C) agrees with these rules except
for bool/number confusion, so `a == b` decides every "different" and, when it says "equal", two
C-speed `json.dumps` confirm it: identical canonical text means no bool hides behind a number.
Only when the texts differ (1 vs 1.0, -0.0 vs 0, or a real bool/number mix-up) do we walk the
values in Python.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["value", "type", "missing", "unexpected", "length"]

_canonical = json.JSONEncoder(ensure_ascii=True, sort_keys=True, check_circular=False,
                              allow_nan=True, separators=(",", ":")).encode


@dataclass(frozen=True)
class Difference:
    """One place where `actual` departs from `expected`.

    `path` names the place (`screenshots[3].aiAnalysis.summary`; "" for the whole value).
    kind: "value" (same JSON type, other value), "type" (other JSON type), "missing" (key of
    expected not in actual), "unexpected" (key or item of actual not in expected), "length"
    (arrays of different lengths: expected and actual are the lengths; the common items and
    the missing/unexpected ones are reported too).
    """

    path: str
    expected: Any
    actual: Any
    kind: Kind

    def __str__(self) -> str:
        where = self.path or "(root)"
        if self.kind == "missing":
            return f"{where}: missing (expected {_short(self.expected)})"
        if self.kind == "unexpected":
            return f"{where}: unexpected {_short(self.actual)}"
        if self.kind == "length":
            return f"{where}.length: expected {self.expected}, got {self.actual}"
        return f"{where}: expected {_short(self.expected)}, got {_short(self.actual)}"


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def json_equal(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if a != b:
        return False
    try:
        if _canonical(a) == _canonical(b):
            return True
    except (TypeError, ValueError):
        pass  # not plain JSON: the walk decides
    return _walk_equal(a, b)


def json_diff(expected: Any, actual: Any, path: str = "") -> list[Difference]:
    """Every difference, in document order; [] exactly when json_equal(expected, actual)."""
    out: list[Difference] = []
    _diff(expected, actual, path, out)
    return out


def shared_json_equal(a: Any, b: Any) -> bool:
    """json_equal for two values that share most of their nodes (a session and the one its own
    records rebuild): a walk that passes each shared node at once, where json_equal's canonical
    texts would serialize both whole."""
    return _walk_equal(a, b)


def _walk_equal(a: Any, b: Any) -> bool:
    if a is b:  # one node: equal under any rule
        return True
    ta, tb = json_type(a), json_type(b)
    if ta != tb:
        return False
    if ta == "object":
        return a.keys() == b.keys() and all(_walk_equal(v, b[k]) for k, v in a.items())
    if ta == "array":
        return len(a) == len(b) and all(_walk_equal(x, y) for x, y in zip(a, b))
    return a == b


def _diff(expected: Any, actual: Any, path: str, out: list[Difference]) -> None:
    if json_equal(expected, actual):
        return
    te, ta = json_type(expected), json_type(actual)
    if te != ta:
        out.append(Difference(path, expected, actual, "type"))
    elif te == "object":
        for key, value in expected.items():
            sub = _join(path, key)
            if key in actual:
                _diff(value, actual[key], sub, out)
            else:
                out.append(Difference(sub, value, None, "missing"))
        for key, value in actual.items():
            if key not in expected:
                out.append(Difference(_join(path, key), None, value, "unexpected"))
    elif te == "array":
        if len(expected) != len(actual):
            out.append(Difference(path, len(expected), len(actual), "length"))
        for i, (x, y) in enumerate(zip(expected, actual)):
            _diff(x, y, f"{path}[{i}]", out)
        for i in range(len(actual), len(expected)):
            out.append(Difference(f"{path}[{i}]", expected[i], None, "missing"))
        for i in range(len(expected), len(actual)):
            out.append(Difference(f"{path}[{i}]", None, actual[i], "unexpected"))
    else:
        out.append(Difference(path, expected, actual, "value"))


def _join(path: str, key: str) -> str:
    if key.isidentifier() and key.isascii():
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def _short(value: Any, limit: int = 80) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
