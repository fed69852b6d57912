"""The console's commands as browser/console.py declares them, run in CPython on the memory
backend: each prints migration/report.py's lines through its Output and returns what JS
resolves to (the browser runs the very same functions: tests/browser/test_console.py)."""
from __future__ import annotations

import json

from migration.helpers import deep, migrator, raw, sessions, store_with
from taskerino_storage.browser import console

S = sessions(4)


class Recorded:
    """An Output that keeps what a command printed."""

    def __init__(self):
        self.printed: list[str] = []
        self.progress_seen: list[tuple[str, int]] = []

    def lines(self, lines):
        self.printed += lines

    def progress(self, message, percent, line):
        self.progress_seen.append((message, percent))
        if line is not None:
            self.printed.append(line)


async def run(rt, name, *args):
    """Run table entry `name` as the client does: its arguments defaulted, through JSON."""
    command = console.command_named(name)
    given = list(args) + [p.default for p in command.params[len(args):]]
    out = Recorded()
    value = await command.run(rt, out, *json.loads(json.dumps(given)))
    return json.loads(json.dumps(value)), out


async def test_a_migration_prints_the_status_progress_and_results_and_returns_the_result():
    rt = migrator(store_with(array=deep(S)))
    result, out = await run(rt, "runChunkedMigration", {"verbose": True})
    assert (result["migrated"], result["success"]) == (4, True)
    assert out.printed[:7] == ["📊 Checking current migration status...", "   Total sessions: 4", "   Already migrated: 0 (0%)",
                               "   Legacy format: 4", "", "🚀 Starting migration...", ""]
    assert len(out.progress_seen) >= 4 and out.progress_seen[-1] == ("Complete: 4 migrated, 0 skipped, 0 errors", 100)
    assert "✅ Migration completed successfully!" in out.printed
    status, out = await run(rt, "getMigrationStatus")
    assert status["chunked"] == 4 and out.printed == []  # the status, without printing
    status, out = await run(rt, "showMigrationStatus")
    assert out.printed[1] == "  Chunked Storage Migration Status" and "   Already migrated: 4 (100%)" in out.printed


async def test_rollback_explains_without_confirm_and_takes_the_newest_backup_given_only_true():
    backend = store_with(array=deep(S))
    rt = migrator(backend)
    await run(rt, "migrateSingleSession", S[0]["id"])
    before = raw(backend)
    done, out = await run(rt, "rollbackSession", S[0]["id"])
    assert done is False and raw(backend) == before
    assert out.printed[1] == f"   To confirm: rollbackSession('{S[0]['id']}', undefined, true)"
    done, out = await run(rt, "rollbackSession", S[0]["id"], True)  # rollbackSession(id, true)
    assert done is True and out.printed[0].startswith(f"✅ Rolled back {S[0]['id']} from sessions/{S[0]['id']}.backup-")


async def test_single_cleanup_load_and_fill_demo():
    rt = migrator(store_with(array=deep(S)))
    single, out = await run(rt, "migrateSingleSession", S[1]["id"], {"dryRun": True})
    assert single["dryRun"] is True
    assert out.printed == [f"✅ would migrate (dry run): {S[1]['id']} (backup {single['backupPath']})"]
    cleanup, out = await run(rt, "cleanupBackups")
    assert cleanup["dryRun"] is True and out.printed == ["🧹 0 expired backup(s) would be deleted, 0 kept"]
    loaded, out = await run(rt, "loadSession", S[2]["id"])
    assert loaded == S[2] and out.printed == []
    filled, _ = await run(rt, "fillDemo", 3)
    assert filled["created"] == 3 and len(filled["ids"]) == 3
