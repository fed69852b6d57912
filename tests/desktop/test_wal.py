"""Taskerino's write-ahead log: every command sees the folder as the app will after its next
launch. Entries older than the checkpoint are never applied; a pending newer one is; after a
writing command wal.checkpoint is at or after every entry and wal.log is empty; a log the app
can't parse is refused with nothing changed."""
from __future__ import annotations

import json

from desktop.app_folder import AppFolder
from desktop.helpers import cli, snapshot
from taskerino_storage.session.compare import json_equal
from taskerino_storage.demo.samples import generate_sessions

NOW = 1_900_000_000_000


def entry(n, stamp, collection, data=None, operation="write", tx=None):
    e = {"id": f"e{n}", "timestamp": stamp, "operation": operation, "collection": collection}
    if data is not None:
        e["data"] = data
    if tx:
        e["transactionId"] = tx
    return e


def settled(folder: AppFolder, entries: list[dict]) -> None:
    assert (folder.db / "wal.log").read_text() == ""
    assert int((folder.db / "wal.checkpoint").read_text()) >= max(e["timestamp"] for e in entries)


def test_an_empty_log_changes_nothing_and_the_migration_runs(tmp_path):
    folder = AppFolder(tmp_path)
    sessions = generate_sessions(3, seed=1, size="small")
    folder.save("sessions", sessions)
    (folder.db / "wal.log").write_text("")
    (folder.db / "wal.checkpoint").write_text("123")
    done = cli(tmp_path, "migrate")
    assert done.returncode == 0 and done.result["migrated"] == 3
    assert (folder.db / "wal.checkpoint").read_text() == "123"  # nothing to settle: left as it was


def test_entries_older_than_the_checkpoint_are_not_applied(tmp_path):
    folder = AppFolder(tmp_path)
    sessions = generate_sessions(4, seed=2, size="small")
    folder.save("sessions", sessions)
    stale = [entry(1, NOW - 10, "sessions", sessions[:1]), entry(2, NOW, "sessions", [])]
    folder.wal(stale, checkpoint=NOW)
    status = cli(tmp_path, "status")
    assert status.result["legacy"] == 4 and "2 are older than its checkpoint and not applied" in status.stdout
    done = cli(tmp_path, "migrate")
    assert done.returncode == 0 and done.result["migrated"] == 4
    settled(folder, stale)
    folder.launch()
    seen = folder.load_sessions()
    assert all(json_equal(seen[s["id"]], s) for s in sessions)


def test_a_pending_sessions_entry_is_applied_before_migrating(tmp_path):
    folder = AppFolder(tmp_path)
    old = generate_sessions(5, seed=3, size="small")
    folder.save("sessions", old[:2])  # the file is behind the log: the app saved again, then quit
    pending = [entry(1, NOW + 5, "sessions", old)]
    folder.wal(pending, checkpoint=NOW)
    done = cli(tmp_path, "migrate")
    assert done.returncode == 0, done.stderr
    assert done.result["migrated"] == 5 and "were applied now" in done.stdout
    settled(folder, pending)
    folder.launch()  # the app's next start replays nothing over the migration
    assert folder.load("sessions") == []
    seen = folder.load_sessions()
    assert all(json_equal(seen[s["id"]], s) for s in old)


def test_committed_transactions_apply_first_and_rolled_back_ones_never(tmp_path):
    folder = AppFolder(tmp_path)
    a, b, c = generate_sessions(3, seed=4, size="small")
    folder.save("sessions", [a])
    log = [entry(1, NOW + 1, "sessions", [a, b]),  # standalone: after the transactions
           entry(2, NOW + 2, "sessions", [a, b, c], tx="t-ok"), entry(3, NOW + 3, "", operation="transaction-commit", tx="t-ok"),
           entry(4, NOW + 4, "settings", {"x": 1}, tx="t-no"), entry(5, NOW + 5, "", operation="transaction-rollback", tx="t-no"),
           entry(6, NOW + 6, "notes", {"half": True}, tx="t-open")]
    folder.wal(log, checkpoint=NOW)
    status = cli(tmp_path, "status")
    assert status.result["legacy"] == 2  # [a, b]: the standalone write lands last
    done = cli(tmp_path, "migrate")
    assert done.returncode == 0 and done.result["migrated"] == 2
    assert not (folder.db / "settings.json").exists() and not (folder.db / "notes.json").exists()
    settled(folder, log)


def test_a_delete_of_a_missing_file_passes_and_a_missing_folder_stops_replay_as_the_app_does(tmp_path):
    folder = AppFolder(tmp_path)
    a, b = generate_sessions(2, seed=5, size="small")
    folder.save("sessions", [b])
    log = [entry(1, NOW + 1, f"sessions/{a['id']}", operation="delete"),  # no such file: replay goes on
           entry(2, NOW + 2, "nowhere/at/all", {"x": 1}),  # replay makes no folders: it stops here
           entry(3, NOW + 3, "sessions", [])]  # never reached
    folder.wal(log, checkpoint=NOW)
    done = cli(tmp_path, "migrate")
    assert done.returncode == 0, done.stderr
    assert done.result["migrated"] == 1 and "does not exist" in done.stdout
    assert not (folder.db / "nowhere").exists()
    settled(folder, log)


