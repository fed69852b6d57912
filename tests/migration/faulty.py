"""FaultyBackend: a MemoryBackend wrapper that dies at the N-th operation, like a tab closed mid-run.

crash_at=N: the N-th operation (any call: read, write, lock, array item/remove) raises Crash.
crash_at_write=N: the N-th write (write_batch or ArrayRecord.remove_items) raises Crash; with
  after_write=True it lands first (the tab died before hearing back).
sticky=True (default): once crashed, every later call raises Crash too — nothing more reaches the
  store, as after a real crash. sticky=False with error=StorageError(...) models a failed call the
  engine survives.
pause=True: every call yields to the event loop, so concurrent tasks interleave.
free=N: estimate() reports N bytes free (to make a write fail for quota without the check seeing it).
"""
from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

from taskerino_storage.storage import codec
from taskerino_storage.storage.memory import MemoryBackend
from taskerino_storage.storage.port import ArrayRecord, IndexChange, StorageBackend, StorageEstimate


class Crash(Exception):
    """The tab died."""


class FaultyBackend(StorageBackend):
    def __init__(self, inner: MemoryBackend, *, crash_at: int | None = None,
                 crash_at_write: int | None = None, after_write: bool = False, sticky: bool = True,
                 error: Exception | None = None, pause: bool = False, free: int | None = None):
        self.inner = inner
        self.crash_at, self.crash_at_write, self.after_write = crash_at, crash_at_write, after_write
        self.sticky, self.error, self.pause, self.free = sticky, error, pause, free
        self.ops = 0
        self.writes = 0
        self.dead = False
        self.log: list[tuple] = []

    def _fail(self) -> Exception:
        self.dead = self.sticky
        return self.error if self.error is not None else Crash(f"crashed at operation {self.ops}")

    async def _op(self, what: tuple) -> None:
        if self.pause:
            await asyncio.sleep(0)
        if self.dead:
            raise Crash("the tab is gone")
        self.ops += 1
        self.log.append(what)
        if self.ops == self.crash_at:
            raise self._fail()

    async def _write(self, what: tuple, write) -> Any:
        await self._op(what)
        self.writes += 1
        if self.writes == self.crash_at_write:
            if self.after_write:
                await write()
            raise self._fail()
        return await write()

    async def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        keys = list(keys)
        await self._op(("get_many", keys))
        return await self.inner.get_many(keys)

    async def write_batch(self, puts: Mapping[str, Any] | None = None, deletes: Iterable[str] = (), *,
                          index: IndexChange | None = None) -> None:
        puts, deletes = dict(puts or {}), list(deletes)
        await self._write(("write_batch", sorted(puts), deletes),
                          lambda: self.inner.write_batch(puts, deletes, index=index))

    async def append_to_array(self, key: str, element: dict, puts: Mapping[str, Any] | None = None,
                              deletes: Iterable[str] = (), *, index: IndexChange | None = None) -> bool:
        puts, deletes = dict(puts or {}), list(deletes)
        return await self._write(("append_to_array", key, sorted(puts), deletes),
                                 lambda: self.inner.append_to_array(key, element, puts, deletes, index=index))

    async def keys(self, prefix: str = "") -> list[str]:
        await self._op(("keys", prefix))
        return await self.inner.keys(prefix)

    async def estimate(self) -> StorageEstimate:
        await self._op(("estimate",))
        real = await self.inner.estimate()
        if self.free is not None:
            return StorageEstimate(usage=0, quota=self.free)
        return real

    async def open_array(self, key: str) -> "FaultyArrayRecord | None":
        await self._op(("open_array", key))
        array = await self.inner.open_array(key)
        return FaultyArrayRecord(self, array) if array is not None else None

    async def _acquire_lock(self, name: str, wait: bool):
        await self._op(("lock", name))
        return await self.inner._acquire_lock(name, wait)  # release always works: the browser frees it


class FaultyArrayRecord(ArrayRecord):
    def __init__(self, backend: FaultyBackend, inner: ArrayRecord):
        self.backend, self.inner, self.key, self.ids = backend, inner, inner.key, inner.ids

    async def read_item(self, index: int) -> codec.Decoded:
        await self.backend._op(("item", index))
        return await self.inner.read_item(index)

    async def present_ids(self, ids: Iterable[str]) -> list[str]:
        ids = list(ids)
        await self.backend._op(("present_ids", ids))
        return await self.inner.present_ids(ids)

    async def remove_items(self, ids: Iterable[str]) -> list[str]:
        ids = list(ids)
        return await self.backend._write(("remove_items", ids), lambda: self.inner.remove_items(ids))
