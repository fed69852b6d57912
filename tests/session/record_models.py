"""Taskerino's types of the chunked records and the backup envelope, as pydantic models in the
style of session/models.py: test_models checks that what we write fits the app's types. The
package itself never validates these records (it writes them), so they live here."""
from __future__ import annotations

from typing import Any, Literal, Optional

from taskerino_storage.session.models import (Bool, Number, Session, SessionAudioSegment, SessionFields,
                                              SessionScreenshot, SessionVideoChunk, Str, TaskerinoModel,
                                              validation_warnings)


class ChunkInfo(TaskerinoModel):
    count: Number
    chunk_count: Number
    chunk_size: Number


class ChunksManifest(TaskerinoModel):
    screenshots: ChunkInfo
    audio_segments: ChunkInfo
    video_chunks: ChunkInfo


class LegacyLayout(TaskerinoModel):
    """What our loader needs that Taskerino's layout cannot say (see session/records.py)."""

    absent: Optional[list[Literal["screenshots", "audioSegments", "video.chunks"]]] = None
    inline: Optional[dict[str, Any]] = None


class SessionMetadata(SessionFields):
    """`sessions/{id}/metadata`. Ours keeps every session field but the split-out parts."""

    chunks: ChunksManifest
    has_summary: Bool
    has_audio_insights: Bool
    has_canvas_spec: Bool
    has_transcription: Bool
    has_video: Bool
    has_full_audio: Bool
    storage_version: Number
    created_at: Str
    updated_at: Str
    legacy_layout: Optional[LegacyLayout] = None


class ScreenshotsChunk(TaskerinoModel):
    session_id: Str
    chunk_index: Number
    screenshots: list[SessionScreenshot]


class AudioSegmentsChunk(TaskerinoModel):
    session_id: Str
    chunk_index: Number
    segments: list[SessionAudioSegment]


class VideoChunksChunk(TaskerinoModel):
    session_id: Str
    chunk_index: Number
    chunks: list[SessionVideoChunk]


class SessionBackup(TaskerinoModel):
    """`sessions/{id}.backup-{stamp}`: the original session as it was, kept for rollback."""

    session: Session
    backup_created_at: Str
    expires_at: Str
    original_format: Literal["monolithic"]


def validate_metadata(value: Any) -> list[str]:
    return validation_warnings(SessionMetadata, value, root="(metadata)")
