"""Hand-written sessions that cover what real Taskerino data holds, for round trips on any backend.

`representative_sessions()` returns fresh dicts each call (tests may mutate them). Ids are
ASCII and distinct; everything else is as awkward as real data gets: chunk boundaries, the
fields Taskerino's own save drops, explicit nulls, unknown fields, broken legacy types, and
text from every Unicode plane including lone surrogates.
"""
from __future__ import annotations

START = "2025-10-20T09:00:00.000Z"


def _screenshot(sid: str, i: int, **extra) -> dict:
    return {
        "id": f"{sid}-shot-{i}", "sessionId": sid, "timestamp": f"2025-10-20T09:{i // 60:02d}:{i % 60:02d}.000Z",
        "attachmentId": f"att-{sid}-{i}", "hash": f"sha256-{i:04x}", "analysisStatus": "complete",
        "aiAnalysis": {
            "summary": f"Editing ChunkedSessionStorage.ts, step {i}", "detectedActivity": "coding",
            "extractedText": "export class ChunkedSessionStorage {", "keyElements": ["VS Code", "TypeScript"],
            "suggestedActions": ["Write tests"], "contextDelta": "Scrolled to saveMetadata",
            "confidence": 0.92, "curiosity": 0.4, "curiosityReason": "steady progress",
            "progressIndicators": {"achievements": ["types compile"], "blockers": [], "insights": []},
        },
        **extra,
    }


def _segment(sid: str, i: int, **extra) -> dict:
    return {
        "id": f"{sid}-seg-{i}", "sessionId": sid, "timestamp": f"2025-10-20T09:{i // 60 % 60:02d}:{i % 60:02d}.000Z",
        "duration": 10, "transcription": f"segment {i}: now the chunk index starts at zero",
        "attachmentId": f"audio-{sid}-{i}", "transcriptionQuality": "final", "keyPhrases": ["chunk index"],
        "sentiment": "neutral", "containsTask": i % 7 == 0, "containsBlocker": False, **extra,
    }


def _video_chunk(sid: str, i: int, **extra) -> dict:
    return {
        "id": f"{sid}-vc-{i}", "videoId": f"{sid}-video", "sessionId": sid, "attachmentId": f"vid-{sid}-{i}",
        "startTime": i * 30, "endTime": i * 30 + 29.5, "topic": "Storage layer",
        "description": f"Chunk {i}", "transcriptExcerpt": "…and the index goes here",
        "relatedScreenshotIds": [f"{sid}-shot-{i}"], "relatedAudioSegmentIds": [], "analyzed": i % 2 == 0,
        **extra,
    }


def _base(sid: str, name: str, **fields) -> dict:
    session = {
        "id": sid, "name": name, "description": "Working on chunked storage", "status": "completed",
        "startTime": START, "endTime": "2025-10-20T11:30:00.000Z", "screenshotInterval": 2,
        "autoAnalysis": True, "enableScreenshots": True, "audioMode": "transcription",
        "audioRecording": True, "screenshots": [], "extractedTaskIds": [], "extractedNoteIds": [],
        "audioReviewCompleted": False, "tags": ["storage"],
    }
    session.update(fields)
    return session


def _summary() -> dict:
    return {
        "narrative": "Started by reading the storage adapter, then wrote the chunked layout.",
        "achievements": ["Chunked layout", "Index updates"], "blockers": ["Flaky IndexedDB test"],
        "recommendedTasks": [{"title": "Add rollback test", "priority": "high",
                              "context": "rollback is untested", "relatedScreenshotIds": ["full-shot-1"]}],
        "keyInsights": [{"insight": "chunk-000 is the first chunk", "timestamp": START, "screenshotIds": []}],
        "focusAreas": [{"area": "Storage", "duration": 90, "percentage": 66.7}],
        "lastUpdated": "2025-10-20T11:30:00.000Z", "screenshotCount": 3,
        "liveSnapshot": {"currentFocus": "Writing tests", "progressToday": ["layout"], "momentum": "high"},
        "achievementsEnhanced": [{"id": "a1", "text": "Chunked layout", "timestamp": START,
                                  "importance": "major"}],
    }


def _audio_insights() -> dict:
    return {
        "narrative": "Calm, focused work with one frustrating test.",
        "emotionalJourney": [{"timestamp": 0, "emotion": "focused", "description": "reading code"}],
        "keyMoments": [{"timestamp": 1800.5, "type": "achievement", "description": "tests pass",
                        "context": "after the fix", "excerpt": "there we go"}],
        "workPatterns": {"focusLevel": "high", "interruptions": 1,
                         "flowStates": [{"start": 0, "end": 3600, "description": "deep work"}]},
        "environmentalContext": {"ambientNoise": "quiet", "workSetting": "home office",
                                 "timeOfDay": "morning"},
        "processedAt": "2025-10-20T11:35:00.000Z", "modelUsed": "gpt-4o-audio-preview",
        "processingDuration": 42.25,
    }


