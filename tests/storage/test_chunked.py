"""ChunkedSessionStorage: Taskerino's keys and shapes, lossless round trips, atomic writes."""
import copy
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from representative_sessions import (START, _base, _screenshot, _segment, _video, many_screenshots,
                                     representative_sessions, typical_full_session)
from strategies import sessions
from taskerino_storage.errors import InvalidSessionError, SessionLayoutError, SessionNotFoundError
from taskerino_storage.session import layout
from taskerino_storage.session.compare import json_diff
from taskerino_storage.storage import codec
from taskerino_storage.storage.chunked import ChunkedSessionStorage
from taskerino_storage.storage.memory import MemoryBackend
from taskerino_storage.storage.port import IndexChange, StorageBackend

NOW = datetime(2025, 10, 24, 12, 34, 56, 789000, tzinfo=timezone.utc)
NOW_ISO = "2025-10-24T12:34:56.789Z"
ENCODINGS = ["gzip", "json"]
slow = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


class CountingBackend(StorageBackend):
    """A MemoryBackend that records each call, to check one read / one write per operation."""

    def __init__(self, encoding="gzip"):
        self.inner = MemoryBackend(encoding)
        self.calls = []

    async def get_many(self, keys):
        keys = list(keys)
        self.calls.append(("get_many", keys))
        return await self.inner.get_many(keys)

    async def write_batch(self, puts=None, deletes=(), *, index=None):
        self.calls.append(("write_batch", dict(puts or {}), list(deletes), index))
        await self.inner.write_batch(puts, deletes, index=index)

    async def append_to_array(self, key, element, puts=None, deletes=(), *, index=None):
        self.calls.append(("append_to_array", key, dict(puts or {}), list(deletes), index))
        return await self.inner.append_to_array(key, element, puts, deletes, index=index)

    async def keys(self, prefix=""):
        self.calls.append(("keys", prefix))
        return await self.inner.keys(prefix)

    async def estimate(self):
        return await self.inner.estimate()

    async def open_array(self, key):
        self.calls.append(("open_array", key))
        return await self.inner.open_array(key)

    async def _acquire_lock(self, name, wait):
        return await self.inner._acquire_lock(name, wait)


def storage(encoding="gzip", **sizes):
    return ChunkedSessionStorage(MemoryBackend(encoding), now=lambda: NOW, **sizes)


async def stored(store):
    return {k: (await store.backend.get_many([k]))[k] for k in await store.backend.keys()}


# --- Taskerino's own loader, transcribed from ChunkedSessionStorage.loadFullSession ---------

TASKERINO_METADATA_FIELDS = [  # metadataToSession copies exactly these
    "id", "name", "description", "status", "startTime", "endTime", "lastScreenshotTime", "pausedAt",
    "totalPausedTime", "screenshotInterval", "autoAnalysis", "enableScreenshots", "audioMode",
    "audioRecording", "videoRecording", "trackingNoteId", "extractedTaskIds", "extractedNoteIds",
    "relationships", "relationshipVersion", "tags", "category", "subCategory", "activityType",
    "totalDuration", "audioReviewCompleted", "fullAudioAttachmentId", "transcriptUpgradeCompleted",
    "enrichmentStatus", "enrichmentConfig", "enrichmentLock", "audioConfig", "videoConfig", "version",
]


def js_truthy(value):
    return value not in (None, False, "", 0) and value == value


