"""The deterministic generator of Taskerino-realistic legacy sessions (taskerino_storage.demo.samples)."""
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
from taskerino_storage.demo.samples import (BROKEN_KINDS, broken_positions, generate_session,
                                               generate_sessions, iter_sessions)

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")

SESSION_REQUIRED = {
    "id": str, "name": str, "description": str, "status": str, "startTime": str,
    "screenshotInterval": (int, float), "autoAnalysis": bool, "enableScreenshots": bool,
    "audioRecording": bool, "audioMode": str, "screenshots": list, "extractedTaskIds": list,
    "extractedNoteIds": list, "audioReviewCompleted": bool, "tags": list,
}
SCREENSHOT_REQUIRED = ("id", "sessionId", "timestamp", "attachmentId", "hash", "analysisStatus",
                       "aiAnalysis")
AI_REQUIRED = ("summary", "detectedActivity", "extractedText", "keyElements", "suggestedActions",
               "confidence", "curiosity", "progressIndicators")
SEGMENT_REQUIRED = ("id", "sessionId", "timestamp", "duration", "transcription", "attachmentId",
                    "transcriptionQuality", "keyPhrases", "sentiment", "containsTask",
                    "containsBlocker")
VIDEO_REQUIRED = ("id", "sessionId", "fullVideoAttachmentId", "path", "optimizedPath", "hash",
                  "duration", "chunkingStatus", "chunks", "chapters")
VIDEO_CHUNK_REQUIRED = ("id", "videoId", "sessionId", "attachmentId", "startTime", "endTime",
                        "topic", "description", "transcriptExcerpt", "relatedScreenshotIds",
                        "relatedAudioSegmentIds", "analyzed")
SUMMARY_REQUIRED = ("narrative", "achievements", "blockers", "recommendedTasks", "keyInsights",
                    "focusAreas", "lastUpdated", "screenshotCount")
INSIGHTS_REQUIRED = ("narrative", "emotionalJourney", "keyMoments", "workPatterns",
                     "environmentalContext", "processedAt", "modelUsed", "processingDuration")


def _digest(obj):
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()


# --- determinism ------------------------------------------------------------------------

@pytest.mark.parametrize("size", ["realistic", "small"])
def test_same_index_and_seed_give_identical_sessions(size):
    for index, seed in [(0, 0), (7, 0), (3, 42), (123, 9)]:
        a = generate_session(index, seed, size=size)
        generate_session(index + 1, seed, size=size)  # unrelated calls in between
        b = generate_session(index, seed, size=size)
        assert a == b
        assert json.dumps(a) == json.dumps(b)  # key order too


def test_independent_of_n_and_of_other_calls():
    few = generate_sessions(4, seed=5, size="small")
    many = generate_sessions(12, seed=5, size="small")
    assert few == many[:4]
    assert many[9] == generate_session(9, 5, size="small")


def test_iter_sessions_in_slices_gives_what_one_call_gives():
    """fillDemo appends 25 at a time: the ids and the broken ones are those of one call."""
    from itertools import islice

    whole = generate_sessions(30, seed=2025, broken=3, size="small")
    lazy = iter_sessions(30, seed=2025, broken=3, size="small")
    slices = []
    while batch := list(islice(lazy, 7)):
        slices.append(batch)
    assert [len(b) for b in slices] == [7, 7, 7, 7, 2]
    assert [s for b in slices for s in b] == whole
    with pytest.raises(ValueError):
        iter_sessions(3, broken=4)  # checked at the call, as generate_sessions does


def test_seed_changes_the_data():
    assert generate_session(1, 0) != generate_session(1, 1)
    assert generate_session(1, 0) != generate_session(2, 0)


def test_deterministic_across_processes():
    # String seeding must not depend on PYTHONHASHSEED or anything else per process.
    code = (
        "import hashlib, json\n"
        "from taskerino_storage.demo.samples import generate_sessions\n"
        "s = generate_sessions(6, seed=3, broken=2, size='small')\n"
        "print(hashlib.sha256(json.dumps(s, sort_keys=True).encode()).hexdigest())\n"
    )
    pysrc = str(Path(__file__).resolve().parents[2] / "pysrc")
    digests = set()
    for hashseed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        env["PYTHONPATH"] = pysrc + os.pathsep + env.get("PYTHONPATH", "")
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True)
        digests.add(out.stdout.strip())
    digests.add(_digest(generate_sessions(6, seed=3, broken=2, size="small")))
    assert len(digests) == 1