def test_an_unparsable_log_is_refused_and_nothing_changes(tmp_path):
    folder = AppFolder(tmp_path)
    folder.save("sessions", generate_sessions(2, seed=6, size="small"))
    (folder.db / "wal.log").write_text(json.dumps(entry(1, NOW + 1, "sessions", [])) + "\n{not json\n")
    before = snapshot(tmp_path)
    for args in (["migrate"], ["status"], ["migrate", "--dry-run"]):
        done = cli(tmp_path, *args)
        assert done.returncode == 2, (args, done.stderr)
        assert "wal.log cannot be read: line 2 is not JSON" in done.stderr
        assert "Traceback" not in done.stderr and done.result["kind"] == "storage"
    assert snapshot(tmp_path) == before


def test_a_delete_the_app_may_not_apply_is_refused_and_nothing_changes(tmp_path):
    """The app's fs scope removes only its backups and WAL files under db/: its replay throws at
    such a delete every launch and never checkpoints, replaying the entries before it again."""
    folder = AppFolder(tmp_path)
    a, b = generate_sessions(2, seed=8, size="small")
    folder.save(f"sessions/{a['id']}", a)
    folder.save("sessions", [b])
    folder.wal([entry(1, NOW + 1, "sessions", [b]), entry(2, NOW + 2, f"sessions/{a['id']}", operation="delete")],
               checkpoint=NOW)
    before = snapshot(tmp_path)
    for args in (["migrate"], ["status"], ["migrate", "--dry-run"], ["migrate-session", a["id"]]):
        done = cli(tmp_path, *args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        [line] = done.stderr.strip().splitlines()
        assert line.startswith("taskerino-storage: db/wal.log line 2 deletes db/sessions/" + a["id"] + ".json") \
            and "may not remove" in line and "Nothing was changed" in line, line
    assert snapshot(tmp_path) == before


def test_a_write_to_a_path_the_app_cannot_reach_is_refused(tmp_path):
    folder = AppFolder(tmp_path)
    folder.save("sessions", generate_sessions(1, seed=9, size="small"))
    folder.wal([entry(1, NOW + 1, "sessions/.x", {"id": ".x"})], checkpoint=NOW)
    before = snapshot(tmp_path)
    done = cli(tmp_path, "migrate")
    assert done.returncode == 2 and "db/wal.log line 1 writes 'sessions/.x'" in done.stderr, done.stderr
    assert snapshot(tmp_path) == before


def test_an_applied_entry_holds_what_the_app_writes_javascripts_text(tmp_path):
    """replayWrite: JSON.stringify(JSON.parse(line).data) (texts printed by node)."""
    folder = AppFolder(tmp_path)
    folder.save("sessions", generate_sessions(1, seed=10, size="small"))
    data = '{"big":1e400,"neg":-0,"n":123456789012345678901,"f":57.0,"e":1e-7,"s":"1e400","10":1,"a":0.1}'
    line = '{"id":"e1","timestamp":%d,"operation":"write","collection":"settings","data":%s}' % (NOW + 1, data)
    (folder.db / "wal.log").write_text(line + "\n")
    (folder.db / "wal.checkpoint").write_text(str(NOW))
    assert cli(tmp_path, "migrate").returncode == 0
    assert (folder.db / "settings.json").read_text() == \
        '{"10":1,"big":null,"neg":0,"n":123456789012345680000,"f":57,"e":1e-7,"s":"1e400","a":0.1}'


def test_a_log_with_nan_or_infinity_is_unparsable_as_for_json_parse(tmp_path):
    folder = AppFolder(tmp_path)
    folder.save("sessions", generate_sessions(1, seed=11, size="small"))
    (folder.db / "wal.log").write_text('{"id":"e1","timestamp":%d,"operation":"write","collection":"x","data":NaN}\n'
                                       % (NOW + 1))
    before = snapshot(tmp_path)
    done = cli(tmp_path, "migrate")
    assert done.returncode == 2 and "wal.log cannot be read: line 1 is not JSON" in done.stderr, done.stderr
    assert snapshot(tmp_path) == before


def test_the_checkpoint_is_now_or_the_newest_entry_whichever_is_later(tmp_path):
    import time
    for stamps in ([1_000, 2_000], [int(time.time() * 1000) + 10 ** 9]):  # long past; in the future
        folder = AppFolder(tmp_path / str(stamps[0]))
        folder.save("sessions", generate_sessions(1, seed=13, size="small"))
        folder.wal([entry(i, stamp, f"k{i}", {"i": i}) for i, stamp in enumerate(stamps)], checkpoint=0)
        start = int(time.time() * 1000)
        assert cli(folder.base, "migrate").returncode == 0
        end = int(time.time() * 1000)
        checkpoint = int((folder.db / "wal.checkpoint").read_text())
        assert checkpoint == max(stamps) if max(stamps) > end else start <= checkpoint <= end
