"""IndexedDB backend: the storage interface over web/idb-bridge.mjs. Importable only in Pyodide.

Values cross the bridge as JSON text (one string per record), which is several times
faster than converting dicts with to_js; each call is one whole transaction in JS.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pyodide.ffi import JsException, to_js  # type: ignore[import-not-found]

from . import codec
from .backend import ArrayRecord, IndexChange, StorageBackend, StorageEstimate
from .errors import (DuplicateElementError, IndexNotArrayError, LockBusyError, QuotaExceededError, RecordDecodeError, StorageError,
                     WriteConflictError)


def _storage_error(exc: JsException, doing: str, key: str = "") -> StorageError:
    """The bridge rejects with plain Errors whose `name` says what happened."""
    name = getattr(exc, "name", "") or ""
    message = str(exc).removeprefix(f"{name}: ")
    if name == "QuotaExceededError":
        return QuotaExceededError(f"the browser is out of storage space while {doing}; nothing was written")
    if name == "RecordDecodeError":
        return RecordDecodeError(key, message)
    if name == "WriteConflictError":
        return WriteConflictError(message)
    if name == "IndexNotArrayError":
        return IndexNotArrayError(message)
    if name == "DuplicateElementError":
        return DuplicateElementError(message)
    if name == "NonJsonElementError":  # the message says which element and why nothing was written
        return StorageError(message)
    return StorageError(f"IndexedDB failed while {doing}: {name}: {message}")


def _decoded(key: str, entry: Any, loads: Any) -> codec.Decoded:
    """A bridge read: JSON text; {text, absent} when properties stored as `undefined` were left
    out (raw data, see codec.json_view); {error} when it can't be decoded (RecordDecodeError)."""
    if isinstance(entry, str):
        return codec.Decoded(loads(key, entry), entry)
    error = getattr(entry, "error", None)
    if error is not None:
        raise RecordDecodeError(key, error)
    return codec.Decoded(loads(key, entry.text), entry.text, tuple(entry.absent.to_py()))


class IndexedDBBackend(StorageBackend):
    # The app's save of its `sessions` array (read, change, gzip, write) takes a few to a few
    # hundred ms: one begun before our rewrite lands within this.
    other_writer_settle_seconds = 0.5

    def __init__(self, bridge: Any):
        self.bridge = bridge

    async def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        keys = list(keys)
        try:
            entries = await self.bridge.getMany(to_js(keys))
        except JsException as exc:
            raise _storage_error(exc, f"reading {len(keys)} records") from None
        found: dict[str, Any] = {}
        for key, entry in zip(keys, entries):
            if entry is not None:
                found[key] = _decoded(key, entry, codec.loads).value
        return found

    async def read(self, key: str) -> codec.Decoded | None:
        try:
            (entry,) = await self.bridge.getMany(to_js([key]))
        except JsException as exc:
            raise _storage_error(exc, f"reading {key!r}", key) from None
        return None if entry is None else _decoded(key, entry, codec.loads)

    async def write_batch(self, puts: Mapping[str, Any] | None = None, deletes: Iterable[str] = (), *,
                          index: IndexChange | None = None) -> None:
        pairs = [[key, codec.dumps(value)] for key, value in (puts or {}).items()]
        deletes = list(deletes)
        change = [index.op, index.session_id] if index is not None else None
        try:
            await self.bridge.writeBatch(to_js(pairs), to_js(deletes), to_js(change))
        except JsException as exc:
            raise _storage_error(exc, f"writing {len(pairs)} and deleting {len(deletes)} records") from None

    async def append_to_array(self, key: str, element: dict, puts: Mapping[str, Any] | None = None,
                              deletes: Iterable[str] = (), *, index: IndexChange | None = None) -> bool:
        pairs = [[k, codec.dumps(v)] for k, v in (puts or {}).items()]
        deletes = list(deletes)
        change = [index.op, index.session_id] if index is not None else None
        try:
            return bool(await self.bridge.appendToArray(key, codec.dumps(element), to_js(pairs), to_js(deletes),
                                                        to_js(change)))
        except JsException as exc:
            raise _storage_error(exc, f"appending to {key!r}", key) from None

    async def extend_array(self, key: str, elements: list[dict]) -> int:
        try:
            return int(await self.bridge.appendToArray(key, to_js([codec.dumps(e) for e in elements])))
        except JsException as exc:
            raise _storage_error(exc, f"appending to {key!r}", key) from None

    async def keys(self, prefix: str = "") -> list[str]:
        try:
            return sorted((await self.bridge.keys(prefix)).to_py())
        except JsException as exc:
            raise _storage_error(exc, f"listing keys under {prefix!r}") from None

    async def open_array(self, key: str) -> "IndexedDBArrayRecord | None":
        try:
            handle = await self.bridge.openArray(key)
        except JsException as exc:
            raise _storage_error(exc, f"reading {key!r}", key) from None
        return None if handle is None else IndexedDBArrayRecord(key, handle)

    async def _acquire_lock(self, name: str, wait: bool):
        handle = await self.bridge.acquireLock(name, not wait)
        if handle is None:
            raise LockBusyError(f"lock {name!r} is held by another tab")

        async def release() -> None:
            await handle.release()

        return release

    async def estimate(self) -> StorageEstimate:
        result = await self.bridge.estimate()
        return StorageEstimate(usage=int(result.usage), quota=int(result.quota))


class IndexedDBArrayRecord(ArrayRecord):
    """The array stays in JS (web/idb-bridge.mjs ArrayRecord); elements cross as JSON text."""

    def __init__(self, key: str, handle: Any):
        self.key, self._handle = key, handle
        self.ids = handle.ids.to_py()

    async def read_item(self, index: int) -> codec.Decoded:
        # The text is JSON.stringify's: well-formed (lone surrogates escaped), so it crosses
        # back to JS unchanged, and it is what the value was parsed from.
        return _decoded(f"{self.key}[{index}]", await self._handle.item(index), codec.loads_stringified)

    async def present_ids(self, ids: Iterable[str]) -> list[str]:
        try:
            return (await self._handle.presentIds(to_js(list(ids)))).to_py()
        except JsException as exc:
            raise _storage_error(exc, f"reading {self.key!r}", self.key) from None

    async def remove_items(self, ids: Iterable[str]) -> list[str]:
        try:
            return (await self._handle.removeItems(to_js(list(ids)))).to_py()
        except JsException as exc:
            raise _storage_error(exc, f"rewriting {self.key!r}", self.key) from None