# --- ids --------------------------------------------------------------------------------

def test_ids_are_distinct_and_well_formed():
    ids = []
    for seed in (0, 1):
        for i, s in enumerate(generate_sessions(150, seed=seed, size="small")):
            assert re.fullmatch(r"session-%d-%d-[0-9a-f]{8}" % (seed, i), s["id"])
            ids.append(s["id"])
    assert len(set(ids)) == len(ids)


def test_inner_ids_are_distinct_and_point_to_the_session():
    for i in range(8):
        s = generate_session(i, 11)
        sid = s["id"]
        inner = [x["id"] for x in s["screenshots"]] + [x["id"] for x in s.get("audioSegments") or []]
        inner += [x["id"] for x in s["contextItems"]]
        if "video" in s:
            inner += [c["id"] for c in s["video"]["chunks"]]
        assert len(set(inner)) == len(inner)
        for part in (s["screenshots"], s.get("audioSegments") or [], s["contextItems"]):
            assert all(x["sessionId"] == sid for x in part)


# --- shape ------------------------------------------------------------------------------

def _check_session_shape(s):
    for key, typ in SESSION_REQUIRED.items():
        assert key in s, key
        assert isinstance(s[key], typ), key
    assert s["status"] in ("active", "paused", "completed", "interrupted")
    assert s["audioMode"] in ("off", "transcription", "description")
    assert ISO.match(s["startTime"])
    if "endTime" in s:
        assert ISO.match(s["endTime"]) and s["endTime"] >= s["startTime"]
    assert all(isinstance(t, str) for t in s["tags"])
    for shot in s["screenshots"]:
        for key in SCREENSHOT_REQUIRED:
            assert key in shot, key
        assert ISO.match(shot["timestamp"])
        assert shot["analysisStatus"] == "complete"
        ai = shot["aiAnalysis"]
        for key in AI_REQUIRED:
            assert key in ai, key
        assert isinstance(ai["confidence"], float) and 0 <= ai["confidence"] <= 1
        assert isinstance(ai["keyElements"], list)
        assert set(ai["progressIndicators"]) == {"achievements", "blockers", "insights"}
    for seg in s.get("audioSegments") or []:
        for key in SEGMENT_REQUIRED:
            assert key in seg, key
        assert ISO.match(seg["timestamp"])
        assert isinstance(seg["duration"], (int, float)) and seg["duration"] > 0
        assert seg["transcriptionQuality"] in ("draft", "final")
    if "video" in s:
        v = s["video"]
        for key in VIDEO_REQUIRED:
            assert key in v, key
        assert v["chunkingStatus"] == "complete"
        for c in v["chunks"]:
            for key in VIDEO_CHUNK_REQUIRED:
                assert key in c, key
            assert c["videoId"] == v["id"]
            assert c["startTime"] <= c["endTime"]
    if "summary" in s:
        for key in SUMMARY_REQUIRED:
            assert key in s["summary"], key
        assert s["summary"]["screenshotCount"] == len(s["screenshots"])
        assert sum(a["percentage"] for a in s["summary"]["focusAreas"]) == 100
    if "audioInsights" in s:
        for key in INSIGHTS_REQUIRED:
            assert key in s["audioInsights"], key
    for item in s["contextItems"]:
        assert item["type"] in ("note", "task", "marker")
    assert len(s.get("fullTranscription", "")) <= 60_000
    # Plain JSON: survives a round trip unchanged (no tuples, sets, datetimes).
    assert json.loads(json.dumps(s)) == s


@pytest.mark.parametrize("size", ["realistic", "small"])
def test_non_broken_sessions_have_the_session_shape(size):
    for s in generate_sessions(40, seed=2, size=size):
        _check_session_shape(s)