async def taskerino_load_full_session(backend, sid):
    async def load(key):  # as the app adapter's load: the value, or null when missing
        return await backend.get(key)

    metadata = await load(f"sessions/{sid}/metadata")
    if not metadata:
        return None
    parts = {"summary": await load(f"sessions/{sid}/summary"),
             "audioInsights": await load(f"sessions/{sid}/audio-insights"),
             "canvasSpec": await load(f"sessions/{sid}/canvas-spec"),
             "fullTranscription": await load(f"sessions/{sid}/transcription"),
             "contextItems": await load(f"sessions/{sid}/context-items") or []}

    async def load_all(folder, field, manifest):
        items = []
        for i in range(metadata["chunks"][manifest]["chunkCount"]):
            chunk = await load(f"sessions/{sid}/{folder}/chunk-{i:03d}")
            items.extend(chunk[field] if chunk else [])
        return items

    screenshots = await load_all("screenshots", "screenshots", "screenshots")
    segments = await load_all("audio-segments", "segments", "audioSegments")
    video_chunks = await load_all("video-chunks", "chunks", "videoChunks")
    session = {k: metadata[k] for k in TASKERINO_METADATA_FIELDS if k in metadata}
    session.update({k: v for k, v in parts.items() if js_truthy(v)})  # `x || undefined`
    session["screenshots"] = screenshots
    if segments:
        session["audioSegments"] = segments
    if metadata.get("video") and video_chunks:
        session["video"] = {**metadata["video"], "chunks": video_chunks}
    return session


def taskerino_view(session):
    """What Taskerino's loader gives for `session` stored by us: its normalisations, our fields."""
    view = {k: session[k] for k in TASKERINO_METADATA_FIELDS if k in session}
    for part in ("summary", "audioInsights", "canvasSpec", "fullTranscription"):
        if js_truthy(session.get(part)):
            view[part] = session[part]
    view["contextItems"] = session.get("contextItems") or []
    view["screenshots"] = session.get("screenshots", [])
    if session.get("audioSegments"):
        view["audioSegments"] = session["audioSegments"]
    video = session.get("video")
    if video and video.get("chunks"):
        view["video"] = video
    return view


# --- round trips --------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("session", representative_sessions(), ids=lambda s: s["id"])
async def test_representative_sessions_round_trip_exactly(session, encoding):
    store = storage(encoding)
    original = copy.deepcopy(session)
    await store.save_full_session(session)
    assert session == original  # saving never touches its input
    assert json_diff(original, await store.load_full_session(session["id"])) == []


@pytest.mark.parametrize("encoding", ENCODINGS)
@slow
@given(session=sessions(), sizes=st.sampled_from([{}, {"screenshots_per_chunk": 2,
                                                    "audio_segments_per_chunk": 3,
                                                    "video_chunks_per_chunk": 1}]))
async def test_any_session_round_trips_exactly(encoding, session, sizes):
    store = storage(encoding, **sizes)
    plan = await store.save_full_session(session)
    assert json_diff(session, await store.load_full_session(session["id"])) == []
    keys = await store.backend.keys()
    assert set(keys) == set(plan.puts) | {layout.SESSION_INDEX_KEY} and plan.deletes == []
    assert await store.backend.get(layout.SESSION_INDEX_KEY) == [session["id"]]
    assert all(layout.parse_chunked_key(k) for k in keys if k != layout.SESSION_INDEX_KEY)


@slow
@given(first=sessions(), second=sessions())
async def test_saving_over_a_session_leaves_only_the_new_records(first, second):
    store = storage(screenshots_per_chunk=2, audio_segments_per_chunk=2, video_chunks_per_chunk=2)
    second = {**second, "id": first["id"]}
    await store.save_full_session(first)
    plan = await store.save_full_session(second)
    assert set(await store.backend.keys()) == set(plan.puts) | {layout.SESSION_INDEX_KEY}
    assert json_diff(second, await store.load_full_session(first["id"])) == []
    assert await store.backend.get(layout.SESSION_INDEX_KEY) == [first["id"]]


@slow
@given(session=sessions(well_typed=True))
async def test_taskerino_loader_reads_our_records(session):
    store = storage()
    await store.save_full_session(session)
    assert json_diff(taskerino_view(session),
                     await taskerino_load_full_session(store.backend, session["id"])) == []


@pytest.mark.parametrize("session", [s for s in representative_sessions() if s["id"] != "legacy"],
                         ids=lambda s: s["id"])
