"""Chunked session storage on any StorageBackend: Taskerino's keys and record shapes, lossless.

The record format, and how a session survives it exactly, is session/records.py's alone; this
module asks it. Here: the reads and the one atomic write each operation needs. Sessions are plain JSON dicts; nothing
stored is produced by a pydantic model.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..errors import IndexNotArrayError, InvalidSessionError, SessionLayoutError, SessionNotFoundError
from ..session import layout
from ..session.records import (AUDIO_SEGMENTS, SCREENSHOTS, ChunkedList, ChunkSizes, append_item,
                               is_chunked_metadata, join_session, part_keys, partial_chunk_key,
                               split_session)
from ..session.shape import require_session_shape
from . import codec
from .port import IndexChange, StorageBackend


@dataclass
class SavePlan:
    """What saving one session writes: `puts` (chunks, parts, metadata) and `deletes` (records
    of an earlier, larger version), with `index` (its id added to the session-index), in one
    atomic batch."""

    session_id: str
    puts: dict[str, Any]
    deletes: list[str]
    metadata: dict
    chunk_counts: dict[str, int]
    bytes_written: int  # JSON text length of every put, as it crosses to the store

    @property
    def index(self) -> IndexChange:
        return IndexChange("add", self.session_id)


class ChunkedSessionStorage:
    def __init__(self, backend: StorageBackend, *, screenshots_per_chunk: int = 20,
                 audio_segments_per_chunk: int = 100, video_chunks_per_chunk: int = 100,
                 now: Callable[[], datetime] | None = None):
        self.backend = backend
        self.chunk_sizes = ChunkSizes(screenshots_per_chunk, audio_segments_per_chunk,
                                      video_chunks_per_chunk)
        self.now = now or (lambda: datetime.now(timezone.utc))

    # -- whole sessions

    async def plan_save(self, session: dict, existing: list[str] | None = None) -> SavePlan:
        """The batch that would store `session`; reads the session's keys (unless the caller
        just did: `existing`), writes nothing."""
        require_session_shape(session)
        session_id = layout.check_session_id(session["id"])
        split = split_session(session, self.chunk_sizes, layout.js_iso(self.now()))
        puts = split.records
        if existing is None:
            existing = await self.backend.keys(layout.session_prefix(session_id))
        # The migration marker is not the session's: a save keeps it (it points at the backup).
        marker = layout.migration_marker_key(session_id)
        deletes = [key for key in existing if key not in puts and key != marker]
        written = sum(len(codec.remember(value, codec.dumps(value))) for value in puts.values())
        return SavePlan(session_id, puts, deletes, split.metadata, split.chunk_counts, written)

    async def save_full_session(self, session: dict) -> SavePlan:
        plan = await self.plan_save(session)
        try:
            await self.backend.write_batch(plan.puts, plan.deletes, index=plan.index)
        except IndexNotArrayError as exc:
            raise SessionLayoutError("*", [str(exc)]) from None
        return plan

    async def load_full_session(self, session_id: str, expected: list[str] = ()) -> dict | None:
        """The session as stored. `expected`: the keys its metadata is expected to name (those
        just written), read in the same transaction as the metadata; any other key it names is
        read after, so the result is the same either way."""
        key = layout.metadata_key(layout.check_session_id(session_id))
        found = await self.backend.get_many([key, *(k for k in expected if k != key)])
        metadata = found.get(key)
        if metadata is None:
            return None
        if not isinstance(metadata, dict):
            raise SessionLayoutError(session_id, [f"{key} is not an object"])
        wanted = part_keys(metadata)
        missing = [k for k in wanted if k not in found and k not in expected]
        if missing:
            found.update(await self.backend.get_many(missing))
        return self.to_session(metadata, {k: found[k] for k in wanted if k in found})

    def to_session(self, metadata: dict, parts: dict[str, Any]) -> dict:
        """The session rebuilt from its metadata and its other records (key -> value)."""
        return join_session(metadata, parts)

    async def delete_session(self, session_id: str) -> None:
        """Every record under sessions/{id}/ and the index entry, atomically."""
        layout.check_session_id(session_id)
        keys = await self.backend.keys(layout.session_prefix(session_id))
        await self.backend.write_batch({}, keys, index=IndexChange("remove", session_id))

    # -- metadata

    async def load_metadata(self, session_id: str) -> dict | None:
        key = layout.metadata_key(layout.check_session_id(session_id))
        metadata = await self.backend.get(key)
        if metadata is not None and not isinstance(metadata, dict):
            raise SessionLayoutError(session_id, [f"{key} is not an object"])
        return metadata

    async def list_all_metadata(self) -> list[dict]:
        """Metadata of every session in the index, in index order; ids without metadata skipped."""
        keys = [layout.metadata_key(i) for i in await self._index()
                if isinstance(i, str) and i and "/" not in i]
        found = await self.backend.get_many(keys)
        return [found[k] for k in keys if isinstance(found.get(k), dict)]

    async def is_chunked(self, session_id: str) -> bool:
        """Metadata exists and its storageVersion is 1 (a JS `=== 1`, so never `true`)."""
        try:
            metadata = await self.load_metadata(session_id)
        except (SessionLayoutError, InvalidSessionError):  # not an object / an id we never store
            return False
        return is_chunked_metadata(metadata)

    # -- appends while recording

    async def append_screenshot(self, session_id: str, screenshot: dict) -> None:
        await self._append(session_id, SCREENSHOTS, self.chunk_sizes.screenshots, screenshot)

    async def append_audio_segment(self, session_id: str, segment: dict) -> None:
        await self._append(session_id, AUDIO_SEGMENTS, self.chunk_sizes.audio_segments, segment)

    async def _append(self, session_id: str, spec: ChunkedList, default_size: int, item: Any) -> None:
        """Adds `item` to the last chunk (or a new one) and updates the counts, atomically."""
        metadata = await self.load_metadata(session_id)
        if metadata is None:
            raise SessionNotFoundError(session_id)
        partial = partial_chunk_key(metadata, spec, default_size)
        last = await self.backend.get(partial) if partial else None
        await self.backend.write_batch(
            append_item(metadata, spec, item, default_size, layout.js_iso(self.now()), last))

    async def _index(self) -> list:
        index = await self.backend.get(layout.SESSION_INDEX_KEY)
        if index is None:
            return []
        if not isinstance(index, list):
            raise SessionLayoutError("*", [f"{layout.SESSION_INDEX_KEY} is not an array of ids"])
        return index

