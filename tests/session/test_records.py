"""session/records.py: which records a metadata record names, and what counts as chunked."""
from __future__ import annotations

import pytest

from taskerino_storage.errors import SessionLayoutError
from taskerino_storage.session.records import (ChunkSizes, is_chunked_metadata, join_session, part_keys,
                                               required_keys, split_session)

SESSION = {"id": "s1", "name": "Work", "startTime": "2026-01-01T00:00:00.000Z",
           "screenshots": [{"id": f"shot-{i}"} for i in range(25)], "audioSegments": [{"id": "a"}],
           "video": {"id": "v", "chunks": [{"id": "c"}]}, "summary": {"text": "done"},
           "contextItems": [{"id": "ctx"}], "audioInsights": None}


def test_join_fails_exactly_without_a_required_record():
    split = split_session(SESSION, ChunkSizes(), "2026-01-02T00:00:00.000Z")
    parts = {k: v for k, v in split.records.items() if k != "sessions/s1/metadata"}
    required = required_keys(split.metadata)
    assert sorted(required) == sorted([
        "sessions/s1/screenshots/chunk-000", "sessions/s1/screenshots/chunk-001",
        "sessions/s1/audio-segments/chunk-000", "sessions/s1/video-chunks/chunk-000",
        "sessions/s1/summary"])
    assert join_session(split.metadata, parts) == SESSION
    for key in part_keys(split.metadata):
        rest = {k: v for k, v in parts.items() if k != key}
        if key in required:
            with pytest.raises(SessionLayoutError, match=key):
                join_session(split.metadata, rest)
        else:  # an optional part (contextItems here): the join works without it
            join_session(split.metadata, rest)


@pytest.mark.parametrize("version, chunked", [(1, True), (1.0, True), (True, False), ("1", False),
                                              (2, False), (None, False)])
def test_is_chunked_metadata_is_a_js_strict_equality_with_1(version, chunked):
    assert is_chunked_metadata({"id": "s", "storageVersion": version}) is chunked
    assert not is_chunked_metadata([1]) and not is_chunked_metadata(None)