async def test_taskerino_loader_reads_our_records_of_representative_sessions(session):
    store = storage()
    await store.save_full_session(session)
    loaded = await taskerino_load_full_session(store.backend, session["id"])
    assert json_diff(taskerino_view(session), loaded) == []
    if session["id"] == "full":  # what Taskerino's own save would have lost, its loader now sees
        assert loaded["video"]["chapters"] and loaded["video"]["path"] and loaded["video"]["hash"]


# --- the layout, key for key --------------------------------------------------------------

@pytest.mark.parametrize("count, chunks", [(0, []), (1, [1]), (20, [20]), (21, [20, 1]),
                                           (100, [20] * 5), (101, [20] * 5 + [1])])
async def test_screenshot_chunks(count, chunks):
    store = storage()
    session = _base("s", "n", screenshots=[_screenshot("s", i) for i in range(count)])
    plan = await store.save_full_session(session)
    records = await stored(store)
    keys = [k for k in records if "/screenshots/" in k]
    assert keys == [f"sessions/s/screenshots/chunk-{i:03d}" for i in range(len(chunks))]
    for i, size in enumerate(chunks):
        assert records[keys[i]] == {"sessionId": "s", "chunkIndex": i,
                                    "screenshots": session["screenshots"][i * 20:i * 20 + size]}
    assert records["sessions/s/metadata"]["chunks"]["screenshots"] == {
        "count": count, "chunkCount": len(chunks), "chunkSize": 20}
    assert plan.chunk_counts == {"screenshots": len(chunks), "audioSegments": 0, "videoChunks": 0}


@pytest.mark.parametrize("count, chunks", [(0, []), (1, [1]), (20, [20]), (21, [21]), (100, [100]),
                                           (101, [100, 1])])
async def test_audio_segment_and_video_chunk_chunks(count, chunks):
    store = storage()
    video = _video("s", count)
    session = _base("s", "n", audioSegments=[_segment("s", i) for i in range(count)], video=video)
    await store.save_full_session(session)
    records = await stored(store)
    for folder, field, manifest, items in [("audio-segments", "segments", "audioSegments",
                                            session["audioSegments"]),
                                           ("video-chunks", "chunks", "videoChunks", video["chunks"])]:
        keys = [k for k in records if f"/{folder}/" in k]
        assert keys == [f"sessions/s/{folder}/chunk-{i:03d}" for i in range(len(chunks))]
        for i, size in enumerate(chunks):
            assert records[keys[i]] == {"sessionId": "s", "chunkIndex": i,
                                        field: items[i * 100:i * 100 + size]}
        assert records["sessions/s/metadata"]["chunks"][manifest] == {
            "count": count, "chunkCount": len(chunks), "chunkSize": 100}


async def test_a_full_session_is_laid_out_as_taskerino_lays_it_out():
    store = storage()
    session = typical_full_session()
    plan = await store.save_full_session(session)
    records = await stored(store)
    assert sorted(records) == [
        "session-index", "sessions/full/audio-insights", "sessions/full/audio-segments/chunk-000",
        "sessions/full/canvas-spec", "sessions/full/context-items", "sessions/full/metadata",
        "sessions/full/screenshots/chunk-000", "sessions/full/summary", "sessions/full/transcription",
        "sessions/full/video-chunks/chunk-000"]
    assert records["session-index"] == ["full"]
    assert records["sessions/full/summary"] == session["summary"]
    assert records["sessions/full/audio-insights"] == session["audioInsights"]
    assert records["sessions/full/canvas-spec"] == session["canvasSpec"]
    assert records["sessions/full/transcription"] == session["fullTranscription"]
    assert records["sessions/full/context-items"] == session["contextItems"]
    metadata = records["sessions/full/metadata"]
    split_out = {"screenshots", "audioSegments", "contextItems", "summary", "audioInsights",
                 "canvasSpec", "fullTranscription", "video"}
    assert {k: v for k, v in metadata.items() if k in session and k not in split_out} == \
        {k: v for k, v in session.items() if k not in split_out}  # every other field, kept
    assert metadata["video"] == {k: v for k, v in session["video"].items() if k != "chunks"}
    assert {k: metadata[k] for k in ("hasSummary", "hasAudioInsights", "hasCanvasSpec",
                                     "hasTranscription", "hasVideo", "hasFullAudio")} == dict.fromkeys(
        ("hasSummary", "hasAudioInsights", "hasCanvasSpec", "hasTranscription", "hasVideo",
         "hasFullAudio"), True)
    assert metadata["storageVersion"] == 1
    assert metadata["createdAt"] == START and metadata["updatedAt"] == NOW_ISO
    assert "legacyLayout" not in metadata
    assert plan.metadata == metadata
    assert plan.bytes_written == sum(len(codec.dumps(v)) for v in plan.puts.values())


