"""One file of Taskerino's desktop store, as the app writes and reads it
(src/services/storage/TauriFileSystemAdapter.ts `save` and `load`, StorageAdapter.ts
`calculateChecksum`, compressionUtils.ts). docs/desktop.md says where the doc and the code differ.

Written: JSON.stringify({version: 1, checksum, timestamp, compressed: true, data}, null, 2) with
data = "GZIP_V1:" + base64(gzip level 9 of the JSON text), no trailing newline.
Read (`load`): a parsed object with a truthy `version` and a `data` member is an envelope: a
GZIP_V1 string is gunzipped and parsed, another string parsed, anything else taken as is; the
checksum is checked when present and `compressed` is falsy, against JSON.stringify(value, null, 2).
Anything else parsed is the value itself (old files, and files WAL replay writes).
"""
from __future__ import annotations

import base64
import gzip
import json
import re
import time
from itertools import product
from operator import mul
from typing import Any

from ...errors import RecordDecodeError
from ...session import js_json
from .. import codec

GZIP_PREFIX = codec.GZIP_PREFIX
_MASK = 0xFFFFFFFF
# Σ b[i]·31^(n-1-i) mod 2^32 over bytes, two at a time: _PAIR[v] = 31·x + y for the pair (x, y)
# whose native 16-bit value is v, weighted by powers of 31² and summed a block at a time at C
# speed (map/sum): ~4x fewer Python steps than one per character.
_PAIR = [0] * 65536
for _v, (_x, _y) in zip(memoryview(bytes(b for xy in product(range(256), repeat=2) for b in xy)).cast("H"),
                        product(range(256), repeat=2)):
    _PAIR[_v] = 31 * _x + _y
_BLOCK = 1 << 14
_POWERS = [pow(961, _BLOCK - 1 - i, 1 << 32) for i in range(_BLOCK)]
_BLOCK_POWER = pow(961, _BLOCK, 1 << 32)


def _poly31(data: bytes) -> int:
    if len(data) % 2:
        data = b"\0" + data  # a leading zero changes no sum
    units = memoryview(data).cast("H")
    h = 0
    pair = _PAIR.__getitem__
    for start in range(0, len(units), _BLOCK):
        block = units[start:start + _BLOCK]
        n = len(block)
        power = _BLOCK_POWER if n == _BLOCK else pow(961, n, 1 << 32)
        h = (h * power + sum(map(mul, map(pair, block), _POWERS[_BLOCK - n:]))) & _MASK
    return h


class Checksum:
    """calculateChecksum, fed in pieces: h = ((h << 5) - h) + c over UTF-16 code units, kept to
    a signed 32-bit integer, printed in base 36; i.e. Σ c[i]·31^(n-1-i) mod 2^32. A UTF-16 unit
    is lo + 256·hi, so a non-ASCII text is two byte sums."""

    def __init__(self) -> None:
        self.h = 0

    def update(self, text: str) -> "Checksum":
        if text.isascii():
            n, part = len(text), _poly31(text.encode("ascii"))
        else:
            data = text.encode("utf-16-le", "surrogatepass")
            n, part = len(data) // 2, _poly31(data[0::2]) + 256 * _poly31(data[1::2])
        self.h = (self.h * pow(31, n, 1 << 32) + part) & _MASK
        return self

    def digest(self) -> str:
        return _base36(self.h - (1 << 32) if self.h >= 1 << 31 else self.h)


def checksum(text: str) -> str:
    return Checksum().update(text).digest()


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if n == 0:
        return "0"
    sign, n = ("-", -n) if n < 0 else ("", n)
    out = []
    while n:
        n, r = divmod(n, 36)
        out.append(digits[r])
    return sign + "".join(reversed(out))


