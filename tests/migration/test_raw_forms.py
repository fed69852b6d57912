"""Raw (structured-clone) legacy data in CPython: the engine's side of docs/design.md "Raw
legacy data". The memory backend holds codec.UNDEFINED where the browser holds `undefined`, and
a datetime where it holds a Date; tests/browser/test_legacy_forms.py runs the same in Chromium."""
from datetime import datetime, timezone

import pytest
from taskerino_storage.migration import MigrationOptions, commands
from taskerino_storage.session import layout
from taskerino_storage.session.compare import json_equal
from taskerino_storage.storage import codec
from taskerino_storage.storage.chunked import ChunkedSessionStorage
from taskerino_storage.storage.memory import MemoryBackend

from .helpers import deep, migrator, sessions, ticking_clock

S = sessions(4)
ODD_DATE = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def with_undefined(session: dict) -> dict:
    return {**deep(session), "endTime": codec.UNDEFINED, "description": codec.UNDEFINED,
            "video": {**deep(session.get("video", {})), "path": codec.UNDEFINED}}


def without_those(session: dict) -> dict:
    out = {k: v for k, v in deep(session).items() if k not in ("endTime", "description")}
    out["video"] = {k: v for k, v in deep(session.get("video", {})).items() if k != "path"}
    return out


def test_json_view_leaves_undefined_properties_out_and_names_them():
    value, absent = codec.json_view({"a": 1, "b": codec.UNDEFINED, "c": {"d": codec.UNDEFINED, "e": [1, {"f": codec.UNDEFINED}]}})
    assert value == {"a": 1, "c": {"e": [1, {}]}}
    assert absent == ["b", "c.d", "c.e[1].f"]


@pytest.mark.parametrize("value, message", [
    ({"tags": ["a", codec.UNDEFINED]}, "tags[1] is undefined"),
    ({"when": ODD_DATE}, "when is datetime"),
    ({"n": float("nan")}, "n is NaN"),
    ({"n": [float("-inf")]}, "n[0] is -inf"),
    ({"s": {1, 2}}, "s is set"),
])
def test_json_view_refuses_what_the_app_cannot_mean_absent_by_path(value, message):
    with pytest.raises(codec.NotJson, match=message.replace("[", r"\[").replace("]", r"\]")):
        codec.json_view(value)


@pytest.mark.parametrize("how", ["batch", "single", "load"])
async def test_a_raw_record_with_undefined_fields_migrates_without_them(how):
    backend = MemoryBackend()
    key = layout.legacy_session_key(S[0]["id"])
    backend.put_raw(key, with_undefined(S[0]))
    m = migrator(backend)
    if how == "batch":
        result = (await commands.migrate_all_sessions(m)).results[0]
    elif how == "single":
        result = await commands.migrate_session_to_chunked(m, S[0]["id"])
    else:
        assert json_equal(await commands.load_session(m, S[0]["id"]), without_those(S[0]))
        result = None
    if result is not None:
        assert result.success and not result.error
        assert sorted(w for w in result.warnings if "undefined" in w) == [
            "description was undefined; stored as absent", "endTime was undefined; stored as absent",
            "video.path was undefined; stored as absent"]
    assert json_equal(await ChunkedSessionStorage(backend).load_full_session(S[0]["id"]), without_those(S[0]))
    (backup_key,) = await backend.keys(f"sessions/{S[0]['id']}.backup-")
    assert json_equal((await backend.get(backup_key))["session"], without_those(S[0]))
    assert key not in backend.records


async def test_a_raw_record_with_a_date_is_refused_by_path_and_left_as_it_is():
    backend = MemoryBackend()
    key = layout.legacy_session_key(S[0]["id"])
    stored = {**deep(S[0]), "startTime": ODD_DATE}
    backend.put_raw(key, stored)
    result = await commands.migrate_all_sessions(migrator(backend))
    assert result.migrated == 0 and "startTime is datetime" in result.errors[0].message
    assert backend.raw(key) is stored and set(backend.records) == {key}


async def test_a_raw_array_with_one_odd_element_migrates_the_others_and_keeps_it_untouched():
    backend = MemoryBackend()
    odd = {**deep(S[1]), "startTime": ODD_DATE}
    backend.put_raw("sessions", [deep(S[0]), odd, with_undefined(S[2]), deep(S[3])])
    result = await commands.migrate_all_sessions(migrator(backend, now=ticking_clock()))
    assert (result.migrated, result.error_count, result.legacy_copies_left) == (3, 1, [])
    assert "sessions[1]" in result.errors[0].message and "startTime is datetime" in result.errors[0].message
    array = backend.raw("sessions")
    assert isinstance(array, list) and len(array) == 1 and array[0] is odd  # written back raw
    storage = ChunkedSessionStorage(backend)
    for original in (S[0], without_those(S[2]), S[3]):
        assert json_equal(await storage.load_full_session(original["id"]), original)

    # Rollback appends to the raw array, which stays raw, the odd element untouched.
    await commands.rollback_session_migration(migrator(backend, now=ticking_clock()), S[0]["id"], None)
    array = backend.raw("sessions")
    assert array[0] is odd and json_equal(array[1], S[0])


async def test_a_dry_run_over_raw_data_changes_nothing():
    backend = MemoryBackend()
    backend.put_raw("sessions", [deep(S[0]), {**deep(S[1]), "startTime": ODD_DATE}, with_undefined(S[2])])
    before = dict(backend.records)
    result = await commands.migrate_all_sessions(migrator(backend), MigrationOptions(dry_run=True))
    assert (result.migrated, result.error_count) == (2, 1)
    assert backend.records == before
