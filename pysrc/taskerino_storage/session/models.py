"""Taskerino's session types as pydantic models: to validate and report, and for typed views.

Stored data is never produced from these models. Sessions travel as plain JSON dicts; the
models check a session against the TypeScript types and turn every mismatch into a warning
("screenshots[3].timestamp: expected string, got number"). Real data breaks the types (old
versions lacked fields that are required today; newer ones add fields), and the app does not
enforce them, so a mismatch is reported, never rejected, dropped or repaired. Only a value
that cannot be a session at all is refused (`require_session_shape`).

Conventions, shared by every model through `TaskerinoModel`:
- camelCase on the wire, snake_case in Python;
- unknown fields are kept (`extra="allow"`): newer app versions add fields, and a typed view
  dumped with `exclude_unset=True` gives back exactly what it read;
- no coercion: strings, booleans and numbers are strict, so "5" is never turned into 5 and
  `true` is never a number. A number is an int or a float (JS has one number type);
- an optional field (`?` in TypeScript) may be absent or null: the app clears fields with
  null in places, and a null there is not worth a warning. A required field must be there.

One limit of typed views: pydantic-core cannot hold an object key containing a lone surrogate
(a JS string can). Validation works around it (`validation_warnings`); `model_validate` on
such a value raises. Storage is unaffected: it never goes through the models.
"""
from __future__ import annotations

import json
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import (BaseModel, ConfigDict, Discriminator, StrictBool, StrictStr, Tag,
                      ValidationError)
from pydantic.alias_generators import to_camel
from pydantic_core import core_schema

from .shape import js_type


class _JsNumber:
    """A JS number: an int or a float, never a bool or a string, one error ("expected number")
    when it is neither. Checked inside pydantic-core: a Python validator here was called for
    every number of a session, a quarter of validation's time."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.union_schema(
            [core_schema.int_schema(strict=True), core_schema.float_schema(strict=True)],
            custom_error_type="number_type", custom_error_message="expected number")


Str = StrictStr
Bool = StrictBool
Number = _JsNumber
StrList = list[StrictStr]
Priority = Literal["low", "medium", "high", "urgent"]


class TaskerinoModel(BaseModel):
    """Base of every model: camelCase aliases, unknown fields kept (see the module docstring)."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="allow",
    )


# --- screenshots -------------------------------------------------------------------------

class ProgressIndicators(TaskerinoModel):
    achievements: Optional[StrList] = None
    blockers: Optional[StrList] = None
    insights: Optional[StrList] = None


class ScreenshotAnalysis(TaskerinoModel):
    """`SessionScreenshot.aiAnalysis`, from the sessions agent."""

    summary: Str
    detected_activity: Str
    extracted_text: Optional[Str] = None
    key_elements: StrList
    suggested_actions: Optional[StrList] = None
    context_delta: Optional[Str] = None
    confidence: Number
    curiosity: Optional[Number] = None
    curiosity_reason: Optional[Str] = None
    progress_indicators: Optional[ProgressIndicators] = None


class SessionScreenshot(TaskerinoModel):
    id: Str
    session_id: Str
    timestamp: Str
    attachment_id: Str
    hash: Optional[Str] = None
    path: Optional[Str] = None
    ai_analysis: Optional[ScreenshotAnalysis] = None
    user_comment: Optional[Str] = None
    flagged: Optional[Bool] = None
    analysis_status: Literal["pending", "analyzing", "complete", "error"]
    analysis_error: Optional[Str] = None


# --- audio --------------------------------------------------------------------------------

class SessionAudioSegment(TaskerinoModel):
    id: Str
    session_id: Str
    timestamp: Str
    duration: Number
    transcription: Str
    attachment_id: Optional[Str] = None
    hash: Optional[Str] = None
    start_time: Optional[Number] = None
    transcription_quality: Optional[Literal["draft", "final"]] = None
    draft_transcription: Optional[Str] = None
    enriched_transcription: Optional[Str] = None
    key_phrases: Optional[StrList] = None
    sentiment: Optional[Literal["positive", "neutral", "negative"]] = None
    contains_task: Optional[Bool] = None
    contains_blocker: Optional[Bool] = None
    description: Optional[Str] = None
    mode: Optional[Literal["transcription", "description"]] = None
    model: Optional[Str] = None


