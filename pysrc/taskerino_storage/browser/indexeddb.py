"""IndexedDB backend: the storage interface over web/lib/bridge.mjs. Importable only in Pyodide.

Values cross the bridge as JSON text (one string per record), which is several times
faster than converting dicts with to_js; each call is one whole transaction in JS.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from pyodide.ffi import JsException, create_proxy, to_js  # type: ignore[import-not-found]

from ..errors import (FROM_BRIDGE, DuplicateElementError, IndexNotArrayError, LockBusyError, QuotaExceededError,
                      RecordDecodeError, StorageError)
from ..session.layout import SESSION_INDEX_KEY
from ..storage import codec
from ..storage.port import (ArrayRecord, IndexChange, StorageBackend, StorageEstimate, check_new_elements,
                            to_append)


def _storage_error(exc: JsException, doing: str, key: str = "") -> StorageError:
    """The bridge rejects with plain Errors whose `name` says what happened (errors.FROM_BRIDGE)."""
    name = getattr(exc, "name", "") or ""
    message = str(exc).removeprefix(f"{name}: ")
    cls = FROM_BRIDGE.get(name)
    if cls is QuotaExceededError:
        return QuotaExceededError(f"the browser is out of storage space while {doing}; nothing was written")
    if cls is RecordDecodeError:
        return RecordDecodeError(key, message)
    if cls is not None:  # its message says which record and why nothing was written
        return cls(message)
    return StorageError(f"IndexedDB failed while {doing}: {name}: {message}")


def _index_edit(change: IndexChange, text: str | None) -> Any:
    """What the bridge's guarded write calls with the session-index's stored text: ["ok", new text
    or None (unchanged)], or ["error", bridge error name, message] (it rejects with that)."""
    try:
        return to_js(["ok", change.edit_text(None if text is None else str(text))])
    except (IndexNotArrayError, RecordDecodeError) as exc:
        return to_js(["error", "IndexNotArrayError", str(exc)])


def _plan_append(key: str, ids: list[str], seen_json: str) -> Any:
    """What the bridge's appendToArray calls with what it found, as JSON: {present: {id: [JSON
    text or null]}, new: [JSON text]} — every text as JSON.stringify writes it, so they compare
    like for like. ["ok", positions to append] or ["error", name, message]."""
    seen = json.loads(seen_json)
    try:
        return to_js(["ok", to_append(key, list(zip(ids, seen["new"])), seen["present"])])
    except DuplicateElementError as exc:
        return to_js(["error", "DuplicateElementError", str(exc)])


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

    async def read_back(self, texts: Mapping[str, str]) -> list[str]:
        keys = list(texts)
        try:
            return list((await self.bridge.readBack(to_js(keys), to_js([texts[k] for k in keys]))).to_py())
        except JsException as exc:
            raise _storage_error(exc, f"reading {len(keys)} records back") from None

    def _puts(self, puts: Mapping[str, Any] | None) -> Any:
        """[key, JSON text, DATA form] for the bridge: the form is Python's choice (codec.record_encoding)."""
        encoding = self.bridge.encoding
        return to_js([[k, codec.dumps(v), codec.record_encoding(k, encoding)] for k, v in (puts or {}).items()])

    async def _guarded(self, call, index: IndexChange | None, doing: str, key: str = "") -> Any:
        """Run a bridge call that may change the session-index: it gets the index's key and
        `index`'s rule as a function of the stored text (IndexChange.edit_text), run inside its
        compare-and-swap write."""
        edit = None if index is None else create_proxy(lambda text: _index_edit(index, text))
        try:
            return await call(SESSION_INDEX_KEY if index is not None else None, edit)
        except JsException as exc:
            raise _storage_error(exc, doing, key) from None
        finally:
            if edit is not None:
                edit.destroy()

    async def write_batch(self, puts: Mapping[str, Any] | None = None, deletes: Iterable[str] = (), *,
                          index: IndexChange | None = None) -> None:
        pairs, deletes = self._puts(puts), list(deletes)
        await self._guarded(lambda index_key, edit: self.bridge.writeBatch(pairs, to_js(deletes), index_key, edit), index,
                            f"writing {len(puts or {})} and deleting {len(deletes)} records")

    async def append_to_array(self, key: str, element: dict, puts: Mapping[str, Any] | None = None,
                              deletes: Iterable[str] = (), *, index: IndexChange | None = None) -> bool:
        return bool(await self._append(key, [element], puts, deletes, index))

    async def extend_array(self, key: str, elements: list[dict]) -> int:
        return await self._append(key, elements, None, (), None)

    async def _append(self, key: str, elements: list[dict], puts: Mapping[str, Any] | None,
                      deletes: Iterable[str], index: IndexChange | None) -> int:
        """The bridge appends in its guarded transaction, asking to_append (the rule) which ones."""
        check_new_elements(key, elements)
        new = [(e["id"], codec.dumps(e)) for e in elements]
        texts, pairs, deletes = to_js([t for _, t in new]), self._puts(puts), to_js(list(deletes))
        plan = create_proxy(lambda seen: _plan_append(key, [i for i, _ in new], seen))
        try:
            return int(await self._guarded(
                lambda index_key, edit: self.bridge.appendToArray(key, texts, plan, pairs, deletes, index_key, edit),
                index, f"appending to {key!r}", key))
        finally:
            plan.destroy()

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

    async def estimate(self) -> StorageEstimate | None:
        result = await self.bridge.estimate()
        return None if result is None else StorageEstimate(usage=int(result.usage), quota=int(result.quota))

    async def platform_limits(self) -> list[str]:
        return list((await self.bridge.limits()).to_py())


class IndexedDBArrayRecord(ArrayRecord):
    """The array stays in JS (web/lib/array-record.mjs ArrayRecord); elements cross as JSON text."""

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
