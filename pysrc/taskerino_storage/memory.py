"""In-memory backend for CPython: Taskerino's records held in a dict, encoded as the app encodes them."""
from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from . import codec
from .backend import StorageBackend, StorageEstimate
from .errors import QuotaExceededError


class MemoryBackend(StorageBackend):
    """Holds `{name, data, timestamp}` records like the `collections` store does.

    `quota` (bytes of DATA) lets tests run out of space; a refused batch changes nothing.
    """

    def __init__(self, encoding: codec.Encoding = "gzip", quota: int = 1 << 40):
        self.encoding = encoding
        self.quota = quota
        self.records: dict[str, dict[str, Any]] = {}

    # -- the app's view: raw records, for tests that write or read like Taskerino does
    def put_raw(self, key: str, data: Any) -> None:
        self.records[key] = {"name": key, "data": data, "timestamp": int(time.time() * 1000)}

    def raw(self, key: str) -> Any:
        return self.records[key]["data"]

    # -- the interface
    async def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        return {k: codec.decode_data(k, self.records[k]["data"]) for k in keys if k in self.records}

    async def write_batch(self, puts: Mapping[str, Any] | None = None, deletes: Iterable[str] = ()) -> None:
        encoded = {k: codec.encode_data(v, self.encoding) for k, v in (puts or {}).items()}
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