def _canvas() -> dict:
    return {
        "theme": {"primary": "#0ea5e9", "secondary": "#f59e0b", "mood": "focused", "explanation": "deep work"},
        "layout": {"type": "timeline", "emphasis": "chronological", "sections": [
            {"id": "hero", "type": "hero", "emphasis": "high", "position": 0, "content": {"title": "Storage"}},
            {"id": "split", "type": "split", "emphasis": "low", "position": 1,
             "left": {"id": "l", "type": "achievements", "emphasis": "medium", "position": 0},
             "right": {"id": "r", "type": "blockers", "emphasis": "medium", "position": 1}}]},
        "metadata": {"generatedAt": "2025-10-20T11:40:00.000Z", "sessionType": "coding", "confidence": 0.8},
        "componentTree": {"component": "Stack", "children": [{"component": "Heading", "props": {"level": 1}}]},
    }


def _video(sid: str, chunks: int) -> dict:
    return {
        "id": f"{sid}-video", "sessionId": sid, "fullVideoAttachmentId": f"vid-{sid}",
        "path": f"/Users/me/Library/Taskerino/videos/{sid}.mp4",
        "optimizedPath": f"/Users/me/Library/Taskerino/videos/{sid}-optimized.mp4",
        "hash": "sha256-0f1e2d3c", "duration": 9000.5, "chunkingStatus": "complete",
        "processedAt": "2025-10-20T11:45:00.000Z",
        "chunks": [_video_chunk(sid, i) for i in range(chunks)],
        "chapters": [
            {"id": "ch1", "sessionId": sid, "startTime": 0, "endTime": 1200, "title": "Setting up",
             "summary": "Reading the adapter", "keyTopics": ["IndexedDB"], "confidence": 0.9,
             "createdAt": "2025-10-20T11:45:00.000Z"},
            {"id": "ch2", "sessionId": sid, "startTime": 1200, "endTime": 9000.5, "title": "Writing the layout",
             "createdAt": "2025-10-20T11:45:00.000Z"},
        ],
    }


def typical_full_session() -> dict:
    sid = "full"
    return _base(
        sid, "Morning coding session",
        lastScreenshotTime="2025-10-20T09:04:00.000Z", totalPausedTime=120000, pausedAt=None,
        trackingNoteId="note-1",
        screenshots=[_screenshot(sid, i) for i in range(3)],
        audioSegments=[_segment(sid, i) for i in range(4)],
        contextItems=[{"id": "ctx-1", "sessionId": sid, "timestamp": START, "type": "note",
                       "content": "Remember chunk-000", "linkedItemId": "note-9"}],
        relationships=[{"id": "rel-1", "type": "task-session", "sourceType": "task", "sourceId": "t-1",
                        "targetType": "session", "targetId": sid, "canonical": True,
                        "metadata": {"source": "ai", "confidence": 0.9, "createdAt": START}}],
        relationshipVersion=1, extractedTaskIds=["t-1"], extractedNoteIds=["n-1"],
        audioReviewCompleted=True, fullAudioAttachmentId="audio-full", fullTranscription="Okay. So. Chunks.",
        audioInsights=_audio_insights(), transcriptUpgradeCompleted=True, summary=_summary(),
        canvasSpec=_canvas(),
        # What Taskerino's own save drops:
        audioKeyMoments=[{"id": "km-1", "timestamp": 60, "label": "Started", "type": "decision",
                          "segmentId": "full-seg-0", "excerpt": "let's go"}],
        companyIds=["co-1"], contactIds=["ct-1", "ct-2"],
        category="Deep Work", subCategory="API Development", activityType="coding", totalDuration=150,
        video=_video(sid, 2), videoRecording=True,
        enrichmentStatus={
            "status": "completed", "startedAt": START, "completedAt": "2025-10-20T11:50:00.000Z",
            "progress": 100, "currentStage": "complete",
            "audio": {"status": "completed", "cost": 0.12}, "video": {"status": "skipped"},
            "summary": {"status": "completed"}, "totalCost": 0.12, "errors": [], "warnings": [],
            "canResume": False},
        enrichmentConfig={"includeAudioReview": True, "includeVideoChapters": False,
                          "autoEnrichOnComplete": True, "maxCostThreshold": 1.5},
        enrichmentLock={"lockedBy": "worker-1", "lockedAt": START, "expiresAt": "2025-10-20T09:05:00.000Z"},
        audioConfig={"sourceType": "both", "micDeviceId": "mic", "balance": 50, "micVolume": 0.8,
                     "systemVolume": 1},
        videoConfig={"sourceType": "display-with-webcam", "displayIds": ["1"], "quality": "high", "fps": 30,
                     "pipConfig": {"enabled": True, "position": "bottom-right", "size": "small"},
                     "resolution": {"width": 1920, "height": 1080}},
        version=7,
    )


def empty_session() -> dict:
    """Only the required fields; no audioSegments, contextItems or video at all."""
    return _base("empty", "Empty", status="active", endTime=None, audioMode="off",
                 audioRecording=False, tags=[])


def many_audio_segments() -> dict:
    sid = "audio101"
    return _base(sid, "Long meeting", audioSegments=[_segment(sid, i) for i in range(101)])


