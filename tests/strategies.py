"""Hypothesis strategies for Taskerino-shaped sessions and arbitrary JSON values.

`sessions()` draws sessions shaped like the types in session/models.py: every field may
be missing, null, of the wrong type, or joined by unknown fields (some named like the chunked
metadata's own fields), with text from every Unicode plane including lone surrogates, ints
past 2**63 and floats from -0.0 to 1e308 (never NaN or infinity: JSON has none).
`sessions(well_typed=True)` draws sessions that fit the TypeScript types exactly (optional
fields may still be absent or null; unknown fields never shadow a known one).
Reuse: `from strategies import sessions, json_values` (tests/ is on pytest's pythonpath).
"""
from __future__ import annotations

from hypothesis import strategies as st

# Every plane, lone surrogates included: what a JS string can hold.
any_char = st.characters(exclude_categories=())
texts = st.text(any_char, max_size=12)
big_ints = st.sampled_from([2**53, 2**53 + 1, 2**63 - 1, 2**63, -(2**63), 2**64 + 7, 10**30])
ints = st.one_of(st.integers(-(2**31), 2**31), big_ints)
floats = st.one_of(st.floats(allow_nan=False, allow_infinity=False),
                   st.sampled_from([-0.0, 0.0, 1e308, -1e308, 5e-324, 0.1, 1.5]))
numbers = st.one_of(ints, floats)
json_scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(texts, inner, max_size=4)),
    max_leaves=12,
)

# Names an unknown field may have: what newer app versions add, what clashes with the chunked
# metadata's own fields or with our legacyLayout, snake_case twins of known fields, oddities.
_CLASHING_NAMES = ["chunks", "hasSummary", "hasAudioInsights", "hasCanvasSpec", "hasTranscription",
                   "hasVideo", "hasFullAudio", "storageVersion", "createdAt", "updatedAt",
                   "legacyLayout", "start_time", "video.chunks", "__proto__", "", "a/b"]
_NEW_NAMES = ["detectedEntities", "suggestedTasks", "base64", "x-custom", "ü🎉", "\ud800", "nested"]


def _extras(well_typed: bool) -> st.SearchStrategy[dict]:
    names = st.sampled_from(_NEW_NAMES) | st.text(any_char, max_size=6).map(lambda t: "~" + t)
    if not well_typed:
        names = names | st.sampled_from(_CLASHING_NAMES) | texts
    return st.dictionaries(names, json_values, max_size=3)


def _record(required: dict, optional: dict, well_typed: bool) -> st.SearchStrategy[dict]:
    """An object with these fields. Broken: any field may be missing, null or another JSON
    value. Well typed: required fields present; optional ones may be absent or null."""
    if well_typed:
        optional = {k: st.none() | v for k, v in optional.items()}
        base = st.fixed_dictionaries(required, optional=optional)
    else:
        spoil = lambda v: st.one_of(v, v, v, st.none(), json_values)  # noqa: E731 - mostly good
        base = st.fixed_dictionaries({}, optional={k: spoil(v) for k, v in {**required, **optional}.items()})
    return st.builds(lambda fields, extra: {**extra, **fields}, base, _extras(well_typed))


def _list(of: st.SearchStrategy, max_size: int = 4) -> st.SearchStrategy[list]:
    return st.lists(of, max_size=max_size)


def _one_of(*names: str) -> st.SearchStrategy[str]:
    return st.sampled_from(names)


str_lists = _list(texts)


def screenshots(well_typed: bool = False) -> st.SearchStrategy[dict]:
    progress = _record({}, {"achievements": str_lists, "blockers": str_lists, "insights": str_lists},
                       well_typed)
    analysis = _record(
        {"summary": texts, "detectedActivity": texts, "keyElements": str_lists, "confidence": numbers},
        {"extractedText": texts, "suggestedActions": str_lists, "contextDelta": texts,
         "curiosity": numbers, "curiosityReason": texts, "progressIndicators": progress},
        well_typed)
    return _record(
        {"id": texts, "sessionId": texts, "timestamp": texts, "attachmentId": texts,
         "analysisStatus": _one_of("pending", "analyzing", "complete", "error")},
        {"hash": texts, "path": texts, "aiAnalysis": analysis, "userComment": texts,
         "flagged": st.booleans(), "analysisError": texts},
        well_typed)


