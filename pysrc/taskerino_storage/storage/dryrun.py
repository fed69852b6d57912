"""The dry run's store: the real one for reading, with the run's own writes laid over it, so the
migration runs its one code path — plan, write, read back, verify — and the real store is never
written. A fresh overlay per session keeps memory bounded by one session, as in a real run."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..session import layout
from . import codec
from .port import ArrayRecord, IndexChange, StorageBackend, StorageEstimate


class DryRunBackend(StorageBackend):
    def __init__(self, real: StorageBackend):
        self.real = real
        self.overlay: dict[str, Any] = {}
        self.deleted: set[str] = set()

    async def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        keys = list(keys)
        found = await self.real.get_many([k for k in keys if k not in self.overlay
                                          and k not in self.deleted])
        found.update({k: self.overlay[k] for k in keys if k in self.overlay})
        return found

    async def write_batch(self, puts: Mapping[str, Any] | None = None,
                          deletes: Iterable[str] = (), *, index: IndexChange | None = None) -> None:
        # As crossing to a real store would: a value must be JSON, and is stored as a copy.
        puts = {k: codec.loads(k, codec.dumps(v)) for k, v in (puts or {}).items()}
        if index is not None:
            changed = index.edit(await self.get(layout.SESSION_INDEX_KEY))
            if changed is not None:
                puts[layout.SESSION_INDEX_KEY] = changed
        for key in deletes:
            if key not in puts:
                self.overlay.pop(key, None)
                self.deleted.add(key)
        for key, value in puts.items():
            self.deleted.discard(key)
            self.overlay[key] = value

    async def read(self, key: str) -> codec.Decoded | None:
        if key in self.overlay:
            return codec.Decoded(self.overlay[key], codec.dumps(self.overlay[key]))
        return None if key in self.deleted else await self.real.read(key)

    async def keys(self, prefix: str = "") -> list[str]:
        real = {k for k in await self.real.keys(prefix) if k not in self.deleted}
        return sorted(real | {k for k in self.overlay if k.startswith(prefix)})

    async def estimate(self) -> StorageEstimate | None:
        return await self.real.estimate()

    async def platform_limits(self) -> list[str]:
        return await self.real.platform_limits()

    async def open_array(self, key: str) -> "DryRunArrayRecord | None":
        array = await self.real.open_array(key)
        return DryRunArrayRecord(array) if array is not None else None

    async def _acquire_lock(self, name: str, wait: bool):
        return await self.real._acquire_lock(name, wait)


class DryRunArrayRecord(ArrayRecord):
    """Hands elements over from the real array; removing only says what would be removed."""

    def __init__(self, real: ArrayRecord):
        self.real, self.key, self.ids = real, real.key, real.ids
        self._handed_over: set[str] = set()

    async def read_item(self, index: int) -> codec.Decoded:
        if self.ids[index] is not None:
            self._handed_over.add(self.ids[index])
        return await self.real.read_item(index)

    async def present_ids(self, ids: Iterable[str]) -> list[str]:
        """As they would be after remove_items: the elements handed over would be gone."""
        return [i for i in await self.real.present_ids(ids) if i not in self._handed_over]

    async def remove_items(self, ids: Iterable[str]) -> list[str]:
        return [i for i in dict.fromkeys(ids) if i in self._handed_over]
