"""The app's `sessions` array in a desktop folder, streamed: a heavy history is hundreds of MB
and Python never holds it whole (the browser's design is web/lib/array-scanner.mjs +
array-data.mjs; this is its CPython counterpart).

The app's own form (a GZIP_V1 envelope) and a plain JSON array file (WAL replay's form) are
streamed: base64 -> gunzip -> UTF-8 -> the element scanner, which finds each element's exact
text with the C parser (`JSONDecoder.raw_decode`, strict like codec.loads) on a bounded buffer;
an element JSON can't hold (1e400) blocks only itself.
Hand-written, not ijson: ijson yields parsed values but not each element's text, and the rewrite
must keep every element it does not remove as its very text. Older forms (a JSON string in the
envelope, a raw array, a checksummed uncompressed envelope) are read whole, as load() does, and
then scanned the same way.

A rewrite streams the kept elements' texts into a new envelope (gzip + base64 into a temporary
file, then the header with its checksum, which comes first, and that data) and renames it over
sessions.json. Elements are compared by a hash of their text, so memory stays one element.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ...errors import RecordDecodeError
from ...session import js_json
from .. import codec
from ..port import ArrayRecord
from . import envelope, files

CHUNK = 1 << 20  # bytes read from a file at a time
PIECE = 1 << 18  # characters of JSON text inflated at a time
_HEAD = re.compile(rb'\A\{\s*"version":\s*[1-9]\d*,\s*"checksum":\s*"[^"\\]*",\s*"timestamp":\s*-?\d+,'
                   rb'\s*"compressed":\s*true,\s*"data":\s*"GZIP_V1:')
_TAIL = re.compile(rb'"\s*\}\s*\Z')
_WS = re.compile(r"[ \t\n\r]*")
_STRICT = json.JSONDecoder(parse_float=codec._finite_float, parse_constant=codec._no_constant)
_LENIENT = json.JSONDecoder()


def element_hash(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def element_id(value: Any) -> str | None:
    return value["id"] if isinstance(value, dict) and isinstance(value.get("id"), str) else None


class Source:
    """Where the array's file content comes from: a path (read in chunks) or bytes (an overlay)."""

    def __init__(self, key: str, path: Path | None = None, content: bytes | None = None):
        self.key, self.path, self.content = key, path, content

    def _raw_chunks(self) -> Iterator[bytes]:
        if self.content is not None:
            yield self.content
            return
        try:
            with open(self.path, "rb") as f:
                while chunk := f.read(CHUNK):
                    yield chunk
        except OSError as exc:
            raise RecordDecodeError(self.key, f"{self.path} cannot be read ({exc.strerror})") from None

    def texts(self) -> Iterator[str]:
        """The array's JSON text in pieces: streamed for the app's form and a plain array file."""
        chunks = self._raw_chunks()
        head = b""
        for chunk in chunks:
            head += chunk
            if len(head) >= 512:
                break
        if _HEAD.match(head):
            return _gunzipped(self.key, _base64_payload(self.key, head, chunks))
        if head.lstrip().startswith(b"["):
            return _utf8(self.key, _prepend(head, chunks))
        return self._whole(head + b"".join(chunks))

    def _whole(self, raw: bytes) -> Iterator[str]:
        """An older form, read whole as load() does, but its array still scanned element by
        element: one element JSON can't hold blocks only itself."""
        decoded_text = None
        try:
            text = raw.decode("utf-8")
            spans = envelope.member_spans(text)
        except (UnicodeDecodeError, ValueError):
            spans = {}
        head = {k: json.loads(text[a:b]) for k, (a, b) in spans.items() if k != "data"}
        if "data" not in spans or not envelope.js_truthy(head.get("version")):
            envelope.decode_file(self.key, raw)  # not an envelope: raises, or is no array
            raise RecordDecodeError(self.key, "expected an array")
        if envelope.js_truthy(head.get("checksum")) and not envelope.js_truthy(head.get("compressed")):
            envelope.decode_file(self.key, raw)  # the app's checksum check needs the value whole
        a, b = spans["data"]
        data = text[a:b]
        if data.startswith('"'):
            try:
                decoded_text = codec.decode_text(json.loads(data))
            except ValueError as exc:
                raise RecordDecodeError(self.key, str(exc)) from None
        return iter([decoded_text if decoded_text is not None else data])