KeyMomentType = Literal["achievement", "blocker", "decision", "insight"]


class AudioKeyMoment(TaskerinoModel):
    """Deprecated `Session.audioKeyMoments` (replaced by audioInsights.keyMoments)."""

    id: Str
    timestamp: Number
    label: Str
    type: KeyMomentType
    segment_id: Str
    excerpt: Str


class EmotionalMoment(TaskerinoModel):
    timestamp: Number
    emotion: Str
    description: Str


class AudioInsightMoment(TaskerinoModel):
    timestamp: Number
    type: KeyMomentType
    description: Str
    context: Str
    excerpt: Str


class FlowState(TaskerinoModel):
    start: Number
    end: Number
    description: Str


class WorkPatterns(TaskerinoModel):
    focus_level: Literal["high", "medium", "low"]
    interruptions: Number
    flow_states: list[FlowState]


class EnvironmentalContext(TaskerinoModel):
    ambient_noise: Str
    work_setting: Str
    time_of_day: Str


class ExtractedTask(TaskerinoModel):
    title: Str
    priority: Str
    context: Str


class ExtractedNote(TaskerinoModel):
    content: Str
    tags: StrList


class TimeBreakdown(TaskerinoModel):
    activity: Str
    duration: Number
    percentage: Number


class AudioInsights(TaskerinoModel):
    narrative: Str
    emotional_journey: list[EmotionalMoment]
    key_moments: list[AudioInsightMoment]
    work_patterns: WorkPatterns
    environmental_context: EnvironmentalContext
    processed_at: Str
    model_used: Str
    processing_duration: Number
    # deprecated
    summary: Optional[Str] = None
    extracted_tasks: Optional[list[ExtractedTask]] = None
    extracted_notes: Optional[list[ExtractedNote]] = None
    time_breakdown: Optional[list[TimeBreakdown]] = None
    key_activities: Optional[StrList] = None


# --- video --------------------------------------------------------------------------------

class SessionVideoChunk(TaskerinoModel):
    id: Str
    video_id: Str
    session_id: Str
    attachment_id: Str
    start_time: Number
    end_time: Number
    topic: Str
    description: Str
    transcript_excerpt: Str
    related_screenshot_ids: StrList
    related_audio_segment_ids: StrList
    analyzed: Bool
    analysis_cache: Optional[Str] = None
    last_analyzed_at: Optional[Str] = None


class VideoChapter(TaskerinoModel):
    id: Str
    session_id: Str
    start_time: Number
    end_time: Number
    title: Str
    summary: Optional[Str] = None
    key_topics: Optional[StrList] = None
    thumbnail: Optional[Str] = None
    confidence: Optional[Number] = None
    created_at: Str


class SessionVideo(TaskerinoModel):
    id: Str
    session_id: Str
    full_video_attachment_id: Optional[Str] = None
    path: Optional[Str] = None
    optimized_path: Optional[Str] = None
    hash: Optional[Str] = None
    chunks: Optional[list[SessionVideoChunk]] = None
    chapters: Optional[list[VideoChapter]] = None
    duration: Number
    chunking_status: Literal["pending", "processing", "complete", "error"]
    processed_at: Optional[Str] = None
    chunking_error: Optional[Str] = None
    start_time: Optional[Number] = None  # deprecated
    end_time: Optional[Number] = None  # deprecated


# --- summary ------------------------------------------------------------------------------

class RecommendedTask(TaskerinoModel):
    title: Str
    priority: Priority
    context: Str
    related_screenshot_ids: StrList


class KeyInsight(TaskerinoModel):
    insight: Str
    timestamp: Str
    screenshot_ids: StrList


class FocusArea(TaskerinoModel):
    area: Str
    duration: Number
    percentage: Number


class LiveSnapshot(TaskerinoModel):
    current_focus: Str
    progress_today: StrList
    momentum: Literal["high", "medium", "low"]


class AchievementEnhanced(TaskerinoModel):
    id: Str
    text: Str
    timestamp: Str
    screenshot_ids: Optional[StrList] = None
    importance: Optional[Literal["minor", "moderate", "major", "critical"]] = None
    category: Optional[Str] = None


