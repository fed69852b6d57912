"""The one storage interface: an async key-value store over Taskerino's `collections` records.

Keys are the record `name`s; values are decoded JSON values (dict, list, str, int, float,
bool, None). Two implementations: `MemoryBackend` (CPython, tests) and `IndexedDBBackend`
(Pyodide, through web/lib/bridge.mjs). Both encode values the way the app does.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import DuplicateElementError, IndexNotArrayError, RecordDecodeError
from ..session.layout import SESSION_INDEX_KEY
from . import codec


@dataclass(frozen=True)
class StorageEstimate:
    usage: int
    quota: int

    @property
    def available(self) -> int:
        return max(0, self.quota - self.usage)


@dataclass(frozen=True)
class IndexChange:
    """One id added to or removed from the session-index (layout.SESSION_INDEX_KEY) as part of
    a write_batch: read and rewritten inside that same atomic write, so an entry another writer
    (a tab, the app) put there meanwhile is kept. Adding an id present, or removing one absent,
    leaves the index as it is."""

    op: Literal["add", "remove"]
    session_id: str

    def edit(self, current: Any) -> list | None:
        """The index after this change, from the index as stored (None: absent), or None when it
        stays as it is. IndexNotArrayError when the stored index is not an array: nothing can be
        added to or removed from it without guessing. The one home of this rule: every backend
        applies it inside its atomic write (IndexedDB through the bridge's guarded edit)."""
        ids = [] if current is None else current
        if not isinstance(ids, list):
            raise IndexNotArrayError(f"{SESSION_INDEX_KEY} is not an array of ids "
                                     f"(found {type(ids).__name__})")
        if self.op == "add":
            return None if self.session_id in ids else [*ids, self.session_id]
        return [i for i in ids if i != self.session_id] if self.session_id in ids else None

    def edit_text(self, text: str | None) -> str | None:
        """edit() on the stored JSON text (None: absent); the new JSON text, or None."""
        changed = self.edit(None if text is None else codec.loads(SESSION_INDEX_KEY, text))
        return None if changed is None else codec.dumps(changed)


class StorageBackend(ABC):
    """Async key-value storage. Every method is one whole operation (one transaction)."""

    #: How long another writer (the app) may take to finish a save it began before one of ours:
    #: the batch waits that long before checking that the copies it removed from the `sessions`
    #: array stayed removed (design: the app rewrites its array whole). 0: no other writer.
    other_writer_settle_seconds: float = 0.0

    @abstractmethod
    async def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """Values of the keys that exist; absent keys are left out.

        Raises RecordDecodeError for a record that exists but cannot be decoded.
        """

    async def get(self, key: str, default: Any = None) -> Any:
        found = await self.get_many([key])
        return found.get(key, default)

    async def read(self, key: str) -> codec.Decoded | None:
        """Record `key` with its JSON text and the paths of properties stored as `undefined`
        (raw data; read as absent, see codec.json_view), or None when absent. Raises like get_many."""
        found = await self.get_many([key])
        return codec.Decoded(found[key], codec.dumps(found[key])) if key in found else None

    @abstractmethod
    async def write_batch(
        self,
        puts: Mapping[str, Any] | None = None,
        deletes: Iterable[str] = (),
        *,
        index: IndexChange | None = None,
    ) -> None:
        """Put and delete atomically, durably: all of it lands, or none of it does; with
        `index`, the session-index changes in the same write (see IndexChange).

        Raises QuotaExceededError when the browser refuses for lack of space,
        IndexNotArrayError when the session-index is not an array, and StorageError for any
        other failure; in each case nothing was written.
        """

    async def read_back(self, texts: Mapping[str, str]) -> list[str]:
        """Read the records `texts` names again, from the store, and return the keys whose DATA
        does not decode to exactly that JSON text (absent, another text, undecodable); [] when
        every one does. The migration's verification after its write (docs/design.md,
        "Verification"): a backend may compare in its own layer, never parsing the JSON."""
        differ = []
        for key, text in texts.items():
            try:
                found = await self.read(key)
            except RecordDecodeError:
                found = None
            if found is None or found.text != text:
                differ.append(key)
        return differ

    async def append_to_array(self, key: str, element: dict, puts: Mapping[str, Any] | None = None,
                              deletes: Iterable[str] = (), *, index: IndexChange | None = None) -> bool:
        """Append `element` (an object with a string "id") to the array record `key` (created
        when absent), with `puts`, `deletes` and `index`, in one atomic write made against the
        array as it is at that moment, so another writer's change to it is never lost.

        An element with that id there already: nothing is appended when it is the same JSON
        (returns False, the rest is still written); DuplicateElementError when it differs, and
        nothing is written. Raises like write_batch otherwise.

        This default is atomic where nothing runs between its read and its write (the memory and
        dry-run stores); IndexedDB overrides it with one guarded transaction.
        """
        array = appended(key, await self.get(key), [element])
        await self.write_batch({**(puts or {}), **({key: array} if array is not None else {})}, deletes,
                               index=index)
        return array is not None

    async def extend_array(self, key: str, elements: list[dict]) -> int:
        """append_to_array for many elements at once, in one atomic write (one rewrite of the
        array, not one per element); the same rule for each (to_append). Returns how many were
        appended."""
        current = await self.get(key)
        array = appended(key, current, elements)
        if array is None:
            return 0
        await self.write_batch({key: array})
        return len(array) - len(current or [])

    @abstractmethod
    async def keys(self, prefix: str = "") -> list[str]:
        """Every key that starts with `prefix`, sorted."""

    @abstractmethod
    async def estimate(self) -> StorageEstimate | None:
        """Bytes used and available to this origin (navigator.storage.estimate); None where the
        platform can't tell (WebKitGTK has no StorageManager): the write itself is then the check."""

    async def platform_limits(self) -> list[str]:
        """What the platform under this backend lacks that weakens a guarantee, one sentence each
        (the browser's missing optional APIs, web/lib/platform.mjs); empty when nothing is."""
        return []

    # -- the app's monolithic `sessions` array, handed over one element at a time

    @abstractmethod
    async def open_array(self, key: str) -> "ArrayRecord | None":
        """A handle on an array-valued record (None when absent), read once.

        The array itself stays on the store's side (in JS, for IndexedDB): Python receives one
        element at a time, so its memory is bounded by the largest element, not the array.
        Raises RecordDecodeError when the record can't be decoded or is not an array.
        """

    # -- cross-tab mutual exclusion (Web Locks in the browser)

    @asynccontextmanager
    async def lock(self, name: str, *, wait: bool = True) -> AsyncIterator[None]:
        """Hold the named lock for the block. With wait=False raise LockBusyError at once when held."""
        release = await self._acquire_lock(name, wait)
        try:
            yield
        finally:
            await release()

    @abstractmethod
    async def _acquire_lock(self, name: str, wait: bool):
        """Acquire; return an async release function. Raise LockBusyError when not waiting and held."""


def check_new_elements(key: str, elements: list) -> None:
    """Elements to append must be objects with a string id, each id once."""
    seen = set()
    for element in elements:
        if not isinstance(element, dict) or not isinstance(element.get("id"), str):
            raise ValueError(f"append to {key}: an element has no string id")
        if element["id"] in seen:
            raise DuplicateElementError(f"append to {key}: id {element['id']!r} is given twice")
        seen.add(element["id"])


def to_append(key: str, new: list[tuple[str, str]], present: Mapping[str, list[str | None]]) -> list[int]:
    """The append rule, its one home (the bridge asks it inside its transaction): of the new
    elements, (id, JSON text) each, the positions of those to append to array `key`, given
    `present`: id -> the JSON texts of the elements already there with that id (None for one
    JSON can't hold). One there already as the same JSON is not appended again (an append is
    idempotent); one there as other JSON raises DuplicateElementError, and nothing is written."""
    keep = []
    for position, (element_id, text) in enumerate(new):
        same = present.get(element_id, [])
        if any(t != text for t in same):
            raise DuplicateElementError(f"{key} already holds a different element with id {element_id!r}")
        if not same:
            keep.append(position)
    return keep


def appended(key: str, current: Any, elements: list[dict],
             view: Callable[[Any], str | None] = codec.dumps) -> list | None:
    """The array `current` (None: absent) with `elements` appended as to_append says, or None
    when none is. `view(e)`: the JSON text an element stands for (None: none), for raw arrays."""
    check_new_elements(key, elements)
    if current is None:
        current = []
    if not isinstance(current, list):
        raise RecordDecodeError(key, f"expected an array, found {type(current).__name__}")
    ids = {e["id"] for e in elements}
    present: dict[str, list[str | None]] = {}
    for e in current:
        if isinstance(e, dict) and e.get("id") in ids:
            present.setdefault(e["id"], []).append(view(e))
    keep = to_append(key, [(e["id"], codec.dumps(e)) for e in elements], present)
    return [*current, *(elements[i] for i in keep)] if keep else None


class ArrayRecord(ABC):
    """An array-valued record read once; its elements are handed over one at a time."""

    key: str
    #: Each element's `id` when it is an object with a string id, else None.
    ids: list[str | None]

    @property
    def count(self) -> int:
        return len(self.ids)

    async def item(self, index: int) -> Any:
        """Element `index`, decoded."""
        return (await self.read_item(index)).value

    @abstractmethod
    async def read_item(self, index: int) -> codec.Decoded:
        """Element `index` as JSON (its value, a JSON text of it, the paths of properties stored
        as `undefined`); RecordDecodeError naming `key[index]` when JSON can't hold it. Only
        that element is refused: the others are handed over as usual."""

    @abstractmethod
    async def present_ids(self, ids: Iterable[str]) -> list[str]:
        """Those of `ids` that elements of the record hold now (read again, not as first read)."""

    @abstractmethod
    async def remove_items(self, ids: Iterable[str]) -> list[str]:
        """Rewrite the record without the elements with these ids, atomically and durably.

        Only elements still exactly as they were handed over by `item` are removed: one the
        app changed since (or never handed over) is kept. Re-reads the record first, so
        concurrent writes by the app are kept. Returns the ids actually removed.
        """
