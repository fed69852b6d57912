"""Finding sessions: legacy copies in both layouts, and chunked ones by their metadata.

Legacy copies live in the app's `sessions` array (read through `StorageBackend.open_array`, one element
at a time, so the array never has to fit in Python) or in `sessions/{id}` records. A session is
legacy when no chunked metadata with storageVersion 1 exists for its id; one present both as
chunked and as a leftover legacy copy counts once, as chunked.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import RecordDecodeError
from ..session import layout
from ..session.records import is_chunked_metadata
from ..storage import codec
from ..storage.port import ArrayRecord, StorageBackend


@dataclass
class LegacyCopy:
    """One legacy copy: element `index` of the `sessions` array, or the record `key`."""

    layout: Literal["array", "record"]
    key: str
    session_id: str | None  # None: an array element that is not an object with a string id
    index: int | None = None
    array: ArrayRecord | None = None

    @property
    def where(self) -> str:
        return f"{self.key}[{self.index}]" if self.layout == "array" else self.key

    @property
    def source(self) -> dict:
        return {"layout": self.layout, "key": self.key}

    async def load(self, backend: StorageBackend) -> codec.Decoded:
        """The stored value as JSON (codec.Decoded: with a JSON text of it, and the paths of
        properties stored as `undefined`, read as absent); RecordDecodeError when it cannot be
        decoded, KeyError when gone."""
        if self.layout == "array":
            return await self.array.read_item(self.index)
        found = await backend.read(self.key)
        if found is None:
            raise KeyError(self.key)
        return found


@dataclass
class LegacyInventory:
    copies: list[LegacyCopy] = field(default_factory=list)
    array: ArrayRecord | None = None
    array_unreadable: RecordDecodeError | None = None  # why the `sessions` array could not be read

    @property
    def problems(self) -> list[str]:
        """What the inventory could not read, as the results report it."""
        if self.array_unreadable is None:
            return []
        return [f"{self.array_unreadable}; the sessions in it were left as they are"]

    def grouped(self) -> list[list[LegacyCopy]]:
        """Copies by session id, in storage order (the array first); each id-less element alone."""
        groups: dict[Any, list[LegacyCopy]] = {}
        for n, copy in enumerate(self.copies):
            groups.setdefault(copy.session_id if copy.session_id is not None else n, []).append(copy)
        return list(groups.values())

    def ids(self) -> set[str]:
        return {c.session_id for c in self.copies if c.session_id is not None}


async def find_legacy_copies(backend: StorageBackend, keys: list[str] | None = None,
                             session_id: str | None = None) -> LegacyInventory:
    """Every legacy copy (of one session when `session_id` is given). `keys`: keys("sessions/")."""
    inventory = LegacyInventory()
    try:
        inventory.array = await backend.open_array(layout.LEGACY_SESSIONS_KEY)
    except RecordDecodeError as exc:
        inventory.array_unreadable = exc
    if inventory.array is not None:
        inventory.copies.extend(
            LegacyCopy("array", inventory.array.key, sid, i, inventory.array)
            for i, sid in enumerate(inventory.array.ids) if session_id is None or sid == session_id)
    if keys is None:
        keys = await backend.keys(layout.legacy_session_key(session_id) if session_id else "sessions/")
    for key in keys:
        sid = layout.parse_legacy_session_key(key)
        if sid is not None and (session_id is None or sid == session_id):
            inventory.copies.append(LegacyCopy("record", key, sid))
    return inventory


async def find_chunked_ids(backend: StorageBackend, keys: list[str],
                           problems: list[str]) -> set[str]:
    """Ids whose metadata record (among `keys`) says storageVersion 1; read in groups."""
    metadata_keys = [k for k in keys
                     if (parsed := layout.parse_chunked_key(k)) and parsed.part == "metadata"]
    chunked: set[str] = set()
    for start in range(0, len(metadata_keys), 50):
        group = metadata_keys[start:start + 50]
        try:
            found = await backend.get_many(group)
        except RecordDecodeError:  # find the bad one(s), read the rest
            found = {}
            for key in group:
                try:
                    found.update(await backend.get_many([key]))
                except RecordDecodeError as exc:
                    problems.append(f"{exc}; that session counts as not chunked")
        chunked.update(layout.parse_chunked_key(k).session_id for k, v in found.items()
                       if is_chunked_metadata(v))
    return chunked


def js_round_percent(part: int, whole: int) -> int:
    """Math.round(part / whole * 100); 0 when whole is 0."""
    if whole == 0:
        return 0
    return int(part / whole * 100 + 0.5)