def js_text(value: Any) -> str:
    """The JSON text we store for a value: JSON.stringify's form (compact, non-ASCII written as
    itself, a lone surrogate escaped) with numbers as Python prints them (57.0, 1e-05), so our
    type-strict read-back holds; JavaScript parses the same numbers from it. Its checksum is
    over JSON.stringify's own text (encode_file; docs/desktop.md)."""
    return js_json.escape_lone_surrogates(json.dumps(value, ensure_ascii=False, allow_nan=False,
                                                     separators=(",", ":")))


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def gzip_data(text: str) -> str:
    """compressData: "GZIP_V1:" + base64 of gzip level 9 (fflate's gzipSync level 9)."""
    return GZIP_PREFIX + base64.b64encode(gzip.compress(text.encode("utf-8"), 9, mtime=0)).decode("ascii")


def envelope_head(sum_: str, timestamp: int) -> str:
    """The envelope up to its data string's opening quote; ENVELOPE_TAIL closes it."""
    return ('{\n  "version": 1,\n  "checksum": ' + json.dumps(sum_) + ',\n  "timestamp": '
            + str(timestamp) + ',\n  "compressed": true,\n  "data": "')


ENVELOPE_TAIL = '"\n}'


def encode_file(text: str, timestamp: int | None = None) -> bytes:
    """The file the app's save() writes for a value whose stored text (js_text) is `text`: the
    checksum is calculateChecksum(JSON.stringify(value)), over JavaScript's text of it."""
    stamp = now_ms() if timestamp is None else timestamp
    return (envelope_head(checksum(js_json.from_python_text(text)), stamp) + gzip_data(text) + ENVELOPE_TAIL).encode("utf-8")


_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


def member_spans(line: str) -> dict[str, tuple[int, int]]:
    """The text span of each top-level member value of the JSON object `line` (compact or not):
    the `data` of an entry is then copied as the very text JSON.stringify wrote for it."""
    spans: dict[str, tuple[int, int]] = {}
    i = _SPACE.match(line, 0).end()
    if line[i:i + 1] != "{":
        return spans
    i = _SPACE.match(line, i + 1).end()
    if line[i:i + 1] == "}":
        return spans
    while True:
        name, i = _DECODER.raw_decode(line, i)
        i = _SPACE.match(line, i).end()
        i = _SPACE.match(line, i + 1).end()  # past ':'
        _, end = _DECODER.raw_decode(line, i)
        spans[name] = (i, end)
        i = _SPACE.match(line, end).end()
        if line[i:i + 1] != ",":
            return spans
        i = _SPACE.match(line, i + 1).end()


# -- reading, by the app's load() rules

def js_truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0 and value == value
    if isinstance(value, str):
        return value != ""
    return value is not None


def js_indented(value: Any) -> str:
    """JSON.stringify(value, null, 2), for the app's checksum check."""
    return js_json.js_stringify(value, 2)


def decode_file(key: str, raw: bytes) -> codec.Decoded:
    """The value `load` returns for file content `raw`; RecordDecodeError naming the key when the
    app itself would not load it (not JSON, bad gzip, a failed checksum, `null`)."""
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordDecodeError(key, f"the file is not UTF-8 text ({exc.reason})") from None
    parsed = codec.loads(key, content)
    if parsed is None:  # load() reads `null.version`: a TypeError, so it falls back to the backup
        raise RecordDecodeError(key, "the file holds `null`, which Taskerino cannot load")
    if not (isinstance(parsed, dict) and js_truthy(parsed.get("version")) and "data" in parsed):
        return codec.Decoded(parsed, codec.dumps(parsed))
    data = parsed["data"]
    if isinstance(data, str):
        try:
            text = codec.decode_text(data)
        except ValueError as exc:
            raise RecordDecodeError(key, str(exc)) from None
        value = codec.loads(key, text)
    else:
        value, text = data, None
    if js_truthy(parsed.get("checksum")) and not js_truthy(parsed.get("compressed")):
        if checksum(js_indented(value)) != parsed["checksum"]:
            raise RecordDecodeError(key, "its checksum does not match its data, so Taskerino itself "
                                         "would not load it (it falls back to the .backup.json file)")
    return codec.Decoded(value, text if text is not None else codec.dumps(value))
