"""IndexedDB backend: the storage interface over web/idb-bridge.mjs. Importable only in Pyodide.

Values cross the bridge as JSON text (one string per record), which is several times
faster than converting dicts with to_js; each call is one whole transaction in JS.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pyodide.ffi import JsException, to_js  # type: ignore[import-not-found]

from . import codec
from .backend import StorageBackend, StorageEstimate
from .errors import QuotaExceededError, RecordDecodeError, StorageError


def _storage_error(exc: JsException, doing: str) -> StorageError:
    name = getattr(exc, "name", "") or ""
    message = str(exc)
    if name == "QuotaExceededError" or "QuotaExceededError" in message:
        return QuotaExceededError(f"the browser is out of storage space while {doing}; nothing was written")
    return StorageError(f"IndexedDB failed while {doing}: {message}")


class IndexedDBBackend(StorageBackend):
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
            if entry is None:
                continue
            if not isinstance(entry, str):
                raise RecordDecodeError(key, entry.error)
            found[key] = codec.loads(key, entry)
        return found

    async def write_batch(self, puts: Mapping[str, Any] | None = None, deletes: Iterable[str] = ()) -> None:
        pairs = [[key, codec.dumps(value)] for key, value in (puts or {}).items()]
        deletes = list(deletes)
        try:
            await self.bridge.writeBatch(to_js(pairs), to_js(deletes))
        except JsException as exc:
            raise _storage_error(exc, f"writing {len(pairs)} and deleting {len(deletes)} records") from None

    async def keys(self, prefix: str = "") -> list[str]:
        try:
            return sorted((await self.bridge.keys(prefix)).to_py())
        except JsException as exc:
            raise _storage_error(exc, f"listing keys under {prefix!r}") from None

    async def estimate(self) -> StorageEstimate:
        result = await self.bridge.estimate()
        return StorageEstimate(usage=int(result.usage), quota=int(result.quota))