def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _base64_payload(key: str, head: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    """The base64 text of the data string, up to its closing quote; the tail checked after it."""
    start = _HEAD.match(head).end()
    buf = head[start:]
    pending = b""
    done = False
    tail = b""
    chunks = _prepend(buf, rest)
    for chunk in chunks:
        if done:
            tail += chunk
            continue
        quote = chunk.find(b'"')
        if quote >= 0:
            tail = chunk[quote:]
            chunk, done = chunk[:quote], True
        if b"\\" in chunk:
            raise RecordDecodeError(key, "GZIP_V1 payload is not valid base64 (an escape in it)")
        pending += chunk
        cut = len(pending) - len(pending) % 4
        if cut:
            yield pending[:cut]
            pending = pending[cut:]
    if not done or not _TAIL.match(tail):
        raise RecordDecodeError(key, "the file is not complete JSON (it ends inside its data)")
    if pending:
        yield pending


def _gunzipped(key: str, payload: Iterator[bytes]) -> Iterator[str]:
    inflater, fed = zlib.decompressobj(wbits=31), False
    text = _IncrementalText(key)
    try:
        for piece in payload:
            try:
                packed = base64.b64decode(piece, validate=True)
            except ValueError as exc:
                raise RecordDecodeError(key, f"GZIP_V1 payload is not valid base64 ({exc})") from None
            while packed:
                fed = True
                out = inflater.decompress(packed, PIECE)  # bounded: JSON inflates tenfold
                if out:
                    yield text.decode(out)
                packed = inflater.unconsumed_tail
                if inflater.eof:  # another gzip member may follow, as gzip.decompress reads
                    packed, inflater, fed = inflater.unused_data, zlib.decompressobj(wbits=31), False
    except zlib.error as exc:
        raise RecordDecodeError(key, f"GZIP_V1 payload is not a complete gzip stream ({exc})") from None
    if fed:
        raise RecordDecodeError(key, "GZIP_V1 payload is not a complete gzip stream (it is cut short)")
    yield text.decode(b"", final=True)


class _IncrementalText:
    def __init__(self, key: str):
        import codecs
        self.key = key
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def decode(self, data: bytes, final: bool = False) -> str:
        try:
            return self.decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            raise RecordDecodeError(self.key, f"GZIP_V1 payload is not UTF-8 text ({exc.reason})") from None


def _utf8(key: str, chunks: Iterator[bytes]) -> Iterator[str]:
    text = _IncrementalText(key)
    for chunk in chunks:
        yield text.decode(chunk)
    yield text.decode(b"", final=True)


class Element:
    __slots__ = ("text", "value", "error")

    def __init__(self, text: str, value: Any, error: str | None = None):
        self.text, self.value, self.error = text, value, error


def scan(key: str, pieces: Iterator[str]) -> Iterator[Element]:
    """Each element of the JSON array whose text comes in `pieces`: its exact text and value.
    RecordDecodeError when the text is not one JSON array (checked to its end)."""
    buf, pos, exhausted = "", 0, False

    def more() -> bool:
        nonlocal buf, pos, exhausted
        for piece in pieces:
            if piece:
                buf, pos = buf[pos:] + piece, 0
                return True
        exhausted = True
        return False

    def skip_ws() -> str:
        nonlocal pos
        while True:
            pos = _WS.match(buf, pos).end()
            if pos < len(buf) or not more():
                return buf[pos:pos + 1]

    if skip_ws() != "[":
        raise RecordDecodeError(key, "expected an array")
    pos += 1
    if skip_ws() == "]":
        pos += 1
    else:
        while True:
            skip_ws()
            while True:
                try:
                    value, end = _STRICT.raw_decode(buf, pos)
                    error = None
                except json.JSONDecodeError as exc:
                    if not exhausted and more():
                        continue
                    raise RecordDecodeError(key, f"not valid JSON ({exc})") from None
                except ValueError as exc:  # a number JSON can't hold: only this element is refused
                    if not exhausted and len(buf) - pos < 1 << 16 and more():
                        continue
                    value, end = _LENIENT.raw_decode(buf, pos)
                    error = str(exc)
                if end >= len(buf) and not exhausted and more():
                    continue  # a number may go on in the next piece
                break
            yield Element(buf[pos:end], value, error)
            pos = end
            c = skip_ws()
            pos += 1
            if c == "]":
                break
            if c != ",":
                raise RecordDecodeError(key, "not valid JSON (the array is cut short or malformed)")
    if skip_ws() != "":
        raise RecordDecodeError(key, "not valid JSON (text after the array)")


def elements(source: Source) -> Iterator[Element]:
    yield from scan(source.key, source.texts())


def write_array(journal, target: Path, texts: Iterable[str]) -> None:
    """Replace `target` with the app's envelope of the array whose elements are `texts`."""
    staged = stage_array(journal, texts)
    try:
        files.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)
    files.fsync_dir(target.parent)


