"""Taskerino's key names, and the parsers that tell one kind of key from another.

    sessions                              legacy: an array of whole sessions (the app's real layout)
    sessions/{id}                         legacy: one whole session (the seed's rollback target)
    sessions/{id}.backup-{stamp}          a migration backup, {session, backupCreatedAt, expiresAt, ...}
    sessions/{id}/metadata, /summary, /audio-insights, /canvas-spec, /transcription, /context-items
    sessions/{id}/screenshots/chunk-NNN, /audio-segments/chunk-NNN, /video-chunks/chunk-NNN
    sessions/{id}/migration               the migration's marker (backup key, checksum, verifiedAt);
                                          not part of the session: saving keeps it, loading skips it
    session-index                         array of the ids of all chunked sessions

NNN is the 0-based chunk index padded to three digits (JS `padStart(3, '0')`: 1000 stays 1000).
A session id must not contain '/': `sessions/{id}/` is how we list and delete a session's keys,
and an id with a slash would reach into another session's records.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from ..errors import InvalidSessionError

SESSION_INDEX_KEY = "session-index"
LEGACY_SESSIONS_KEY = "sessions"
_SESSIONS = "sessions/"

# Kinds of chunk record, by their folder under sessions/{id}/.
SCREENSHOTS_DIR = "screenshots"
AUDIO_SEGMENTS_DIR = "audio-segments"
VIDEO_CHUNKS_DIR = "video-chunks"
# The migration's marker record under sessions/{id}/ (see migration/markers.py).
MIGRATION_MARKER = "migration"


def check_session_id(session_id: object) -> str:
    """The id itself when it can name storage keys; InvalidSessionError otherwise."""
    if not isinstance(session_id, str):
        raise InvalidSessionError(f"session id must be a string, got {type(session_id).__name__}")
    if not session_id:
        raise InvalidSessionError("session id is empty; it cannot name storage keys")
    if "/" in session_id:
        raise InvalidSessionError(
            f"session id {session_id!r} contains '/', so its keys would mix with another session's")
    return session_id


def session_prefix(session_id: str) -> str:
    """Every chunked key of the session starts with this (note the trailing slash)."""
    return f"{_SESSIONS}{session_id}/"


def metadata_key(session_id: str) -> str:
    return f"{_SESSIONS}{session_id}/metadata"


def summary_key(session_id: str) -> str:
    return f"{_SESSIONS}{session_id}/summary"


def audio_insights_key(session_id: str) -> str:
    return f"{_SESSIONS}{session_id}/audio-insights"


def canvas_spec_key(session_id: str) -> str:
    return f"{_SESSIONS}{session_id}/canvas-spec"


def transcription_key(session_id: str) -> str:
    return f"{_SESSIONS}{session_id}/transcription"


def context_items_key(session_id: str) -> str:
    return f"{_SESSIONS}{session_id}/context-items"


def chunk_name(index: int) -> str:
    return f"chunk-{index:03d}"


def screenshots_chunk_key(session_id: str, index: int) -> str:
    return f"{_SESSIONS}{session_id}/{SCREENSHOTS_DIR}/{chunk_name(index)}"


def audio_segments_chunk_key(session_id: str, index: int) -> str:
    return f"{_SESSIONS}{session_id}/{AUDIO_SEGMENTS_DIR}/{chunk_name(index)}"


def video_chunks_chunk_key(session_id: str, index: int) -> str:
    return f"{_SESSIONS}{session_id}/{VIDEO_CHUNKS_DIR}/{chunk_name(index)}"


def migration_marker_key(session_id: str) -> str:
    return f"{_SESSIONS}{session_id}/{MIGRATION_MARKER}"


def legacy_session_key(session_id: str) -> str:
    return f"{_SESSIONS}{session_id}"


def js_iso(when: datetime) -> str:
    """`new Date().toISOString()`: UTC, milliseconds, 'Z'. A naive datetime is taken as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def backup_stamp(when: datetime | str) -> str:
    """The ISO time with ':' and '.' turned into '-', as the seed names backups."""
    iso = when if isinstance(when, str) else js_iso(when)
    return iso.replace(":", "-").replace(".", "-")


def backup_key(session_id: str, when: datetime | str) -> str:
    """`sessions/{id}.backup-2024-10-24T12-34-56-789Z` for a datetime or an ISO string."""
    return f"{_SESSIONS}{session_id}.backup-{backup_stamp(when)}"


@dataclass(frozen=True)
class ChunkedKey:
    """A key under `sessions/{id}/`. `part` is "metadata", "summary", ... or a chunk folder
    ("screenshots", "audio-segments", "video-chunks") with `chunk_index` set; anything else
    under the prefix (e.g. the app's `*.compressed` copies) keeps its whole rest as `part`."""

    session_id: str
    part: str
    chunk_index: int | None = None


@dataclass(frozen=True)
class BackupKey:
    session_id: str
    stamp: str


_CHUNK = re.compile(r"(screenshots|audio-segments|video-chunks)/chunk-(\d{3,})")
# Greedy id: the last ".backup-" splits, since a stamp never contains one.
_BACKUP = re.compile(r"sessions/([^/]+)\.backup-([^/]+)")
_LEGACY = re.compile(r"sessions/([^/]+)")


def parse_chunked_key(key: str) -> ChunkedKey | None:
    if not key.startswith(_SESSIONS):
        return None
    session_id, slash, rest = key[len(_SESSIONS):].partition("/")
    if not (session_id and slash and rest):
        return None
    chunk = _CHUNK.fullmatch(rest)
    if chunk:
        return ChunkedKey(session_id, chunk.group(1), int(chunk.group(2)))
    return ChunkedKey(session_id, rest)


def parse_backup_key(key: str) -> BackupKey | None:
    match = _BACKUP.fullmatch(key)
    return BackupKey(match.group(1), match.group(2)) if match else None


def parse_legacy_session_key(key: str) -> str | None:
    """The id in `sessions/{id}`; None for any other key, backups included."""
    match = _LEGACY.fullmatch(key)
    if not match or parse_backup_key(key):
        return None
    return match.group(1)