def audio_segments(well_typed: bool = False) -> st.SearchStrategy[dict]:
    return _record(
        {"id": texts, "sessionId": texts, "timestamp": texts, "duration": numbers,
         "transcription": texts},
        {"attachmentId": texts, "hash": texts, "startTime": numbers,
         "transcriptionQuality": _one_of("draft", "final"), "draftTranscription": texts,
         "enrichedTranscription": texts, "keyPhrases": str_lists,
         "sentiment": _one_of("positive", "neutral", "negative"), "containsTask": st.booleans(),
         "containsBlocker": st.booleans(), "description": texts,
         "mode": _one_of("transcription", "description"), "model": texts},
        well_typed)


def video(well_typed: bool = False, max_chunks: int = 4) -> st.SearchStrategy[dict]:
    chunk = _record(
        {"id": texts, "videoId": texts, "sessionId": texts, "attachmentId": texts,
         "startTime": numbers, "endTime": numbers, "topic": texts, "description": texts,
         "transcriptExcerpt": texts, "relatedScreenshotIds": str_lists,
         "relatedAudioSegmentIds": str_lists, "analyzed": st.booleans()},
        {"analysisCache": texts, "lastAnalyzedAt": texts}, well_typed)
    chapter = _record(
        {"id": texts, "sessionId": texts, "startTime": numbers, "endTime": numbers, "title": texts,
         "createdAt": texts},
        {"summary": texts, "keyTopics": str_lists, "thumbnail": texts, "confidence": numbers},
        well_typed)
    return _record(
        {"id": texts, "sessionId": texts, "duration": numbers,
         "chunkingStatus": _one_of("pending", "processing", "complete", "error")},
        {"fullVideoAttachmentId": texts, "path": texts, "optimizedPath": texts, "hash": texts,
         "chunks": _list(chunk, max_chunks), "chapters": _list(chapter, 3), "processedAt": texts,
         "chunkingError": texts, "startTime": numbers, "endTime": numbers},
        well_typed)


def summaries(well_typed: bool = False) -> st.SearchStrategy[dict]:
    return _record(
        {"narrative": texts, "achievements": str_lists, "blockers": str_lists,
         "recommendedTasks": _list(_record(
             {"title": texts, "priority": _one_of("low", "medium", "high", "urgent"),
              "context": texts, "relatedScreenshotIds": str_lists}, {}, well_typed), 2),
         "keyInsights": _list(_record(
             {"insight": texts, "timestamp": texts, "screenshotIds": str_lists}, {}, well_typed), 2),
         "focusAreas": _list(_record(
             {"area": texts, "duration": numbers, "percentage": numbers}, {}, well_typed), 2),
         "lastUpdated": texts, "screenshotCount": numbers},
        {"keyActivities": str_lists, "summary": texts}, well_typed)


def audio_insights(well_typed: bool = False) -> st.SearchStrategy[dict]:
    return _record(
        {"narrative": texts,
         "emotionalJourney": _list(_record(
             {"timestamp": numbers, "emotion": texts, "description": texts}, {}, well_typed), 2),
         "keyMoments": _list(_record(
             {"timestamp": numbers, "type": _one_of("achievement", "blocker", "decision", "insight"),
              "description": texts, "context": texts, "excerpt": texts}, {}, well_typed), 2),
         "workPatterns": _record(
             {"focusLevel": _one_of("high", "medium", "low"), "interruptions": numbers,
              "flowStates": _list(_record({"start": numbers, "end": numbers, "description": texts},
                                          {}, well_typed), 2)}, {}, well_typed),
         "environmentalContext": _record(
             {"ambientNoise": texts, "workSetting": texts, "timeOfDay": texts}, {}, well_typed),
         "processedAt": texts, "modelUsed": texts, "processingDuration": numbers},
        {}, well_typed)


