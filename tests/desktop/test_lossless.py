"""Property (tests/strategies.py, the corpus the other suites use): any session, from the array
or a record, migrated on a real desktop folder and read back by the app's own load rules
(desktop/app_folder.py) is equal, type-strict; an id no file can be named after (".", "..", a
lone surrogate, a NUL, one starting with ".") is refused by name with the folder unchanged."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from desktop.app_folder import AppFolder, as_the_app_holds
from desktop.helpers import snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import sessions
from taskerino_storage.migration import commands
from taskerino_storage.migration.runtime import open_runtime
from taskerino_storage.session.compare import json_equal
from taskerino_storage.storage.desktop import DesktopBackend


def unnameable(session_id: str) -> bool:
    try:
        session_id.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return (session_id in (".", "..") or "\x00" in session_id or "\\" in session_id
            or any(part.startswith(".") for part in session_id.split("/")))  # the app's scope refuses those


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(session=sessions(), in_array=st.booleans(), form=st.sampled_from(["gzip", "json", "object", "plain"]))
async def test_any_session_migrates_losslessly_on_a_folder(session, in_array, form):
    base = Path(tempfile.mkdtemp(prefix="desktop-lossless-"))
    try:
        folder = AppFolder(base)
        session = as_the_app_holds(session)  # what the app wrote is JavaScript's JSON text
        if in_array:
            folder.save("sessions", [session], form)
        else:
            session = {**session, "id": "record-session"}
            folder.save(f"sessions/{session['id']}", session, form)
        before = snapshot(base)
        rt = open_runtime(DesktopBackend.open(base))
        result = await commands.migrate_session_to_chunked(rt, session["id"])
        if unnameable(session["id"]):
            assert not result.success and "cannot be stored as a file" in result.error, result.error
            assert snapshot(base) == before
            return
        assert result.success, result.error
        seen = AppFolder(base).load_sessions()
        assert json_equal(seen[session["id"]], session)
        assert AppFolder(base).load("sessions") in (None, [])
    finally:
        shutil.rmtree(base)