def many_screenshots() -> dict:
    """21 screenshots, and a video not chunked yet (no `chunks` key at all)."""
    sid = "shots21"
    video = _video(sid, 0)
    del video["chunks"]
    return _base(sid, "Design review", screenshots=[_screenshot(sid, i) for i in range(21)], video=video)


def exact_boundaries() -> dict:
    """20 screenshots, 100 segments, 100 video chunks: each exactly one full chunk."""
    sid = "exact"
    return _base(sid, "Exact chunks", screenshots=[_screenshot(sid, i) for i in range(20)],
                 audioSegments=[_segment(sid, i) for i in range(100)], video=_video(sid, 100))


def video_session() -> dict:
    """Video with path, optimizedPath, hash, chapters and 101 chunks; audioSegments: []."""
    sid = "video"
    return _base(sid, "Screen recording", video=_video(sid, 101), videoRecording=True,
                 audioSegments=[])


def explicit_nulls() -> dict:
    sid = "nulls"
    session = _base(
        sid, "Cleared fields", endTime=None, trackingNoteId=None, audioSegments=None, contextItems=None,
        summary=None, audioInsights=None, canvasSpec=None, fullTranscription=None,
        fullAudioAttachmentId=None, enrichmentLock=None, category=None,
        screenshots=[_screenshot(sid, 0, userComment=None, aiAnalysis=None)],
        video={**_video(sid, 0), "chunks": None, "chapters": None, "path": None},
    )
    return session


def unknown_fields_everywhere() -> dict:
    """Fields newer branches add, at every level, and fields named like the metadata's own."""
    sid = "unknown"
    shot = _screenshot(sid, 0, base64="iVBORw0KGgo=", thumbnailSize=[160, 90])
    shot["aiAnalysis"]["detectedEntities"] = [{"kind": "file", "name": "types.ts"}]
    summary = _summary()
    summary["suggestedTasks"] = [{"title": "Ship it", "score": 0.7}]
    video = _video(sid, 1)
    video["chunks"][0]["embedding"] = [0.1, -0.2]
    video["codec"] = "h264"
    return _base(
        sid, "Newer app version", screenshots=[shot], summary=summary, video=video,
        audioSegments=[_segment(sid, 0, speaker="me", words=[{"w": "okay", "t": 0.1}])],
        contextItems=[{"id": "c", "sessionId": sid, "timestamp": START, "type": "marker", "content": "x",
                       "color": "red"}],
        # Clashes with the chunked metadata's own fields:
        chunks=["not", "the", "manifest"], createdAt="2020-01-01", updatedAt=0, storageVersion="v0",
        hasSummary="yes", hasVideo=None, legacyLayout={"mine": True},
        workspace={"id": "ws-1", "members": [{"id": "u1", "role": "owner"}]}, aiProvider="claude",
    )


def legacy_broken_types() -> dict:
    """An old app version's record: missing required fields, strings where numbers belong,
    a status no longer in the union, a screenshots array with a non-object, no tags."""
    sid = "legacy"
    shot = _screenshot(sid, 0)
    shot["timestamp"] = 1729414800000
    shot["aiAnalysis"]["confidence"] = "0.9"
    del shot["analysisStatus"]
    return {
        "id": sid, "name": "Old session", "status": "running", "startTime": 1729414800000,
        "screenshotInterval": "2", "autoAnalysis": 1, "enableScreenshots": "true", "audioMode": "on",
        "audioRecording": False, "screenshots": [shot, "corrupt", None],
        "audioSegments": {"0": _segment(sid, 0)}, "contextItems": "none",
        "extractedTaskIds": None, "video": "recording.mp4", "summary": "a plain string summary",
        "totalDuration": "90", "version": True,
    }


def unicode_everywhere() -> dict:
    sid = "unicode"
    weird = "ASCII é 中文 עברית 🎉 \U0001F9EA \U00010348 \U0010FFFF \ud800 lone \udfff \x00 nul e\u0301"
    shot = _screenshot(sid, 0)
    shot["aiAnalysis"]["summary"] = weird
    shot["aiAnalysis"]["extractedText"] = "\ud83d" + "half an emoji, then its other half \ude00"
    return _base(
        sid, weird, description="\u202eRTL override\u202c and \ufeffBOM", screenshots=[shot],
        tags=["🏷️", "\ud800", "", " "], fullTranscription=weird * 3,
        audioSegments=[_segment(sid, 0, transcription=weird)],
        **{"ключ": "значение", "🔑": {"\udc00": weird}, "": "empty key", "a.b": 1, "with space": [weird]},
        totalPausedTime=2**63, version=2**64 + 1, screenshotInterval=-1,
        relationshipVersion=-0.0, totalDuration=1e308,
        numbers=[0, -0.0, 5e-324, 1.7976931348623157e308, -(2**63), 2**53 + 1, 0.1, 1.0, 3],
    )


def representative_sessions() -> list[dict]:
    return [
        typical_full_session(), empty_session(), many_audio_segments(), many_screenshots(),
        exact_boundaries(), video_session(), explicit_nulls(), unknown_fields_everywhere(),
        legacy_broken_types(), unicode_everywhere(),
    ]
