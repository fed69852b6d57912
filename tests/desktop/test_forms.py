"""Every form the app has written is read, migrated losslessly, and read back by the app's own
`load` rules (desktop/app_folder.py, not the package's loader); its clutter is never taken for
a session and never touched; a dry run leaves the folder byte-identical."""
from __future__ import annotations

import pytest
from desktop.app_folder import AppFolder, as_the_app_holds, file_of
from desktop.helpers import cli, snapshot
from representative_sessions import representative_sessions
from taskerino_storage.session.compare import json_equal
from taskerino_storage.demo.samples import generate_sessions

FORMS = ["gzip", "json", "object", "indented", "plain"]


def sessions_for(form: str) -> list[dict]:
    """As the app holds them: what it wrote is JavaScript's JSON text (1.0 is 1 there)."""
    return [as_the_app_holds(s) for s in [*representative_sessions(), *generate_sessions(6, seed=len(form), size="small")]]


def assert_app_sees(folder: AppFolder, originals: list[dict]) -> None:
    """After a simulated launch (WAL replay), the app's reader finds each session, equal."""
    folder.launch()
    seen = folder.load_sessions()
    for session in originals:
        assert session["id"] in seen, session["id"]
        assert json_equal(seen[session["id"]], session), session["id"]


@pytest.mark.parametrize("form", FORMS)
def test_the_sessions_array_in_each_form_migrates_losslessly(tmp_path, form):
    folder = AppFolder(tmp_path)
    originals = sessions_for(form)
    folder.save("sessions", originals, form)
    clutter = {p: p.read_bytes() for p in folder.clutter("sessions")}
    done = cli(tmp_path, "migrate")
    assert done.returncode == 0, done.stderr + done.stdout
    assert done.result["migrated"] == len(originals) and done.result["success"] is True
    assert {p: p.read_bytes() for p in clutter} == clutter  # the app's clutter: untouched
    assert folder.load("sessions") == []  # every legacy copy went, once verified
    assert_app_sees(folder, originals)
    again = cli(tmp_path, "migrate")  # a rerun finds nothing to do
    assert again.returncode == 0 and again.result["migrated"] == 0 and again.result["skipped"] == len(originals)


@pytest.mark.parametrize("form", FORMS)
def test_per_session_records_in_each_form_migrate_losslessly(tmp_path, form):
    folder = AppFolder(tmp_path)
    originals = sessions_for(form)[:4]
    for session in originals:
        folder.save(f"sessions/{session['id']}", session, form)
    done = cli(tmp_path, "migrate")
    assert done.returncode == 0, done.stderr + done.stdout
    assert done.result["migrated"] == len(originals)
    assert all(not file_of(f"sessions/{s['id']}", folder.db).exists() for s in originals)
    assert_app_sees(folder, originals)


def test_clutter_is_never_a_session(tmp_path):
    folder = AppFolder(tmp_path)
    session = generate_sessions(1, seed=3, size="small")[0]
    folder.save("sessions", [session])
    for name in ("sessions.tmp", "sessions.backup", "sessions.1700000000000.backup",
                 f"sessions/{session['id']}.tmp", f"sessions/x.1700000000001.backup"):
        folder.write_text(name, "[" + '{"id": "clutter"}' + "]")
    folder.clutter("sessions")
    status = cli(tmp_path, "status")
    assert status.returncode == 0 and status.result["total"] == 1 and status.result["legacy"] == 1


def test_a_dry_run_and_status_leave_the_folder_byte_identical(tmp_path):
    folder = AppFolder(tmp_path)
    originals = sessions_for("gzip")
    folder.save("sessions", originals[:5])
    folder.save(f"sessions/{originals[6]['id']}", originals[6], "object")
    folder.clutter("sessions")
    folder.wal([{"id": "w1", "timestamp": 2_000_000_000_000, "operation": "write", "collection": "sessions",
                 "data": originals[:6]}], checkpoint=1_000)
    before = snapshot(tmp_path)
    dry = cli(tmp_path, "migrate", "--dry-run")
    assert dry.returncode == 0, dry.stderr + dry.stdout
    assert dry.result["dryRun"] is True and dry.result["migrated"] == 7  # the WAL's six, and the record
    assert "wal.log" in dry.stdout and "would be applied" in dry.stdout
    status = cli(tmp_path, "status")
    assert status.returncode == 0 and status.result["legacy"] == 7
    assert snapshot(tmp_path) == before
