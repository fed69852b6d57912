"""Sessions whose chunked files Taskerino could not reach stay legacy, named in the errors:
an id starting with '.' (the app's fs scope refuses such a path component on macOS and Linux),
and an id differing from a chunked one only by letter case (one folder on macOS and Windows)."""
from __future__ import annotations

import copy

from desktop.app_folder import AppFolder
from desktop.helpers import cli
from taskerino_storage.demo.samples import generate_sessions


def _sessions(*ids):
    found = generate_sessions(len(ids), seed=7, size="small")
    return [{**s, "id": i} for s, i in zip(found, ids)]


def test_an_id_starting_with_a_dot_stays_legacy_and_is_named(tmp_path):
    folder = AppFolder(tmp_path / "data")
    sessions = _sessions(".hidden", "plain")
    folder.save("sessions", copy.deepcopy(sessions))
    done = cli(folder.base, "migrate")
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.result["migrated"] == 1 and done.result["errorCount"] == 1
    [error] = done.result["errors"]
    assert error["sessionId"] == ".hidden" and "starting with '.'" in error["message"], error
    # Running again can't help such an id: the message says where the session stays, not to retry.
    assert "stays in its legacy form" in error["message"] and "run again" not in error["message"], error
    assert not (folder.base / "db" / "sessions" / ".hidden").exists()
    assert not any(p.name.startswith(".hidden") for p in (folder.base / "db" / "sessions").iterdir())
    assert [s["id"] for s in folder.load("sessions")] == [".hidden"]  # still the app's legacy copy
    assert set(folder.load_sessions()) == {".hidden", "plain"}


def test_an_id_differing_only_by_case_from_a_chunked_one_stays_legacy(tmp_path):
    folder = AppFolder(tmp_path / "data")
    folder.save("sessions", _sessions("Meeting-1", "other"))
    assert cli(folder.base, "migrate").returncode == 0
    second = _sessions("meeting-1")
    folder.save("sessions", second)
    done = cli(folder.base, "migrate")
    assert done.returncode == 1 and done.result["errorCount"] == 1, done.stdout + done.stderr
    [error] = done.result["errors"]
    assert error["sessionId"] == "meeting-1" and "db/sessions/Meeting-1 differs from it only by letter case" \
        in error["message"], error
    assert folder.load("sessions") == second
    assert sorted(p.name for p in (folder.base / "db" / "sessions").iterdir() if p.is_dir()) == ["Meeting-1", "other"]


def test_two_ids_differing_by_case_in_one_run_keep_the_second_legacy(tmp_path):
    folder = AppFolder(tmp_path / "data")
    folder.save("sessions", _sessions("Abc", "abc"))
    done = cli(folder.base, "migrate")
    assert done.result["migrated"] == 1 and [e["sessionId"] for e in done.result["errors"]] == ["abc"]
    assert [s["id"] for s in folder.load("sessions")] == ["abc"]
