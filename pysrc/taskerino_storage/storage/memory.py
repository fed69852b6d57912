"""In-memory backend for CPython: Taskerino's records held in a dict, encoded as the app encodes them."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import LockBusyError, QuotaExceededError, RecordDecodeError
from ..session import layout
from . import codec
from .port import ArrayRecord, IndexChange, StorageBackend, StorageEstimate, appended


class MemoryBackend(StorageBackend):
    """Holds `{name, data, timestamp}` records like the `collections` store does.

    `quota` (bytes of DATA) lets tests run out of space; a refused batch changes nothing.
    """

    def __init__(self, encoding: codec.Encoding = "gzip", quota: int = 1 << 40):
        self.encoding = encoding
        self.quota = quota
        self.records: dict[str, dict[str, Any]] = {}
        self.locks: dict[str, asyncio.Lock] = {}

    # -- the app's view: raw records, for tests that write or read like Taskerino does
    def put_raw(self, key: str, data: Any) -> None:
        self.records[key] = {"name": key, "data": data, "timestamp": int(time.time() * 1000)}

    def raw(self, key: str) -> Any:
        return self.records[key]["data"]

    # -- the interface
    async def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        return {k: codec.decode_data(k, self.records[k]["data"]) for k in keys if k in self.records}

    async def read(self, key: str) -> codec.Decoded | None:
        return codec.decode(key, self.records[key]["data"]) if key in self.records else None

    async def append_to_array(self, key: str, element: dict, puts: Mapping[str, Any] | None = None,
                              deletes: Iterable[str] = (), *, index: IndexChange | None = None) -> bool:
        data = self.records[key]["data"] if key in self.records else None
        if data is None or isinstance(data, str):
            return await super().append_to_array(key, element, puts, deletes, index=index)
        # A raw array stays raw, every element as it is (structured clone keeps what JSON can't).
        array = appended(key, raw_elements(key, data), [element], view=element_text)
        await self.write_batch(puts, deletes, index=index)  # no await inside: atomic with the put
        if array is not None:
            self.put_raw(key, array)
        return array is not None

    async def write_batch(self, puts: Mapping[str, Any] | None = None, deletes: Iterable[str] = (), *,
                          index: IndexChange | None = None) -> None:
        puts = dict(puts or {})
        if index is not None:
            stored = self.records.get(layout.SESSION_INDEX_KEY)
            changed = index.edit(None if stored is None else codec.decode_data(layout.SESSION_INDEX_KEY, stored["data"]))
            if changed is not None:
                puts[layout.SESSION_INDEX_KEY] = changed
        encoded = {k: codec.encode_data(v, codec.record_encoding(k, self.encoding)) for k, v in puts.items()}
        deletes = [k for k in deletes if k not in encoded]
        usage = self._usage() + sum(
            len(d) - len(self.records[k]["data"]) if k in self.records else len(d) for k, d in encoded.items()
        )
        if usage > self.quota:
            raise QuotaExceededError(f"storage quota exceeded: the batch needs {usage} of {self.quota} bytes")
        now = int(time.time() * 1000)
        for k in deletes:
            self.records.pop(k, None)
        for k, data in encoded.items():
            self.records[k] = {"name": k, "data": data, "timestamp": now}

    async def keys(self, prefix: str = "") -> list[str]:
        return sorted(k for k in self.records if k.startswith(prefix))

    async def estimate(self) -> StorageEstimate:
        return StorageEstimate(usage=self._usage(), quota=self.quota)

    def _usage(self) -> int:
        return sum(len(r["data"]) if isinstance(r["data"], str) else 0 for r in self.records.values())

    async def open_array(self, key: str) -> "MemoryArrayRecord | None":
        if key not in self.records:
            return None
        return MemoryArrayRecord(self, key, self.records[key]["data"])

    async def _acquire_lock(self, name: str, wait: bool):
        lock = self.locks.setdefault(name, asyncio.Lock())
        if not wait and lock.locked():
            raise LockBusyError(f"lock {name!r} is held by another task")
        await lock.acquire()

        async def release() -> None:
            lock.release()

        return release


def element_id(element: Any) -> str | None:
    if isinstance(element, dict) and isinstance(element.get("id"), str):
        return element["id"]
    return None


def parse_array(key: str, data: Any) -> list:
    """The elements of an array record. A raw (structured-clone) array is taken as it is, so one
    element JSON can't hold blocks only itself (read_item refuses it), never the others."""
    value = raw_elements(key, data) if not isinstance(data, str) else codec.decode_data(key, data)
    if not isinstance(value, list):
        raise RecordDecodeError(key, f"expected an array, found {type(value).__name__}")
    return value


def raw_elements(key: str, data: Any) -> list:
    if not isinstance(data, list):
        raise RecordDecodeError(key, f"expected an array, found {type(data).__name__}")
    return data


def element_text(element: Any) -> str | None:
    """The JSON text an element is handed over as (codec.json_view), None when JSON can't hold it."""
    try:
        return codec.dumps(codec.json_view(element)[0])
    except codec.NotJson:
        return None


class MemoryArrayRecord(ArrayRecord):
    def __init__(self, backend: MemoryBackend, key: str, data: Any):
        self.backend, self.key = backend, key
        self._elements = parse_array(key, data)
        self.ids = [element_id(e) for e in self._elements]
        self._handed_over: dict[str, str] = {}  # id -> JSON text as handed over

    async def read_item(self, index: int) -> codec.Decoded:
        # A copy, like crossing the bridge; a raw element's `undefined` properties read as absent.
        decoded = codec.decode_value(f"{self.key}[{index}]", self._elements[index], f"element {index}")
        if self.ids[index] is not None:
            self._handed_over[self.ids[index]] = decoded.text
        return codec.Decoded(codec.loads(self.key, decoded.text), decoded.text, decoded.undefined_paths)

    async def present_ids(self, ids: Iterable[str]) -> list[str]:
        record = self.backend.records.get(self.key)
        current = {element_id(e) for e in parse_array(self.key, record["data"])} if record else set()
        return [i for i in dict.fromkeys(ids) if i in current]

    async def remove_items(self, ids: Iterable[str]) -> list[str]:
        wanted = {i for i in ids if i in self._handed_over}
        record = self.backend.records.get(self.key)
        if record is None or not wanted:
            return []
        current = parse_array(self.key, record["data"])
        removed, kept = [], []
        for element in current:
            eid = element_id(element)
            if eid in wanted and element_text(element) == self._handed_over[eid]:
                removed.append(eid)
            else:
                kept.append(element)  # untouched, raw or not
        if removed:
            if isinstance(record["data"], str):
                await self.backend.write_batch({self.key: kept})
            else:  # a raw array is written back raw: the elements kept stay exactly as they are
                self.backend.put_raw(self.key, kept)
        return removed
