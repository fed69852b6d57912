"""ChunkedSessionStorage in Chromium on IndexedDB: the representative sessions round-trip
exactly, and the records are the app's keys and shapes, read back by an app-style reader."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser.harness import fresh_db
from representative_sessions import representative_sessions

TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def page(booted):
    booted.put_file("/home/pyodide/representative_sessions.py", (TESTS / "representative_sessions.py").read_text())
    return booted


@pytest.mark.parametrize("encoding", ["gzip", "json"])
def test_representative_sessions_round_trip_on_indexeddb(page, encoding):
    db = fresh_db()
    result = page.python(f"""
from representative_sessions import representative_sessions
from taskerino_storage.browser.service import open_backend
from taskerino_storage.storage.chunked import ChunkedSessionStorage
from taskerino_storage.session.compare import json_diff
storage = ChunkedSessionStorage(await open_backend({db!r}, encoding={encoding!r}))
report = {{}}
for session in representative_sessions():
    await storage.save_full_session(session)
for session in representative_sessions():
    loaded = await storage.load_full_session(session["id"])
    report[session["id"]] = [str(d) for d in json_diff(session, loaded)]
report
""")
    assert len(result) == len(representative_sessions())
    assert {sid: diffs for sid, diffs in result.items() if diffs} == {}


def test_records_are_the_apps_keys_and_shapes(page):
    """A 21-screenshot, 101-segment session, read back record by record by the app-style reader."""
    db = fresh_db()
    page.python(f"""
from taskerino_storage.browser.service import open_backend
from taskerino_storage.storage.chunked import ChunkedSessionStorage
storage = ChunkedSessionStorage(await open_backend({db!r}))
await storage.save_full_session({{
    "id": "s1", "name": "Boundaries", "startTime": "2025-10-20T09:00:00.000Z", "status": "completed",
    "screenshots": [{{"id": f"shot-{{i}}", "sessionId": "s1"}} for i in range(21)],
    "audioSegments": [{{"id": f"seg-{{i}}", "sessionId": "s1", "transcription": "é"}} for i in range(101)],
    "summary": {{"narrative": "done"}}, "fullTranscription": "hello",
}})
""")
    keys = page.page.evaluate("(db) => appStore.keys(db)", db)
    assert sorted(keys) == sorted([
        "session-index", "sessions/s1/metadata", "sessions/s1/summary", "sessions/s1/transcription",
        "sessions/s1/screenshots/chunk-000", "sessions/s1/screenshots/chunk-001",
        "sessions/s1/audio-segments/chunk-000", "sessions/s1/audio-segments/chunk-001",
    ])
    load = lambda key: json.loads(page.page.evaluate("([db, k]) => appStore.load(db, k)", [db, key]))
    assert load("session-index") == ["s1"]
    metadata = load("sessions/s1/metadata")
    assert metadata["storageVersion"] == 1 and metadata["createdAt"] == "2025-10-20T09:00:00.000Z"
    assert metadata["chunks"]["screenshots"] == {"count": 21, "chunkCount": 2, "chunkSize": 20}
    assert metadata["chunks"]["audioSegments"] == {"count": 101, "chunkCount": 2, "chunkSize": 100}
    assert metadata["hasSummary"] is True and metadata["hasTranscription"] is True
    assert "screenshots" not in metadata and "audioSegments" not in metadata
    chunk = load("sessions/s1/screenshots/chunk-001")
    assert chunk == {"sessionId": "s1", "chunkIndex": 1, "screenshots": [{"id": "shot-20", "sessionId": "s1"}]}
    assert load("sessions/s1/audio-segments/chunk-000")["segments"][99]["id"] == "seg-99"
    assert load("sessions/s1/transcription") == "hello"
    record = page.page.evaluate("([db, k]) => appStore.record(db, k)", [db, "sessions/s1/metadata"])
    # metadata is plain JSON (fast listing); everything else is GZIP_V1 in gzip mode
    assert json.loads(record["data"]) == metadata and isinstance(record["timestamp"], int)
    record = page.page.evaluate("([db, k]) => appStore.record(db, k)", [db, "sessions/s1/screenshots/chunk-000"])
    assert record["data"].startswith("GZIP_V1:") and isinstance(record["timestamp"], int)
