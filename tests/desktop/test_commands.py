"""The other commands on a real folder: migrate-session, rollback (the restored session appended
to the streamed array, every other element kept as its very text), cleanup, and the exit status
of each."""
from __future__ import annotations

import base64
import gzip
import json

from desktop.app_folder import AppFolder, file_of, gzip_v1
from desktop.helpers import cli, snapshot
from taskerino_storage.session.compare import json_equal
from taskerino_storage.demo.samples import generate_sessions


def array_text(folder: AppFolder) -> str:
    raw = json.loads(file_of("sessions", folder.db).read_text())
    return gzip.decompress(base64.b64decode(raw["data"][8:])).decode()


def test_migrate_session_then_rollback_then_cleanup(tmp_path):
    folder = AppFolder(tmp_path)
    a, b = generate_sessions(2, seed=41, size="small")
    odd = '{"id":"odd","huge":1e400}'  # JavaScript reads it as Infinity: kept digit for digit
    text = "[" + json.dumps(a) + "," + odd + "," + json.dumps(b) + "]"
    folder.write_text("sessions", json.dumps({"version": 1, "checksum": "0", "timestamp": 1, "compressed": True,
                                              "data": gzip_v1(text)}, indent=2))
    one = cli(tmp_path, "migrate-session", a["id"])
    assert one.returncode == 0 and one.result["success"] is True, one.stdout + one.stderr
    assert f"✅ migrated: {a['id']}" in one.stdout
    assert odd in array_text(folder) and a["id"] not in array_text(folder)

    unknown = cli(tmp_path, "migrate-session", "no-such-session")
    assert unknown.returncode == 2 and "No session 'no-such-session'" in unknown.stderr

    before = snapshot(tmp_path)
    preview = cli(tmp_path, "rollback", a["id"])
    assert preview.returncode == 0 and "Rollback not done" in preview.stdout
    assert snapshot(tmp_path) == before
    back = cli(tmp_path, "rollback", a["id"], "--confirm")
    assert back.returncode == 0, back.stdout + back.stderr
    assert f"✅ Rolled back {a['id']}" in back.stdout
    restored = array_text(folder)
    assert restored.startswith("[" + odd + "," + json.dumps(b) + ",")  # the others, as their very text
    assert json_equal(json.loads(restored.replace("1e400", "0"))[-1], a)
    assert cli(tmp_path, "status").result["legacy"] == 3  # a, b and "odd" (an object with an id)
    refused = cli(tmp_path, "rollback", a["id"], "--confirm")  # nothing chunked to roll back now
    assert refused.returncode == 2

    cleanup = cli(tmp_path, "cleanup", "--days", "0")
    assert cleanup.returncode == 0 and cleanup.result["dryRun"] is True
    done = cli(tmp_path, "cleanup", "--days", "0", "--confirm")
    assert done.returncode == 0 and done.result["dryRun"] is False