def test_sessions_vary_like_real_data():
    sessions = generate_sessions(120, seed=0, size="small")
    names = {s["name"] for s in sessions}
    assert len(names) >= 80
    assert any("video" in s for s in sessions)
    assert any("video" not in s for s in sessions)
    assert any(not s["audioRecording"] for s in sessions)
    assert any(s.get("audioSegments") for s in sessions)
    assert any("companyIds" in s for s in sessions)
    assert any("contactIds" in s for s in sessions)
    assert any("audioKeyMoments" in s for s in sessions)
    assert any("enrichmentStatus" in s for s in sessions)
    assert any("canvasSpec" in s for s in sessions)
    assert len({s["status"] for s in sessions}) >= 3
    # Fields newer Taskerino branches add, unknown to the type.
    assert any("suggestedTasks" in (s.get("summary") or {}) for s in sessions)
    assert any("detectedEntities" in shot["aiAnalysis"]
               for s in sessions for shot in s["screenshots"])


def test_realistic_sessions_span_several_chunks():
    sessions = generate_sessions(50, seed=0)
    shots = [len(s["screenshots"]) for s in sessions]
    segs = [len(s.get("audioSegments") or []) for s in sessions]
    assert min(shots) >= 20 and max(shots) <= 200
    assert max(shots) > 100          # > 5 screenshot chunks of 20
    assert max(segs) > 300 and max(segs) <= 600   # > 3 audio chunks of 100
    assert any(len(s["video"]["chunks"]) > 100 for s in generate_sessions(200) if "video" in s)
    assert max(len(s.get("fullTranscription", "")) for s in sessions) > 30_000


# --- size -------------------------------------------------------------------------------

def test_realistic_size_band():
    sizes = [len(json.dumps(s)) for s in generate_sessions(50, seed=0)]
    avg_kb = statistics.mean(sizes) / 1024
    assert 150 <= avg_kb <= 250, avg_kb
    # Long tail: most medium, a few large.
    assert statistics.median(sizes) < statistics.mean(sizes) * 1.05
    assert max(sizes) > 2 * statistics.median(sizes)


def test_small_size_band():
    sizes = [len(json.dumps(s)) / 1024 for s in generate_sessions(100, seed=0, size="small")]
    assert 5 <= statistics.mean(sizes) <= 20
    assert min(sizes) >= 3 and max(sizes) <= 30


# --- broken legacy sessions -------------------------------------------------------------

def _kinds(broken, original):
    found = set()
    if "tags" not in broken:
        found.add("missing-tags")
    if isinstance(broken.get("screenshotInterval"), str):
        found.add("string-for-number")
    if "screenshots" not in broken:
        found.add("missing-screenshots")
    if broken.get("endTime", "") is None and broken.get("summary", "") is None:
        found.add("explicit-nulls")
    if set(broken) - set(original) - {"endTime", "summary", "category", "audioSegments"}:
        found.add("unknown-top-level-field")
    return found


def test_broken_sessions_are_spread_and_still_sessions():
    n, k = 50, 10
    sessions = generate_sessions(n, seed=4, broken=k, size="small")
    positions = broken_positions(n, k)
    assert len(set(positions)) == k and positions == sorted(positions)
    assert positions[0] < n // k and positions[-1] >= n - n // k
    for i, s in enumerate(sessions):
        assert isinstance(s, dict) and isinstance(s["id"], str)
        original = generate_session(i, 4, size="small")
        if i in positions:
            assert s != original
            assert s["id"] == original["id"]
            assert _kinds(s, original)
        else:
            assert s == original
        json.dumps(s)


def test_every_broken_kind_occurs():
    n = 60
    sessions = generate_sessions(n, seed=0, broken=n, size="small")
    found = set()
    for i, s in enumerate(sessions):
        found |= _kinds(s, generate_session(i, 0, size="small"))
    assert found == set(BROKEN_KINDS)


def test_broken_is_deterministic_and_independent_of_other_options():
    a = generate_sessions(20, seed=8, broken=5, size="small")
    b = generate_sessions(20, seed=8, broken=5, size="small")
    assert a == b


def test_bad_arguments():
    with pytest.raises(ValueError):
        generate_sessions(3, broken=4)
    with pytest.raises(ValueError):
        generate_sessions(3, broken=-1)
    with pytest.raises(ValueError):
        generate_session(0, size="huge")
    assert generate_sessions(0) == []
    assert broken_positions(5, 5) == [0, 1, 2, 3, 4]


# --- speed (reported, not asserted) -----------------------------------------------------