class BlockerEnhanced(TaskerinoModel):
    id: Str
    text: Str
    timestamp: Str
    screenshot_ids: Optional[StrList] = None
    severity: Optional[Literal["low", "medium", "high", "critical"]] = None
    status: Optional[Literal["unresolved", "resolved", "workaround"]] = None
    resolved_at: Optional[Str] = None
    resolution: Optional[Str] = None


class SummaryKeyMoment(TaskerinoModel):
    id: Str
    type: Literal["transition", "breakthrough", "context_switch", "milestone", "decision"]
    timestamp: Str
    title: Str
    description: Str
    screenshot_ids: Optional[StrList] = None
    impact: Optional[Literal["low", "medium", "high"]] = None


class DynamicInsight(TaskerinoModel):
    type: Str
    title: Str
    description: Str
    timestamp: Optional[Str] = None
    confidence: Number
    metadata: Optional[dict[str, Any]] = None


class SummaryGenerationMetadata(TaskerinoModel):
    reasoning: Optional[Str] = None
    confidence: Optional[Number] = None
    detected_session_type: Optional[Str] = None
    primary_theme: Optional[Str] = None
    warnings: Optional[StrList] = None


class SessionSummary(TaskerinoModel):
    narrative: Str
    live_snapshot: Optional[LiveSnapshot] = None
    achievements: StrList
    blockers: StrList
    recommended_tasks: list[RecommendedTask]
    key_insights: list[KeyInsight]
    focus_areas: list[FocusArea]
    last_updated: Str
    screenshot_count: Number
    # deprecated
    summary: Optional[Str] = None
    extracted_tasks: Optional[list[ExtractedTask]] = None
    extracted_notes: Optional[list[ExtractedNote]] = None
    time_breakdown: Optional[list[TimeBreakdown]] = None
    key_activities: Optional[StrList] = None
    # enhanced (phase 1)
    achievements_enhanced: Optional[list[AchievementEnhanced]] = None
    blockers_enhanced: Optional[list[BlockerEnhanced]] = None
    key_moments: Optional[list[SummaryKeyMoment]] = None
    dynamic_insights: Optional[list[DynamicInsight]] = None
    generation_metadata: Optional[SummaryGenerationMetadata] = None


class SummarySessionContext(TaskerinoModel):
    session_id: Str
    session_name: Str
    start_time: Str
    end_time: Optional[Str] = None
    duration: Number
    screenshot_count: Number
    audio_segment_count: Optional[Number] = None
    video_chapter_count: Optional[Number] = None


class SummarySection(TaskerinoModel):
    """The common part of the seventeen section kinds; `data` varies by `type`."""

    type: Str
    title: Str
    emphasis: Literal["low", "medium", "high"]
    position: Number
    icon: Optional[Str] = None
    color_theme: Optional[Str] = None
    data: Optional[dict[str, Any]] = None


class FlexibleSessionSummary(TaskerinoModel):
    """The section-based summary (`schemaVersion: "2.0"`) that newer versions store in `summary`."""

    schema_version: Literal["2.0"]
    id: Str
    generated_at: Str
    session_context: SummarySessionContext
    narrative: Str
    sections: list[SummarySection]
    generation_metadata: dict[str, Any]
    quick_access: Optional[dict[str, Any]] = None


def _summary_kind(value: Any) -> str:
    if isinstance(value, dict) and "schemaVersion" in value:
        return "FlexibleSessionSummary"
    if isinstance(value, FlexibleSessionSummary):
        return "FlexibleSessionSummary"
    return "SessionSummary"


AnySummary = Annotated[
    Union[Annotated[SessionSummary, Tag("SessionSummary")],
          Annotated[FlexibleSessionSummary, Tag("FlexibleSessionSummary")]],
    Discriminator(_summary_kind),
]
_UNION_TAGS = frozenset({"SessionSummary", "FlexibleSessionSummary"})


# --- canvas -------------------------------------------------------------------------------

class CanvasTheme(TaskerinoModel):
    primary: Str
    secondary: Str
    mood: Literal["energetic", "calm", "focused", "celebratory"]
    explanation: Str


class CanvasSection(TaskerinoModel):
    id: Str
    type: Str
    emphasis: Literal["low", "medium", "high"]
    position: Number
    content: Any = None
    left: Optional[CanvasSection] = None
    right: Optional[CanvasSection] = None