def context_items(well_typed: bool = False) -> st.SearchStrategy[dict]:
    return _record(
        {"id": texts, "sessionId": texts, "timestamp": texts,
         "type": _one_of("note", "task", "marker"), "content": texts},
        {"linkedItemId": texts, "noteId": texts, "taskId": texts}, well_typed)


def canvas_specs(well_typed: bool = False) -> st.SearchStrategy[dict]:
    return _record(
        {"theme": _record({"primary": texts, "secondary": texts,
                           "mood": _one_of("energetic", "calm", "focused", "celebratory"),
                           "explanation": texts}, {}, well_typed),
         "layout": _record({"type": _one_of("timeline", "story", "dashboard", "grid", "flow"),
                            "sections": st.just([]),
                            "emphasis": _one_of("chronological", "thematic", "achievement-focused")},
                           {}, well_typed),
         "metadata": _record({"generatedAt": texts, "sessionType": texts, "confidence": numbers},
                             {}, well_typed)},
        {"componentTree": json_values}, well_typed)


session_ids = st.text(st.characters(exclude_categories=(), exclude_characters="/"), min_size=1, max_size=10)


def sessions(well_typed: bool = False, max_screenshots: int = 8, max_segments: int = 8,
             max_video_chunks: int = 5) -> st.SearchStrategy[dict]:
    """A session dict; always an object with a string id that can name storage keys."""
    session = _record(
        {"name": texts, "description": texts,
         "status": _one_of("active", "paused", "completed", "interrupted"), "startTime": texts,
         "screenshotInterval": numbers, "autoAnalysis": st.booleans(),
         "enableScreenshots": st.booleans(), "audioMode": _one_of("off", "transcription", "description"),
         "audioRecording": st.booleans(), "screenshots": _list(screenshots(well_typed), max_screenshots),
         "extractedTaskIds": str_lists, "extractedNoteIds": str_lists,
         "audioReviewCompleted": st.booleans(), "tags": str_lists},
        {"endTime": texts, "lastScreenshotTime": texts, "pausedAt": texts, "totalPausedTime": numbers,
         "trackingNoteId": texts, "audioSegments": _list(audio_segments(well_typed), max_segments),
         "contextItems": _list(context_items(well_typed), 3), "relationshipVersion": numbers,
         "fullAudioAttachmentId": texts, "fullTranscription": texts,
         "audioInsights": audio_insights(well_typed), "transcriptUpgradeCompleted": st.booleans(),
         "summary": summaries(well_typed), "canvasSpec": canvas_specs(well_typed),
         "audioKeyMoments": _list(_record(
             {"id": texts, "timestamp": numbers, "label": texts,
              "type": _one_of("achievement", "blocker", "decision", "insight"), "segmentId": texts,
              "excerpt": texts}, {}, well_typed), 2),
         "category": texts, "subCategory": texts, "activityType": texts, "totalDuration": numbers,
         "companyIds": str_lists, "contactIds": str_lists,
         "video": video(well_typed, max_video_chunks), "videoRecording": st.booleans(),
         "enrichmentConfig": _record({"includeAudioReview": st.booleans(),
                                      "includeVideoChapters": st.booleans(),
                                      "autoEnrichOnComplete": st.booleans()},
                                     {"maxCostThreshold": numbers}, well_typed),
         "enrichmentLock": _record({"lockedBy": texts, "lockedAt": texts, "expiresAt": texts}, {},
                                   well_typed),
         "version": numbers},
        well_typed)
    return st.builds(lambda s, sid: {**s, "id": sid}, session, session_ids)
