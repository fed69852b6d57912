"""verify_data_integrity: the migrated session must equal the original in EVERY field, by JSON's
type-strict rules (session/compare.py), and a failure lists each difference the way the seed shows it:

    Data integrity verification failed:
      - Screenshots count mismatch (screenshots.length)
        Expected: 120, Actual: 119
      - Audio segment 15 transcription mismatch (audioSegments[15].transcription)
        Expected: "Started debugging the authentication flow"
        Actual: "Started debugging authentication flow"
"""
from __future__ import annotations

import json
import re
from typing import Any

from ..errors import DataIntegrityError
from ..session.compare import Difference, json_diff, shared_json_equal

HEADER = "Data integrity verification failed:"
MAX_LISTED = 20  # differences shown; the rest are counted
MAX_VALUE = 80  # characters of a value shown
ONE_LINE = 72  # "Expected: …, Actual: …" longer than this goes on two lines
MISSING = "(missing)"


def verify_data_integrity(original: Any, migrated: Any) -> None:
    """Return when `migrated` equals `original`; raise DataIntegrityError listing every difference."""
    if shared_json_equal(original, migrated):  # cheap when they share nodes, exact either way
        return
    differences = json_diff(original, migrated)
    if differences:
        raise DataIntegrityError(describe_differences(differences), differences)


def describe_differences(differences: list[Difference], limit: int = MAX_LISTED) -> str:
    lines = [HEADER]
    for difference in differences[:limit]:
        lines.extend(_entry(difference))
    if len(differences) > limit:
        lines.append(f"  … and {len(differences) - limit} more")
    return "\n".join(lines)


def _entry(difference: Difference) -> list[str]:
    path = difference.path or "(session)"
    if difference.kind == "length":
        path = f"{difference.path}.length"
    expected = MISSING if difference.kind == "unexpected" else show(difference.expected)
    actual = MISSING if difference.kind == "missing" else show(difference.actual)
    head = f"  - {label(difference.path, difference.kind)} mismatch ({path})"
    both = f"    Expected: {expected}, Actual: {actual}"
    if len(both) <= ONE_LINE:
        return [head, both]
    return [head, f"    Expected: {expected}", f"    Actual: {actual}"]


def show(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


_TOKEN = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _tokens(path: str) -> list[str | int] | None:
    """('audioSegments', 15, 'transcription') for audioSegments[15].transcription; None for
    paths with quoted keys, which get the generic label."""
    tokens: list[str | int] = []
    pos = 0
    while pos < len(path):
        match = _TOKEN.match(path, pos)
        if not match or (match.group(0).startswith(".") and not tokens):
            return None
        tokens.append(match.group(1) if match.group(1) else int(match.group(2)))
        pos = match.end()
    return tokens


def _words(name: str) -> str:
    return _CAMEL.sub(" ", name).lower()


def label(path: str, kind: str = "value") -> str:
    """'Screenshots count', 'Audio segment 15 transcription', 'Summary narrative'; 'Field' when
    the path has keys no label can say."""
    if not path:
        return "Session"
    tokens = _tokens(path)
    if tokens is None:
        return "Field"
    words: list[str] = []
    for i, token in enumerate(tokens):
        if isinstance(token, int):
            if words and isinstance(tokens[i - 1], str):  # screenshots[3] -> "screenshot 3"
                words[-1] = _singular(words[-1])
            words.append(str(token) if words else f"item {token}")
        else:
            words.append(_words(token))
    if kind == "length":
        words.append("count")
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _singular(words: str) -> str:
    return words[:-1] if words.endswith("s") and not words.endswith("ss") else words