class CanvasLayout(TaskerinoModel):
    type: Literal["timeline", "story", "dashboard", "grid", "flow"]
    sections: list[CanvasSection]
    emphasis: Literal["chronological", "thematic", "achievement-focused"]


class CanvasMetadata(TaskerinoModel):
    generated_at: Str
    session_type: Str
    confidence: Number


class CanvasSpec(TaskerinoModel):
    theme: CanvasTheme
    layout: CanvasLayout
    metadata: CanvasMetadata
    component_tree: Any = None


# --- context items, relationships ---------------------------------------------------------

class SessionContextItem(TaskerinoModel):
    id: Str
    session_id: Str
    timestamp: Str
    type: Literal["note", "task", "marker"]
    content: Str
    linked_item_id: Optional[Str] = None
    note_id: Optional[Str] = None
    task_id: Optional[Str] = None


class RelationshipMetadata(TaskerinoModel):
    source: Literal["ai", "manual", "migration", "system"]
    confidence: Optional[Number] = None
    reasoning: Optional[Str] = None
    created_at: Str
    created_by: Optional[Str] = None
    extra: Optional[dict[str, Any]] = None


class Relationship(TaskerinoModel):
    id: Str
    type: Str
    source_type: Str
    source_id: Str
    target_type: Str
    target_id: Str
    metadata: RelationshipMetadata
    canonical: Bool


# --- enrichment and device configs --------------------------------------------------------

StageStatus = Literal["pending", "processing", "completed", "failed", "skipped"]


class EnrichmentStage(TaskerinoModel):
    status: StageStatus
    started_at: Optional[Str] = None
    completed_at: Optional[Str] = None
    error: Optional[Str] = None
    cost: Optional[Number] = None


class SummaryStage(TaskerinoModel):
    status: StageStatus
    error: Optional[Str] = None


class EnrichmentStatus(TaskerinoModel):
    status: Literal["idle", "pending", "in-progress", "completed", "failed", "partial"]
    started_at: Optional[Str] = None
    completed_at: Optional[Str] = None
    progress: Number
    current_stage: Literal["validating", "estimating", "locking", "checkpointing", "audio", "video",
                           "summary", "complete", "error"]
    audio: EnrichmentStage
    video: EnrichmentStage
    summary: SummaryStage
    total_cost: Number
    errors: StrList
    warnings: StrList
    can_resume: Bool


class EnrichmentConfig(TaskerinoModel):
    include_audio_review: Bool
    include_video_chapters: Bool
    auto_enrich_on_complete: Bool
    max_cost_threshold: Optional[Number] = None


class EnrichmentLock(TaskerinoModel):
    locked_by: Str
    locked_at: Str
    expires_at: Str


class AudioDeviceConfig(TaskerinoModel):
    mic_device_id: Optional[Str] = None
    system_audio_device_id: Optional[Str] = None
    source_type: Literal["microphone", "system-audio", "both"]
    balance: Optional[Number] = None
    mic_volume: Optional[Number] = None
    system_volume: Optional[Number] = None


class PiPConfig(TaskerinoModel):
    enabled: Bool
    position: Literal["top-left", "top-right", "bottom-left", "bottom-right"]
    size: Literal["small", "medium", "large"]
    border_radius: Optional[Number] = None


class Resolution(TaskerinoModel):
    width: Number
    height: Number


class VideoRecordingConfig(TaskerinoModel):
    source_type: Literal["display", "window", "webcam", "display-with-webcam"]
    display_ids: Optional[StrList] = None
    window_ids: Optional[StrList] = None
    webcam_device_id: Optional[Str] = None
    pip_config: Optional[PiPConfig] = None
    quality: Literal["low", "medium", "high", "ultra"]
    fps: Number
    resolution: Optional[Resolution] = None


# --- the session --------------------------------------------------------------------------

