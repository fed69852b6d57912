"""One session as Taskerino's chunked records, and back again. Pure: no storage, no pydantic.

Splitting `session` (a plain JSON dict with a string id) gives these records:

    sessions/{id}/summary, /audio-insights, /canvas-spec, /transcription
        the session's summary, audioInsights, canvasSpec, fullTranscription: written when the
        field is present and not null (whatever its type), flag has* = true; else no record
    sessions/{id}/context-items
        contextItems, when it is an array
    sessions/{id}/screenshots/chunk-NNN     {sessionId, chunkIndex, screenshots: [20 at most]}
    sessions/{id}/audio-segments/chunk-NNN  {sessionId, chunkIndex, segments: [100 at most]}
    sessions/{id}/video-chunks/chunk-NNN    {sessionId, chunkIndex, chunks: [100 at most]}
        from screenshots, audioSegments and video.chunks when they are arrays; an empty
        array has no chunk record (chunkCount 0), as in Taskerino
    sessions/{id}/metadata
        every other field of the session, unchanged, and `video` without `chunks`, plus:
        chunks: {screenshots|audioSegments|videoChunks: {count, chunkCount, chunkSize}},
        hasSummary, hasAudioInsights, hasCanvasSpec, hasTranscription (the part has a record),
        hasVideo, hasFullAudio (video / fullAudioAttachmentId present and not null),
        storageVersion: 1, createdAt (= startTime, left out when the session has none),
        updatedAt (now, ISO), and legacyLayout when needed:

    legacyLayout: {
      "absent": [...],   fields the session lacked, which the rebuild would otherwise invent:
                         "screenshots", "audioSegments" (rebuilt as arrays, possibly empty) and
                         "video.chunks" (rebuilt as an array whenever video is an object).
                         contextItems needs no entry: its record exists only when it did.
      "inline": {name: value}   top-level fields whose value cannot go where Taskerino puts
                         it, applied last, over everything else:
                         - a split-out field that is null (summary: null, screenshots: null...)
                         - a split-out array field that is not an array (screenshots: "x")
                         - video, whole, when video.chunks is there but not an array (the
                           metadata still has the video without chunks, for the app)
                         - a session field whose name is one of the metadata's own (chunks,
                           has*, storageVersion, createdAt, updatedAt, legacyLayout)
    }  left out when both are empty; each key left out when empty.

Joining reverses it: metadata minus its own fields, plus each part whose record exists (and
whose has* flag is not false), plus screenshots/audioSegments/video.chunks from their chunks,
then `absent` removed, then `inline` applied. For every session, join(split(s)) == s.
Taskerino's own loader reads the same records; it ignores the fields it does not know.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import SessionLayoutError
from . import layout

STORAGE_VERSION = 1


@dataclass(frozen=True)
class ChunkSizes:
    screenshots: int = 20
    audio_segments: int = 100
    video_chunks: int = 100

    def __post_init__(self) -> None:
        for name in ("screenshots", "audio_segments", "video_chunks"):
            size = getattr(self, name)
            if isinstance(size, bool) or not isinstance(size, int) or size < 1:
                raise ValueError(f"{name} per chunk must be a positive integer, got {size!r}")


@dataclass(frozen=True)
class KeyedPart:
    """A session field stored whole at its own key."""

    field: str
    key: Callable[[str], str]
    flag: str | None  # the metadata's has* flag; contextItems has none in Taskerino
    arrays_only: bool = False


KEYED_PARTS = (
    KeyedPart("summary", layout.summary_key, "hasSummary"),
    KeyedPart("audioInsights", layout.audio_insights_key, "hasAudioInsights"),
    KeyedPart("canvasSpec", layout.canvas_spec_key, "hasCanvasSpec"),
    KeyedPart("fullTranscription", layout.transcription_key, "hasTranscription"),
    KeyedPart("contextItems", layout.context_items_key, None, arrays_only=True),
)


@dataclass(frozen=True)
class ChunkedList:
    """An array stored in fixed-size chunk records."""

    field: str  # the session field ("video.chunks" lives inside video)
    manifest: str  # its entry in metadata.chunks, and in SavePlan.chunk_counts
    items: str  # the array's name inside a chunk record
    key: Callable[[str, int], str]


SCREENSHOTS = ChunkedList("screenshots", "screenshots", "screenshots", layout.screenshots_chunk_key)
AUDIO_SEGMENTS = ChunkedList("audioSegments", "audioSegments", "segments", layout.audio_segments_chunk_key)
VIDEO_CHUNKS = ChunkedList("video.chunks", "videoChunks", "chunks", layout.video_chunks_chunk_key)
CHUNKED_LISTS = (SCREENSHOTS, AUDIO_SEGMENTS, VIDEO_CHUNKS)

SPLIT_FIELDS = frozenset({p.field for p in KEYED_PARTS} | {"screenshots", "audioSegments"})
METADATA_FIELDS = frozenset({
    "chunks", "hasSummary", "hasAudioInsights", "hasCanvasSpec", "hasTranscription", "hasVideo",
    "hasFullAudio", "storageVersion", "createdAt", "updatedAt", "legacyLayout",
})
LEGACY_LAYOUT = "legacyLayout"


@dataclass
class SessionRecords:
    """The records of one session: `records` maps each key to its value, metadata included."""

    metadata: dict
    records: dict[str, Any]
    chunk_counts: dict[str, int]


def _chunk_records(session_id: str, spec: ChunkedList, items: list, size: int,
                   records: dict[str, Any]) -> dict:
    chunk_count = -(-len(items) // size)
    for i in range(chunk_count):
        records[spec.key(session_id, i)] = {
            "sessionId": session_id, "chunkIndex": i, spec.items: items[i * size:(i + 1) * size]}
    return {"count": len(items), "chunkCount": chunk_count, "chunkSize": size}


def split_session(session: dict, sizes: ChunkSizes, updated_at: str) -> SessionRecords:
    """The records that store `session` (a dict with a valid string id; not checked here)."""
    session_id = session["id"]
    records: dict[str, Any] = {}
    metadata: dict[str, Any] = {}
    absent: list[str] = []
    inline: dict[str, Any] = {}

    for name, value in session.items():
        if name in METADATA_FIELDS:
            inline[name] = value
        elif name not in SPLIT_FIELDS:
            metadata[name] = value

    manifest = {}
    for spec, size in ((SCREENSHOTS, sizes.screenshots), (AUDIO_SEGMENTS, sizes.audio_segments)):
        items = session.get(spec.field)
        if spec.field not in session:
            absent.append(spec.field)
        elif not isinstance(items, list):
            inline[spec.field] = items
        manifest[spec.manifest] = _chunk_records(
            session_id, spec, items if isinstance(items, list) else [], size, records)

    video = session.get("video")
    video_chunks: list = []
    if isinstance(video, dict):
        if "chunks" not in video:
            absent.append(VIDEO_CHUNKS.field)
        elif isinstance(video["chunks"], list):
            video_chunks = video["chunks"]
        else:
            inline["video"] = video
        metadata["video"] = {k: v for k, v in video.items() if k != "chunks"}
    manifest[VIDEO_CHUNKS.manifest] = _chunk_records(
        session_id, VIDEO_CHUNKS, video_chunks, sizes.video_chunks, records)

    flags = {}
    for part in KEYED_PARTS:
        value = session.get(part.field)
        stored = value is not None and (isinstance(value, list) or not part.arrays_only)
        if stored:
            records[part.key(session_id)] = value
        elif part.field in session:  # null, or a contextItems that is not an array
            inline[part.field] = value
        if part.flag:
            flags[part.flag] = stored

    metadata["chunks"] = manifest
    metadata.update(flags)
    metadata["hasVideo"] = session.get("video") is not None
    metadata["hasFullAudio"] = session.get("fullAudioAttachmentId") is not None
    metadata["storageVersion"] = STORAGE_VERSION
    if "startTime" in session:
        metadata["createdAt"] = session["startTime"]
    metadata["updatedAt"] = updated_at
    legacy = {name: value for name, value in (("absent", absent), ("inline", inline)) if value}
    if legacy:
        metadata[LEGACY_LAYOUT] = legacy

    records[layout.metadata_key(session_id)] = metadata
    counts = {name: info["chunkCount"] for name, info in manifest.items()}
    return SessionRecords(metadata, records, counts)


def part_keys(metadata: dict) -> list[str]:
    """Every key `join_session` reads for this metadata, besides the metadata itself."""
    session_id = _metadata_id(metadata)
    keys = [part.key(session_id) for part in KEYED_PARTS
            if part.flag is None or metadata.get(part.flag) is not False]
    for spec in CHUNKED_LISTS:
        keys.extend(spec.key(session_id, i) for i in range(_chunk_count(metadata, spec)))
    return keys


def required_keys(metadata: dict) -> list[str]:
    """The records `metadata` says exist, which join_session fails without: every chunk of its
    manifest and each part whose has* flag is true. (contextItems has no flag: its record exists
    only when the session had them.)"""
    session_id = _metadata_id(metadata)
    optional = {part.key(session_id) for part in KEYED_PARTS
                if part.flag is None or metadata.get(part.flag) is not True}
    return [key for key in part_keys(metadata) if key not in optional]


def is_chunked_metadata(metadata: Any) -> bool:
    """A chunked session's metadata: an object whose storageVersion is 1 (a JS `=== 1`, so never
    `true`)."""
    version = metadata.get("storageVersion") if isinstance(metadata, dict) else None
    return not isinstance(version, bool) and isinstance(version, (int, float)) \
        and version == STORAGE_VERSION


def join_session(metadata: dict, records: Mapping[str, Any]) -> dict:
    """The session that `metadata` and its `records` (key -> value) store.

    Raises SessionLayoutError when a record the metadata names is missing or misshapen.
    The result shares values with its inputs.
    """
    session_id = _metadata_id(metadata)
    absent, inline = _legacy_layout(metadata)
    problems: list[str] = []
    session = {k: v for k, v in metadata.items() if k not in METADATA_FIELDS}

    for part in KEYED_PARTS:
        key = part.key(session_id)
        flag = metadata.get(part.flag) if part.flag else None
        if key in records and flag is not False:
            session[part.field] = records[key]
        elif flag is True:
            problems.append(f"{key} is missing (metadata.{part.flag} is true)")

    lists = {spec.field: _join_chunks(session_id, metadata, spec, records, problems)
             for spec in CHUNKED_LISTS}
    session["screenshots"] = lists["screenshots"]
    session["audioSegments"] = lists["audioSegments"]
    video = session.get("video")
    if isinstance(video, dict):
        session["video"] = {**video, "chunks": lists["video.chunks"]}
    elif lists["video.chunks"]:
        problems.append("metadata has video chunks but no video object to hold them")
    if problems:
        raise SessionLayoutError(session_id, problems)

    for field in absent:
        if field != VIDEO_CHUNKS.field:
            session.pop(field, None)
        elif isinstance(session.get("video"), dict):
            del session["video"]["chunks"]
    session.update(inline)
    return session


def _metadata_id(metadata: Any) -> str:
    if not isinstance(metadata, dict) or not isinstance(metadata.get("id"), str):
        raise SessionLayoutError("?", ["metadata is not an object with a string id"])
    return metadata["id"]


def _chunk_count(metadata: dict, spec: ChunkedList) -> int:
    info = metadata.get("chunks")
    info = info.get(spec.manifest) if isinstance(info, dict) else None
    count = info.get("chunkCount") if isinstance(info, dict) else None
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise SessionLayoutError(metadata["id"], [
            f"metadata.chunks.{spec.manifest}.chunkCount is {count!r}, not a chunk count"])
    return count


def _join_chunks(session_id: str, metadata: dict, spec: ChunkedList, records: Mapping[str, Any],
                 problems: list[str]) -> list:
    items: list = []
    for i in range(_chunk_count(metadata, spec)):
        key = spec.key(session_id, i)
        record = records.get(key)
        if key not in records:
            problems.append(f"{key} is missing")
        elif not isinstance(record, dict) or not isinstance(record.get(spec.items), list):
            problems.append(f"{key} is not a chunk record with a {spec.items!r} array")
        else:
            items.extend(record[spec.items])
    return items


def _legacy_layout(metadata: dict) -> tuple[list[str], dict[str, Any]]:
    legacy = metadata.get(LEGACY_LAYOUT, {})
    absent = legacy.get("absent", []) if isinstance(legacy, dict) else None
    inline = legacy.get("inline", {}) if isinstance(legacy, dict) else None
    if not isinstance(absent, list) or not isinstance(inline, dict):
        raise SessionLayoutError(metadata["id"], [f"metadata.{LEGACY_LAYOUT} is misshapen"])
    return absent, inline


# -- appending one item to a chunked list (while recording)


def partial_chunk_key(metadata: dict, spec: ChunkedList, default_size: int) -> str | None:
    """The last chunk record of `spec`'s list when it has room left (append_item needs its
    items), else None: the next item starts a new chunk."""
    count, size = _append_position(metadata, spec, default_size)
    return spec.key(_metadata_id(metadata), count // size) if count % size else None


def append_item(metadata: dict, spec: ChunkedList, item: Any, default_size: int, updated_at: str,
                partial_chunk: Any = None) -> dict[str, Any]:
    """The records to put (the chunk that takes `item`, and the metadata) to append `item` to
    `spec`'s list. `partial_chunk`: the record at partial_chunk_key, when it named one.

    The chunk size is the one the session was stored with, so its chunks stay uniform. A field
    that was absent or not an array becomes an array holding its chunks."""
    session_id = _metadata_id(metadata)
    count, size = _append_position(metadata, spec, default_size)
    index = count // size
    key = spec.key(session_id, index)
    items: list = []
    if count % size:
        if not isinstance(partial_chunk, dict) or not isinstance(partial_chunk.get(spec.items), list):
            raise SessionLayoutError(session_id, [f"{key} is missing or not a chunk record"])
        items = partial_chunk[spec.items]
    chunk = {"sessionId": session_id, "chunkIndex": index, spec.items: [*items, item]}
    metadata = _without_override(metadata, spec.field)
    metadata["chunks"] = {**metadata["chunks"], spec.manifest: {
        **_manifest_entry(metadata, spec), "count": count + 1, "chunkCount": index + 1, "chunkSize": size}}
    metadata["updatedAt"] = updated_at
    return {key: chunk, layout.metadata_key(session_id): metadata}


def _append_position(metadata: dict, spec: ChunkedList, default_size: int) -> tuple[int, int]:
    """The list's item count and chunk size (`default_size` when the manifest has none usable)."""
    info = _manifest_entry(metadata, spec)
    size, count = info.get("chunkSize"), info.get("count")
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        size = default_size
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise SessionLayoutError(metadata.get("id", "?"), [f"metadata.chunks.{spec.manifest}.count is {count!r}"])
    return count, size


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