def stage_array(journal, texts: Iterable[str]) -> Path:
    """A temporary file (fsynced) holding the app's envelope of the array whose elements are
    `texts`, streamed: gzip (level 9) and base64 go to a scratch file as the texts come, the
    checksum is summed alongside, then the envelope is written around that data (the checksum
    comes first in it)."""
    data_path, final_path = journal.new_temporary(), journal.new_temporary()
    try:
        summer = envelope.Checksum()
        deflater = zlib.compressobj(9, zlib.DEFLATED, 31)
        leftover = b""

        def payload() -> Iterator[bytes]:
            nonlocal leftover
            yield envelope.GZIP_PREFIX.encode()
            pending = []
            size = 0
            for text in _joined(texts):
                summer.update(js_json.from_python_text(text))  # the app sums JS's text
                pending.append(text)
                size += len(text)
                if size >= CHUNK:
                    yield from _b64(deflater.compress("".join(pending).encode("utf-8", "surrogatepass")))
                    pending, size = [], 0
            yield from _b64(deflater.compress("".join(pending).encode("utf-8", "surrogatepass")) + deflater.flush(),
                            final=True)

        def _b64(data: bytes, final: bool = False) -> Iterator[bytes]:
            nonlocal leftover
            data = leftover + data
            cut = len(data) if final else len(data) - len(data) % 3
            leftover = data[cut:]
            if cut:
                yield base64.b64encode(data[:cut])

        files.write_new(data_path, payload(), sync=False)  # scratch: copied, never renamed
        head = envelope.envelope_head(summer.digest(), envelope.now_ms()).encode()

        def whole() -> Iterator[bytes]:
            yield head
            with open(data_path, "rb") as f:
                while chunk := f.read(CHUNK):
                    yield chunk
            yield envelope.ENVELOPE_TAIL.encode()

        files.write_new(final_path, whole())
        return final_path
    except BaseException:
        final_path.unlink(missing_ok=True)
        raise
    finally:
        data_path.unlink(missing_ok=True)


def _joined(texts: Iterable[str]) -> Iterator[str]:
    yield "["
    first = True
    for text in texts:
        if not first:
            yield ","
        first = False
        yield text
    yield "]"


class DesktopArrayRecord(ArrayRecord):
    """An array record handed over one element at a time (storage/port.py ArrayRecord)."""

    WINDOW = 4  # elements kept behind the cursor: two sessions are in flight (migration/pipeline.py)

    def __init__(self, backend, key: str, source: Source):
        self.backend, self.key, self.source = backend, key, source
        self.ids = []
        self.bad: dict[int, str] = {}
        try:
            self._scan_ids()
        except RecordDecodeError as exc:
            raise backend.unreadable(exc) from None
        self._cursor: Iterator[Element] | None = None
        self._next = 0
        self._window: dict[int, Element] = {}
        self._handed_over: dict[str, bytes] = {}  # id -> hash of the text handed over
        self._seen = backend.fingerprint(key), list(self.ids)  # ids as of that file state

    def _scan_ids(self) -> None:
        for n, element in enumerate(elements(self.source)):
            self.ids.append(element_id(element.value))
            if element.error:
                self.bad[n] = element.error

    def _element(self, index: int) -> Element:
        if index in self._window:
            return self._window[index]
        if self._cursor is None or index < self._next:
            self._cursor, self._next, self._window = elements(self.source), 0, {}
        for element in self._cursor:
            n = self._next
            self._next += 1
            self._window[n] = element
            self._window.pop(n - self.WINDOW, None)
            if n == index:
                return element
        raise IndexError(index)

    async def read_item(self, index: int) -> codec.Decoded:
        element = self._element(index)
        if element.error:
            raise RecordDecodeError(f"{self.key}[{index}]", f"element {index} is not JSON: {element.error}")
        if self.ids[index] is not None:
            self._handed_over[self.ids[index]] = element_hash(element.text)
        return codec.Decoded(element.value, element.text)

    async def present_ids(self, ids: Iterable[str]) -> list[str]:
        fingerprint, known = self._seen
        if fingerprint is None or fingerprint != self.backend.fingerprint(self.key):
            source = self.backend.array_source(self.key)
            known = [] if source is None else [element_id(e.value) for e in elements(source)]
            self._seen = self.backend.fingerprint(self.key), known
        current = set(known)
        return [i for i in dict.fromkeys(ids) if i in current]

    async def remove_items(self, ids: Iterable[str]) -> list[str]:
        wanted = {i for i in ids if i in self._handed_over}
        source = self.backend.array_source(self.key)
        if source is None or not wanted:
            return []
        removed: list[str] = []
        kept_ids: list[str | None] = []

        def kept() -> Iterator[str]:
            for element in elements(source):
                eid = element_id(element.value)
                if eid in wanted and element_hash(element.text) == self._handed_over[eid]:
                    removed.append(eid)
                else:
                    kept_ids.append(eid)
                    yield element.text

        self.backend.rewrite_array(self.key, kept())
        self._seen = self.backend.fingerprint(self.key), kept_ids
        return removed
