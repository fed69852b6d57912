"""The pydantic models: faithful typed views, and validation that reports instead of rejecting."""
import copy

import pytest
from hypothesis import HealthCheck, given, settings
from representative_sessions import START, legacy_broken_types, representative_sessions, typical_full_session
from strategies import json_values, sessions
from taskerino_storage.session.compare import json_diff, json_equal
from taskerino_storage.errors import InvalidSessionError
from taskerino_storage.session.models import Session, validate_session, validation_warnings
from taskerino_storage.session.shape import require_session_shape
from taskerino_storage.session.records import ChunkSizes, split_session

from .record_models import (AudioSegmentsChunk, ScreenshotsChunk, SessionBackup, SessionMetadata,
                            VideoChunksChunk, validate_metadata)

WELL_TYPED = [s for s in representative_sessions() if s["id"] not in ("legacy",)]
slow = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def dump(model) -> dict:
    return model.model_dump(by_alias=True, exclude_unset=True)


@pytest.mark.parametrize("session", WELL_TYPED, ids=lambda s: s["id"])
def test_typed_view_gives_back_exactly_what_it_read(session):
    original = copy.deepcopy(session)
    view = Session.model_validate(session)
    assert dump(view) == session
    assert json_diff(session, dump(view)) == []
    assert session == original  # validation never touches its input


@pytest.mark.parametrize("session", WELL_TYPED, ids=lambda s: s["id"])
def test_well_typed_sessions_have_no_warnings(session):
    assert validate_session(session) == []


def test_snake_case_in_python_camel_case_on_the_wire():
    view = Session.model_validate(typical_full_session())
    assert view.start_time == "2025-10-20T09:00:00.000Z"
    assert view.screenshots[0].ai_analysis.key_elements == ["VS Code", "TypeScript"]
    assert view.video.chapters[0].key_topics == ["IndexedDB"]
    assert view.video.optimized_path.endswith("-optimized.mp4")
    assert view.audio_key_moments[0].segment_id == "full-seg-0"
    assert view.enrichment_status.current_stage == "complete"
    session = typical_full_session()
    session["start_time"] = session.pop("startTime")
    assert Session.model_validate(session).start_time == START  # validate_by_name
    assert "startTime: required field is missing" in validate_session(session)  # the wire is camelCase


def test_unknown_fields_and_nulls_are_kept():
    session = typical_full_session()
    session["screenshots"][0]["aiAnalysis"]["detectedEntities"] = [{"kind": "file"}]
    session["summary"]["suggestedTasks"] = []
    session["endTime"] = None
    session["mystery"] = {"deep": [1, 2.5, None]}
    del session["category"]
    out = dump(Session.model_validate(session))
    assert out["screenshots"][0]["aiAnalysis"]["detectedEntities"] == [{"kind": "file"}]
    assert out["summary"]["suggestedTasks"] == [] and out["endTime"] is None
    assert json_equal(out, session)
    assert "category" not in out  # absent stays absent


def test_legacy_types_are_reported_path_by_path():
    warnings = validate_session(legacy_broken_types())
    for expected in [
        "description: required field is missing",
        "status: expected 'active', 'paused', 'completed' or 'interrupted', got \"running\"",
        "startTime: expected string, got number",
        "screenshotInterval: expected number, got string",
        "autoAnalysis: expected boolean, got number",
        "screenshots[0].timestamp: expected string, got number",
        "screenshots[0].aiAnalysis.confidence: expected number, got string",
        "screenshots[0].analysisStatus: required field is missing",
        "screenshots[1]: expected object, got string",
        "screenshots[2]: expected object, got null",
        "audioSegments: expected array, got object",
        "extractedTaskIds: expected array, got null",
        "tags: required field is missing",
        "video: expected object, got string",
        "summary: expected object, got string",
        "version: expected number, got boolean",
    ]:
        assert expected in warnings, (expected, warnings)