async def test_legacy_layout_records_what_taskerino_cannot_say():
    store = storage()
    session = {"id": "odd", "startTime": START, "summary": None, "contextItems": "none",
               "audioSegments": {"not": "a list"}, "video": {"id": "v", "chunks": "pending"},
               "chunks": 3, "createdAt": "mine", "hasVideo": "maybe", "legacyLayout": [1]}
    await store.save_full_session(session)
    metadata = await store.load_metadata("odd")
    assert metadata["legacyLayout"] == {
        "absent": ["screenshots"],
        "inline": {"chunks": 3, "createdAt": "mine", "hasVideo": "maybe", "legacyLayout": [1],
                   "audioSegments": {"not": "a list"}, "video": {"id": "v", "chunks": "pending"},
                   "summary": None, "contextItems": "none"}}
    assert metadata["video"] == {"id": "v"} and metadata["createdAt"] == START
    assert metadata["hasSummary"] is False and metadata["hasVideo"] is True
    assert await store.load_full_session("odd") == session
    plain = {"id": "p", "screenshots": [], "video": {"id": "v"}}
    await store.save_full_session(plain)
    assert (await store.load_metadata("p"))["legacyLayout"] == {"absent": ["audioSegments", "video.chunks"]}


async def test_sessions_with_their_own_created_at_and_chunks_fields_round_trip():
    store = storage()
    session = {**many_screenshots(), "createdAt": "2019-01-01T00:00:00.000Z", "updatedAt": 5,
               "chunks": {"screenshots": {"count": 999}}, "storageVersion": 7}
    await store.save_full_session(session)
    metadata = await store.load_metadata(session["id"])
    assert metadata["storageVersion"] == 1 and metadata["chunks"]["screenshots"]["count"] == 21
    assert await store.is_chunked(session["id"])
    assert json_diff(session, await store.load_full_session(session["id"])) == []


# --- one read, one write -----------------------------------------------------------------

async def test_save_is_one_batch_with_its_index_change_and_load_is_one_or_two_reads():
    backend = CountingBackend()
    store = ChunkedSessionStorage(backend, now=lambda: NOW)
    session = typical_full_session()
    plan = await store.plan_save(session)
    assert [c[0] for c in backend.calls] == ["keys"]  # the existing keys; the index is the write's
    assert await backend.keys() == []  # planning writes nothing
    backend.calls.clear()
    await store.save_full_session(session)
    writes = [c for c in backend.calls if c[0] == "write_batch"]
    assert len(writes) == 1 and writes[0][1] == plan.puts
    assert writes[0][3] == IndexChange("add", "full") and layout.SESSION_INDEX_KEY not in plan.puts
    assert list(plan.puts)[-1] == "sessions/full/metadata"
    backend.calls.clear()
    assert json_diff(session, await store.load_full_session("full")) == []
    assert [c[0] for c in backend.calls] == ["get_many", "get_many"]
    assert backend.calls[0][1] == ["sessions/full/metadata"]
    assert len(backend.calls[1][1]) == 8  # 5 parts + 3 chunks
    backend.calls.clear()  # knowing the keys just written: one read, the same session
    assert json_diff(session, await store.load_full_session("full", expected=list(plan.puts))) == []
    assert [c[0] for c in backend.calls] == ["get_many"]
    backend.calls.clear()  # an expected key the metadata doesn't name is not part of the session
    extra = [*plan.puts, "sessions/full/screenshots/chunk-009"]
    assert json_diff(session, await store.load_full_session("full", expected=extra)) == []


