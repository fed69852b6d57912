"""The one storage interface: an async key-value store over Taskerino's `collections` records.

Keys are the record `name`s; values are decoded JSON values (dict, list, str, int, float,
bool, None). Two implementations: `MemoryBackend` (CPython, tests) and `IndexedDBBackend`
(Pyodide, through web/idb-bridge.mjs). Both encode values the way the app does.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StorageEstimate:
    usage: int
    quota: int

    @property
    def available(self) -> int:
        return max(0, self.quota - self.usage)


class StorageBackend(ABC):
    """Async key-value storage. Every method is one whole operation (one transaction)."""

    @abstractmethod
    async def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """Values of the keys that exist; absent keys are left out.

        Raises RecordDecodeError for a record that exists but cannot be decoded.
        """

    async def get(self, key: str, default: Any = None) -> Any:
        found = await self.get_many([key])
        return found.get(key, default)

    @abstractmethod
    async def write_batch(
        self,
        puts: Mapping[str, Any] | None = None,
        deletes: Iterable[str] = (),
    ) -> None:
        """Put and delete atomically, durably: all of it lands, or none of it does.

        Raises QuotaExceededError when the browser refuses for lack of space, and
        StorageError for any other failure; in both cases nothing was written.
        """

    @abstractmethod
    async def keys(self, prefix: str = "") -> list[str]:
        """Every key that starts with `prefix`, sorted."""

    @abstractmethod
    async def estimate(self) -> StorageEstimate:
        """Bytes used and available to this origin (navigator.storage.estimate)."""
