"""An app-style store for CPython: writes and reads records like Taskerino's IndexedDB adapter."""
from __future__ import annotations

from ..storage import codec
from ..storage.memory import MemoryBackend


class MemoryAppStore:
    def __init__(self, backend: MemoryBackend):
        self.backend = backend

    async def save(self, key, value, form):
        data = value if form == "object" else codec.encode_data(value, "gzip" if form == "gzip" else "json")
        self.backend.put_raw(key, data)

    async def save_raw_text(self, key, text):
        self.backend.put_raw(key, text)

    async def load(self, key):
        return codec.decode_data(key, self.backend.raw(key))

    async def raw_form(self, key):
        data = self.backend.raw(key)
        if not isinstance(data, str):
            return "object"
        return "gzip" if data.startswith(codec.GZIP_PREFIX) else "json"

    async def record_shape(self, key):
        record = self.backend.records[key]
        return {"keys": sorted(record), "name": record["name"],
                "timestampIsNumber": isinstance(record["timestamp"], int)}