# --- shrinking, deleting, the index -------------------------------------------------------

async def test_shrinking_a_session_deletes_its_stale_records():
    store = storage()
    big = _base("s", "n", screenshots=[_screenshot("s", i) for i in range(45)],
                audioSegments=[_segment("s", i) for i in range(101)], summary={"narrative": "x"},
                fullTranscription="words", video=_video("s", 3))
    await store.save_full_session(big)
    await store.backend.write_batch({"sessions/s/screenshots/chunk-000.compressed": "GZ"})
    small = _base("s", "n", screenshots=[_screenshot("s", 0)], summary=None)
    plan = await store.plan_save(small)
    assert sorted(plan.deletes) == [
        "sessions/s/audio-segments/chunk-000", "sessions/s/audio-segments/chunk-001",
        "sessions/s/screenshots/chunk-000.compressed", "sessions/s/screenshots/chunk-001",
        "sessions/s/screenshots/chunk-002", "sessions/s/summary", "sessions/s/transcription",
        "sessions/s/video-chunks/chunk-000"]
    await store.save_full_session(small)
    assert await store.backend.keys() == ["session-index", "sessions/s/metadata",
                                          "sessions/s/screenshots/chunk-000"]
    assert await store.load_full_session("s") == small


async def test_delete_session_removes_its_records_and_index_entry_only():
    store = storage()
    for sid in ("a", "ab", "b"):
        await store.save_full_session(_base(sid, sid, screenshots=[_screenshot(sid, 0)],
                                            summary={"narrative": sid}))
    await store.backend.write_batch({layout.legacy_session_key("a"): {"id": "a"},
                                     layout.backup_key("a", NOW): {"session": {"id": "a"}}})
    await store.delete_session("a")
    keys = await store.backend.keys()
    assert not any(k.startswith("sessions/a/") for k in keys)
    assert {"sessions/a", "sessions/a.backup-2025-10-24T12-34-56-789Z", "sessions/ab/metadata",
            "sessions/b/summary"} <= set(keys)
    assert await store.backend.get("session-index") == ["ab", "b"]
    assert await store.load_full_session("a") is None
    await store.delete_session("a")  # again: nothing to do, no error
    await store.delete_session("never")


async def test_the_index_keeps_its_order_and_never_repeats():
    store = storage()
    await store.backend.write_batch({"session-index": ["x", "y"]})
    for sid in ("b", "a", "b", "x"):
        await store.save_full_session({"id": sid, "screenshots": []})
    assert await store.backend.get("session-index") == ["x", "y", "b", "a"]


async def test_a_broken_index_stops_the_save():
    store = storage()
    await store.backend.write_batch({"session-index": {"not": "an array"}})
    with pytest.raises(SessionLayoutError, match="session-index"):
        await store.save_full_session({"id": "a"})
    assert await store.backend.keys() == ["session-index"]


async def test_list_all_metadata_follows_the_index():
    store = storage()
    for sid in ("c", "a", "b"):
        await store.save_full_session({"id": sid, "name": sid.upper(), "screenshots": []})
    await store.backend.write_batch({"session-index": ["c", "gone", "a", "b", "a/b", 7]})
    assert [m["name"] for m in await store.list_all_metadata()] == ["C", "A", "B"]
    assert await storage().list_all_metadata() == []


async def test_is_chunked():
    store = storage()
    assert not await store.is_chunked("s")
    await store.save_full_session({"id": "s"})
    assert await store.is_chunked("s")
    for version, chunked in [(2, False), (True, False), ("1", False), (1.0, True), (None, False)]:
        await store.backend.write_batch({"sessions/v/metadata": {"id": "v", "storageVersion": version}})
        assert await store.is_chunked("v") is chunked, version
    await store.backend.write_batch({"sessions/w/metadata": ["not", "an", "object"]})
    assert not await store.is_chunked("w")
    assert not await store.is_chunked("a/b")


