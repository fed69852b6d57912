"""verify_data_integrity: every field compared type-strictly; the seed's error format."""
import pytest
from representative_sessions import typical_full_session
from taskerino_storage.errors import DataIntegrityError, MigrationError
from taskerino_storage.migration import verify_data_integrity
from taskerino_storage.migration.verify import label

from .helpers import deep


def session():
    return typical_full_session()


def failure(original, migrated) -> DataIntegrityError:
    with pytest.raises(DataIntegrityError) as caught:
        verify_data_integrity(original, migrated)
    return caught.value


def test_identical_sessions_pass_whatever_the_key_order():
    original = session()
    verify_data_integrity(original, dict(reversed(list(deep(original).items()))))


def test_core_metadata_mismatch_names_the_field():
    original = session()
    migrated = deep(original) | {"name": "Morning coding"}
    error = failure(original, migrated)
    assert str(error) == (
        "Data integrity verification failed:\n"
        "  - Name mismatch (name)\n"
        f'    Expected: "{original["name"]}", Actual: "Morning coding"')
    assert isinstance(error, MigrationError)


def test_array_count_mismatch_reads_like_the_seed():
    original = {"id": "s", "screenshots": [{"id": f"shot-{i}"} for i in range(120)]}
    migrated = {"id": "s", "screenshots": original["screenshots"][:119]}
    lines = str(failure(original, migrated)).splitlines()
    assert lines[:3] == ["Data integrity verification failed:",
                         "  - Screenshots count mismatch (screenshots.length)",
                         "    Expected: 120, Actual: 119"]
    assert lines[3] == "  - Screenshot 119 mismatch (screenshots[119])"


def test_content_mismatch_puts_long_values_on_two_lines_like_the_seed():
    original = {"id": "s", "audioSegments": [{"transcription": "x"} for _ in range(16)]}
    migrated = deep(original)
    original["audioSegments"][15]["transcription"] = "Started debugging the authentication flow"
    migrated["audioSegments"][15]["transcription"] = "Started debugging authentication flow"
    assert str(failure(original, migrated)) == (
        "Data integrity verification failed:\n"
        "  - Audio segment 15 transcription mismatch (audioSegments[15].transcription)\n"
        '    Expected: "Started debugging the authentication flow"\n'
        '    Actual: "Started debugging authentication flow"')


def test_types_are_strict_but_numbers_are_js_numbers():
    original = {"id": "s", "autoAnalysis": True, "screenshotInterval": 2, "totalDuration": 1.0}
    verify_data_integrity(original, original | {"totalDuration": 1})  # 1.0 and 1 are one JS number
    error = failure(original, original | {"autoAnalysis": 1, "screenshotInterval": "2"})
    assert [d.path for d in error.differences] == ["autoAnalysis", "screenshotInterval"]
    assert "Expected: true, Actual: 1" in str(error)
    assert 'Expected: 2, Actual: "2"' in str(error)


def test_a_missing_field_differs_from_null_and_an_extra_field_counts():
    original = {"id": "s", "endTime": None}
    error = failure(original, {"id": "s", "category": "work"})
    assert str(error).splitlines()[1:] == [
        "  - End time mismatch (endTime)", "    Expected: null, Actual: (missing)",
        "  - Category mismatch (category)", '    Expected: (missing), Actual: "work"']


def test_summary_and_audio_insights_are_compared_in_depth():
    original = session()
    migrated = deep(original)
    migrated["summary"]["narrative"] += "!"
    migrated["audioInsights"]["workPatterns"]["interruptions"] += 1
    error = failure(original, migrated)
    text = str(error)
    assert "  - Summary narrative mismatch (summary.narrative)" in text
    assert ("  - Audio insights work patterns interruptions mismatch "
            "(audioInsights.workPatterns.interruptions)") in text


def test_video_chunks_and_fields_the_app_would_drop_are_verified():
    original = session()
    migrated = deep(original)
    migrated["video"]["chunks"][0]["topic"] = "other"
    migrated["video"].pop("chapters", None)
    migrated.pop("audioKeyMoments", None)
    paths = [d.path for d in failure(original, migrated).differences]
    assert "video.chunks[0].topic" in paths
    assert any(p.startswith("video.chapters") or p == "audioKeyMoments" for p in paths)
    assert label("video.chunks[0].topic") == "Video chunk 0 topic"


def test_long_values_are_shortened_and_the_list_is_capped():
    original = {"id": "s", "tags": ["x" * 500] + [f"t{i}" for i in range(30)]}
    migrated = {"id": "s", "tags": ["y" * 500] + [f"u{i}" for i in range(30)]}
    error = failure(original, migrated)
    lines = str(error).splitlines()
    assert len(error.differences) == 31
    assert lines[-1] == "  … and 11 more"
    assert lines.count("  … and 11 more") == 1
    expected = next(line for line in lines if line.startswith("    Expected: \"xxx"))
    assert expected.endswith("…") and len(expected) < 100


def test_labels_fall_back_to_field_for_keys_no_label_can_say():
    assert label("screenshots", "length") == "Screenshots count"
    assert label("contextItems[2].content") == "Context item 2 content"
    assert label('["ü🎉"]') == "Field"
    assert label("") == "Session"
    original = {"id": "s", "a/b": 1}
    assert "  - Field mismatch ([\"a/b\"])" in str(failure(original, {"id": "s", "a/b": 2}))


def test_a_whole_session_of_another_type_fails_clearly():
    error = failure({"id": "s"}, None)
    assert str(error).splitlines()[1] == "  - Session mismatch ((session))"
