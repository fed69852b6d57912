"""Chunked session storage on any StorageBackend: Taskerino's keys and record shapes, lossless.

The record layout, and how a session survives it exactly, is in session_records. Here: the
reads and the one atomic write each operation needs. Sessions are plain JSON dicts; nothing
stored is produced by a pydantic model.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..errors import IndexNotArrayError, InvalidSessionError, SessionLayoutError, SessionNotFoundError
from ..session import layout
from ..session.records import (AUDIO_SEGMENTS, LEGACY_LAYOUT, SCREENSHOTS, STORAGE_VERSION, ChunkedList,
                               ChunkSizes, join_session, part_keys, split_session)
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
        version = metadata.get("storageVersion") if metadata else None
        return not isinstance(version, bool) and isinstance(version, (int, float)) \
            and version == STORAGE_VERSION

    # -- appends while recording

    async def append_screenshot(self, session_id: str, screenshot: dict) -> None:
        await self._append(session_id, SCREENSHOTS, self.chunk_sizes.screenshots, screenshot)

    async def append_audio_segment(self, session_id: str, segment: dict) -> None:
        await self._append(session_id, AUDIO_SEGMENTS, self.chunk_sizes.audio_segments, segment)

    async def _append(self, session_id: str, spec: ChunkedList, default_size: int, item: Any) -> None:
        """Adds `item` to the last chunk (or a new one) and updates the counts, atomically.

        The chunk size is the one the session was stored with, so its chunks stay uniform.
        A field that was absent or not an array becomes an array holding its chunks."""
        metadata = await self.load_metadata(session_id)
        if metadata is None:
            raise SessionNotFoundError(session_id)
        info = dict(_manifest_entry(metadata, spec))
        size, count = info.get("chunkSize"), info.get("count")
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            size = default_size
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise SessionLayoutError(session_id, [f"metadata.chunks.{spec.manifest}.count is {count!r}"])
        index = count // size
        key = spec.key(session_id, index)
        items: list = []
        if count % size:
            record = await self.backend.get(key)
            if not isinstance(record, dict) or not isinstance(record.get(spec.items), list):
                raise SessionLayoutError(session_id, [f"{key} is missing or not a chunk record"])
            items = record[spec.items]
        chunk = {"sessionId": session_id, "chunkIndex": index, spec.items: [*items, item]}
        metadata = _without_override(metadata, spec.field)
        metadata["chunks"] = {**metadata["chunks"], spec.manifest: {
            **info, "count": count + 1, "chunkCount": index + 1, "chunkSize": size}}
        metadata["updatedAt"] = layout.js_iso(self.now())
        await self.backend.write_batch({key: chunk, layout.metadata_key(session_id): metadata})

    async def _index(self) -> list:
        index = await self.backend.get(layout.SESSION_INDEX_KEY)
        if index is None:
            return []
        if not isinstance(index, list):
            raise SessionLayoutError("*", [f"{layout.SESSION_INDEX_KEY} is not an array of ids"])
        return index


def _manifest_entry(metadata: dict, spec: ChunkedList) -> dict:
    manifest = metadata.get("chunks")
    info = manifest.get(spec.manifest) if isinstance(manifest, dict) else None
    if not isinstance(info, dict):
        raise SessionLayoutError(metadata.get("id", "?"), [f"metadata.chunks.{spec.manifest} is missing"])
    return info


def _without_override(metadata: dict, field: str) -> dict:
    """A copy of metadata whose legacyLayout no longer marks `field` absent or inline: after an
    append, the field is the array its chunks hold."""
    metadata = dict(metadata)
    legacy = metadata.get(LEGACY_LAYOUT)
    if not isinstance(legacy, dict):
        return metadata
    legacy = dict(legacy)
    if isinstance(legacy.get("absent"), list):
        legacy["absent"] = [f for f in legacy["absent"] if f != field]
    if isinstance(legacy.get("inline"), dict):
        legacy["inline"] = {k: v for k, v in legacy["inline"].items() if k != field}
    legacy = {k: v for k, v in legacy.items() if v}
    if legacy:
        metadata[LEGACY_LAYOUT] = legacy
    else:
        del metadata[LEGACY_LAYOUT]
    return metadata