# --- appends ------------------------------------------------------------------------------

async def test_append_screenshot_fills_the_last_chunk_then_starts_a_new_one():
    store = storage()
    session = _base("s", "n", screenshots=[_screenshot("s", i) for i in range(19)])
    await store.save_full_session(session)
    later = datetime(2025, 10, 25, tzinfo=timezone.utc)
    store.now = lambda: later
    for i in (19, 20):
        await store.append_screenshot("s", _screenshot("s", i))
        session["screenshots"].append(_screenshot("s", i))
    records = await stored(store)
    assert len(records["sessions/s/screenshots/chunk-000"]["screenshots"]) == 20
    assert records["sessions/s/screenshots/chunk-001"] == {
        "sessionId": "s", "chunkIndex": 1, "screenshots": [_screenshot("s", 20)]}
    metadata = records["sessions/s/metadata"]
    assert metadata["chunks"]["screenshots"] == {"count": 21, "chunkCount": 2, "chunkSize": 20}
    assert metadata["updatedAt"] == "2025-10-25T00:00:00.000Z"
    assert await store.load_full_session("s") == session


async def test_append_is_one_batch():
    backend = CountingBackend()
    store = ChunkedSessionStorage(backend, now=lambda: NOW)
    await store.save_full_session(_base("s", "n", audioSegments=[_segment("s", i) for i in range(100)]))
    backend.calls.clear()
    await store.append_audio_segment("s", _segment("s", 100))
    [write] = [c for c in backend.calls if c[0] == "write_batch"]
    assert sorted(write[1]) == ["sessions/s/audio-segments/chunk-001", "sessions/s/metadata"]
    assert write[1]["sessions/s/metadata"]["chunks"]["audioSegments"] == {
        "count": 101, "chunkCount": 2, "chunkSize": 100}


async def test_appending_keeps_the_chunk_size_the_session_was_stored_with():
    small = storage(audio_segments_per_chunk=3)
    await small.save_full_session(_base("s", "n", audioSegments=[_segment("s", i) for i in range(3)]))
    store = ChunkedSessionStorage(small.backend, now=lambda: NOW)  # default 100 per chunk
    await store.append_audio_segment("s", _segment("s", 3))
    assert await store.backend.get("sessions/s/audio-segments/chunk-001") == {
        "sessionId": "s", "chunkIndex": 1, "segments": [_segment("s", 3)]}
    loaded = await store.load_full_session("s")
    assert loaded["audioSegments"] == [_segment("s", i) for i in range(4)]


async def test_appending_to_an_absent_or_null_list_makes_it_a_list():
    store = storage()
    await store.save_full_session({"id": "a", "audioSegments": None})
    await store.append_screenshot("a", {"id": "x"})
    await store.append_audio_segment("a", {"id": "y"})
    assert await store.load_full_session("a") == {"id": "a", "screenshots": [{"id": "x"}],
                                                  "audioSegments": [{"id": "y"}]}
    assert "legacyLayout" not in await store.load_metadata("a")


async def test_appending_to_a_missing_session_fails():
    with pytest.raises(SessionNotFoundError, match="'nope'"):
        await storage().append_screenshot("nope", {"id": "x"})


# --- refusals and damage ------------------------------------------------------------------

@pytest.mark.parametrize("session, problem", [
    ([], "JSON object"), ({"name": "x"}, "must have an id"), ({"id": 1}, "must be a string"),
    ({"id": ""}, "empty"), ({"id": "a/b"}, "contains '/'"),
])
async def test_what_cannot_be_a_stored_session_is_refused_before_any_write(session, problem):
    store = storage()
    with pytest.raises(InvalidSessionError, match=problem):
        await store.save_full_session(session)
    assert await store.backend.keys() == []