class SessionFields(TaskerinoModel):
    """The fields a session and its chunked metadata share: everything but the split-out parts."""

    id: Str
    name: Str
    description: Str
    status: Literal["active", "paused", "completed", "interrupted"]
    start_time: Str
    end_time: Optional[Str] = None
    last_screenshot_time: Optional[Str] = None
    paused_at: Optional[Str] = None
    total_paused_time: Optional[Number] = None
    screenshot_interval: Number
    auto_analysis: Bool
    enable_screenshots: Bool
    audio_mode: Literal["off", "transcription", "description"]
    audio_recording: Bool
    tracking_note_id: Optional[Str] = None
    relationships: Optional[list[Relationship]] = None
    relationship_version: Optional[Number] = None
    extracted_task_ids: StrList
    extracted_note_ids: StrList
    audio_review_completed: Bool
    full_audio_attachment_id: Optional[Str] = None
    transcript_upgrade_completed: Optional[Bool] = None
    audio_key_moments: Optional[list[AudioKeyMoment]] = None
    tags: StrList
    category: Optional[Str] = None
    sub_category: Optional[Str] = None
    activity_type: Optional[Str] = None
    total_duration: Optional[Number] = None
    company_ids: Optional[StrList] = None
    contact_ids: Optional[StrList] = None
    video: Optional[SessionVideo] = None
    video_recording: Optional[Bool] = None
    enrichment_status: Optional[EnrichmentStatus] = None
    enrichment_config: Optional[EnrichmentConfig] = None
    enrichment_lock: Optional[EnrichmentLock] = None
    audio_config: Optional[AudioDeviceConfig] = None
    video_config: Optional[VideoRecordingConfig] = None
    version: Optional[Number] = None


class Session(SessionFields):
    screenshots: list[SessionScreenshot]
    audio_segments: Optional[list[SessionAudioSegment]] = None
    context_items: Optional[list[SessionContextItem]] = None
    full_transcription: Optional[Str] = None
    audio_insights: Optional[AudioInsights] = None
    summary: Optional[AnySummary] = None
    canvas_spec: Optional[CanvasSpec] = None


# --- validation as reporting --------------------------------------------------------------

def validation_warnings(model: type[TaskerinoModel], value: Any, root: str = "(root)") -> list[str]:
    """Every way `value` breaks `model`'s TypeScript type, one line each; [] when it fits.

    Validates camelCase names only, so a stray snake_case key stays an unknown field."""
    try:
        model.model_validate(value, strict=True, by_alias=True, by_name=False)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    else:
        return []
    if any(e["type"] == "string_unicode" for e in errors):  # a key; string values pass as they are
        try:
            model.model_validate(_keys_without_lone_surrogates(value), strict=True, by_alias=True,
                                 by_name=False)
            return []
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
    return [_warning(error, root) for error in errors]


def _keys_without_lone_surrogates(value: Any) -> Any:
    """A copy whose object keys hold no lone surrogate (pydantic-core keys are Rust strings).
    Such a key can never name a known field, so replacing its surrogates with U+FFFD changes
    nothing that validation looks at."""
    if isinstance(value, dict):
        return {_valid_unicode(k): _keys_without_lone_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_keys_without_lone_surrogates(v) for v in value]
    return value


def _valid_unicode(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def validate_session(value: Any) -> list[str]:
    return validation_warnings(Session, value, root="(session)")


_EXPECTED = {
    "string_type": "string", "bool_type": "boolean", "number_type": "number",
    "int_type": "number", "float_type": "number", "list_type": "array",
    "dict_type": "object", "model_type": "object", "model_attributes_type": "object",
}


def loc_path(loc: tuple, root: str = "(root)") -> str:
    """('screenshots', 3, 'aiAnalysis', 'summary') -> 'screenshots[3].aiAnalysis.summary'."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in _UNION_TAGS:
            continue
        elif item.isidentifier() and item.isascii():
            parts.append(f".{item}" if parts else item)
        else:
            parts.append(f"[{json.dumps(item)}]")
    return "".join(parts) or root


def _warning(error: dict, root: str) -> str:
    path = loc_path(error["loc"], root)
    kind = error["type"]
    if kind == "missing":
        return f"{path}: required field is missing"
    value = error["input"]
    if kind == "literal_error":
        shown = json.dumps(value) if isinstance(value, (str, int, float, bool)) or value is None \
            else js_type(value)
        return f"{path}: expected {error['ctx']['expected']}, got {shown}"
    if kind in _EXPECTED:
        return f"{path}: expected {_EXPECTED[kind]}, got {js_type(value)}"
    return f"{path}: {error['msg']} (got {js_type(value)})"