def test_flexible_summaries_are_checked_as_such():
    session = typical_full_session()
    session["summary"] = {"schemaVersion": "2.0", "id": "s", "generatedAt": "t", "narrative": "n",
                          "sessionContext": {"sessionId": "full", "sessionName": "x", "startTime": "t",
                                             "duration": 5, "screenshotCount": 3},
                          "sections": [{"type": "custom", "title": "T", "emphasis": "low", "position": 0,
                                        "customType": "x", "data": {}}],
                          "generationMetadata": {"reasoning": "r"}}
    assert validate_session(session) == []
    assert dump(Session.model_validate(session)) == session
    session["summary"]["sections"][0]["position"] = "first"
    assert validate_session(session) == ["summary.sections[0].position: expected number, got string"]


@pytest.mark.parametrize("value, problem", [
    ([], "must be a JSON object, got array"), ("s", "got string"), (None, "got null"),
    ({"name": "x"}, "must have an id"), ({"id": 5}, "id must be a string, got number"),
    ({"id": None}, "got null"),
])
def test_only_non_sessions_are_refused(value, problem):
    with pytest.raises(InvalidSessionError, match=problem):
        require_session_shape(value)
    assert validate_session(value)  # still reported, never raised


def test_refusal_is_an_error_of_the_one_tree():
    from taskerino_storage.errors import TaskerinoStorageError

    assert issubclass(InvalidSessionError, TaskerinoStorageError)
    assert require_session_shape({"id": ""}) == {"id": ""}


def test_our_metadata_and_chunks_fit_the_taskerino_types():
    session = typical_full_session()
    split = split_session(session, ChunkSizes(screenshots=2), "2025-10-21T00:00:00.000Z")
    assert validate_metadata(split.metadata) == []
    meta = SessionMetadata.model_validate(split.metadata)
    assert meta.chunks.screenshots.chunk_count == 2 and meta.has_summary and meta.storage_version == 1
    assert dump(meta) == split.metadata
    kinds = {"screenshots": ScreenshotsChunk, "audio-segments": AudioSegmentsChunk,
             "video-chunks": VideoChunksChunk}
    checked = 0
    for key, record in split.records.items():
        for folder, model in kinds.items():
            if f"/{folder}/" in key:
                assert dump(model.model_validate(record, strict=True)) == record
                checked += 1
    assert checked == 4


def test_backup_envelope_keeps_extra_fields():
    backup = {"session": legacy_broken_types(), "backupCreatedAt": "2025-10-24T12:34:56.789Z",
              "expiresAt": "2025-11-23T12:34:56.789Z", "originalFormat": "monolithic",
              "appVersion": "0.9.1", "sourceKey": "sessions"}
    full = {**backup, "session": typical_full_session()}
    assert dump(SessionBackup.model_validate(full)) == full
    warnings = validation_warnings(SessionBackup, backup)
    assert "session.tags: required field is missing" in warnings
    assert not any(w.startswith(("backupCreatedAt", "originalFormat", "appVersion")) for w in warnings)


@slow
@given(sessions(well_typed=True))
def test_generated_well_typed_sessions_validate_and_round_trip(session):
    assert validate_session(session) == []
    if not has_lone_surrogate_key(session):  # a typed view cannot hold one (see models)
        assert json_diff(session, dump(Session.model_validate(session))) == []


def has_lone_surrogate_key(value) -> bool:
    if isinstance(value, dict):
        return any(not _encodable(k) or has_lone_surrogate_key(v) for k, v in value.items())
    return isinstance(value, list) and any(has_lone_surrogate_key(v) for v in value)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def test_lone_surrogate_keys_are_not_warnings():
    session = typical_full_session()
    session["\ud800"] = 1
    session["screenshots"][0]["x\udfff"] = {"\ud800": 2}
    assert validate_session(session) == []
    session["tags"] = [3]
    assert validate_session(session) == ["tags[0]: expected string, got number"]


@slow
@given(sessions())
def test_any_session_is_reported_on_never_refused(session):
    original = copy.deepcopy(session)
    warnings = validate_session(session)
    assert all(isinstance(w, str) and ": " in w for w in warnings)
    assert json_diff(original, session) == []


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_json_value_gets_warnings_not_exceptions(value):
    assert isinstance(validate_session(value), list)