async def test_ids_that_would_reach_into_another_session_are_refused_everywhere():
    store = storage()
    await store.save_full_session({"id": "a", "screenshots": [{"id": 1}]})
    for call in (store.delete_session("a/screenshots"), store.load_full_session("a/x"),
                 store.append_screenshot("a/screenshots", {})):
        with pytest.raises(InvalidSessionError):
            await call
    assert len(await store.backend.keys()) == 3


async def test_records_written_by_taskerino_itself_load():
    """Taskerino's metadata: its explicit field list, no legacyLayout, chunks written separately."""
    store = storage()
    sid = "t"
    shots = [_screenshot(sid, i) for i in range(21)]
    metadata = {"id": sid, "name": "n", "startTime": START, "tags": [], "storageVersion": 1,
                "createdAt": START, "updatedAt": NOW_ISO,
                "chunks": {"screenshots": {"count": 21, "chunkCount": 2, "chunkSize": 20},
                           "audioSegments": {"count": 0, "chunkCount": 0, "chunkSize": 100},
                           "videoChunks": {"count": 0, "chunkCount": 0, "chunkSize": 100}},
                "hasSummary": False, "hasAudioInsights": False, "hasCanvasSpec": False,
                "hasTranscription": True, "hasVideo": False, "hasFullAudio": False}
    await store.backend.write_batch({
        f"sessions/{sid}/metadata": metadata,
        f"sessions/{sid}/screenshots/chunk-000": {"sessionId": sid, "chunkIndex": 0, "screenshots": shots[:20]},
        f"sessions/{sid}/screenshots/chunk-001": {"sessionId": sid, "chunkIndex": 1, "screenshots": shots[20:]},
        f"sessions/{sid}/transcription": "hello",
        f"sessions/{sid}/summary": {"narrative": "stale: hasSummary is false"},
        f"sessions/{sid}/context-items": []})
    assert await store.load_full_session(sid) == {
        "id": sid, "name": "n", "startTime": START, "tags": [], "screenshots": shots,
        "audioSegments": [], "fullTranscription": "hello", "contextItems": []}
    await store.backend.write_batch(deletes=[f"sessions/{sid}/screenshots/chunk-001",
                                             f"sessions/{sid}/transcription"])
    with pytest.raises(SessionLayoutError) as damaged:
        await store.load_full_session(sid)
    assert damaged.value.problems == [
        "sessions/t/transcription is missing (metadata.hasTranscription is true)",
        "sessions/t/screenshots/chunk-001 is missing"]


def test_keys_parse_back():
    assert layout.parse_chunked_key("sessions/a/screenshots/chunk-012") == layout.ChunkedKey("a", "screenshots", 12)
    assert layout.parse_chunked_key("sessions/a/metadata") == layout.ChunkedKey("a", "metadata")
    assert layout.parse_chunked_key("sessions/a/video-chunks/chunk-1000").chunk_index == 1000
    for other in ("sessions", "sessions/a", "session-index", "sessions/a.backup-2025-10-24T12-34-56-789Z",
                  "sessions//metadata", "sessions/a/"):
        assert layout.parse_chunked_key(other) is None, other
    assert layout.backup_key("a.b", NOW) == "sessions/a.b.backup-2025-10-24T12-34-56-789Z"
    assert layout.parse_backup_key("sessions/a.b.backup-2025-10-24T12-34-56-789Z") == \
        layout.BackupKey("a.b", "2025-10-24T12-34-56-789Z")
    assert layout.parse_backup_key("sessions/session-id.backup-2024-10-24").session_id == "session-id"
    assert layout.parse_backup_key("sessions/a/metadata") is None
    assert layout.parse_legacy_session_key("sessions/a") == "a"
    for other in ("sessions", "sessions/a/metadata", "sessions/a.backup-2024-10-24", "session-index"):
        assert layout.parse_legacy_session_key(other) is None, other
    assert layout.screenshots_chunk_key("a", 0) == "sessions/a/screenshots/chunk-000"
    assert layout.js_iso(datetime(2025, 1, 2, 3, 4, 5)) == "2025-01-02T03:04:05.000Z"
