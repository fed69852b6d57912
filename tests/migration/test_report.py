"""The console's printed text (migration/report.py), line for line as the seed prints it and as
the browser console tests read it (tests/browser/test_console.py), over real command results."""
from __future__ import annotations

from taskerino_storage.migration import commands, report

from .helpers import deep, migrator, sessions, store_with

RULE = "━" * 47
S = sessions(6)


async def test_a_dry_run_then_a_migration_print_the_seeds_lines():
    rt = migrator(store_with(array=deep(S)))
    assert report.migration_opening({"dryRun": True}) == [
        RULE, "  Chunked Storage Migration", RULE, "", "⚠️  DRY RUN MODE - No changes will be saved", ""]
    assert report.migration_opening({}) == [RULE, "  Chunked Storage Migration", RULE, ""]
    status = (await commands.get_migration_status(rt)).to_dict()
    assert report.migration_start(status) == [
        "📊 Checking current migration status...", "   Total sessions: 6", "   Already migrated: 0 (0%)",
        "   Legacy format: 6", "", "🚀 Starting migration...", ""]

    progress = report.ProgressPrinter(verbose=False)
    printed = []
    dry = await commands.migrate_all_sessions(rt, {"dryRun": True, "on_progress": lambda m, p: printed.append(progress.line(m, p))})
    lines = [line for line in printed if line is not None]
    assert lines[0].startswith("[0%] Migrating session 1/6: ") and lines[-1] == "[100%] Complete: 6 migrated, 0 skipped, 0 errors"
    out = report.migration_results(dry.to_dict())
    assert out[:11] == ["", RULE, "  Migration Results", RULE, "", "Status: ✅ Success", "Total sessions: 6",
                        "Migrated: 6", "Skipped (already chunked): 0", "Errors: 0", out[10]]
    assert out[10].startswith("Duration: ") and out[10].endswith("s")
    assert out[11:] == ["", "✅ Dry run completed successfully!", "", "📋 Summary of what would be migrated:",
                        "   6 sessions would be migrated", "   0 sessions already chunked", "",
                        "💡 To apply changes, run without dryRun:", "   runChunkedMigration({ verbose: true })"]

    done = (await commands.migrate_all_sessions(rt, {})).to_dict()
    assert report.migration_results(done, 30)[12:] == [
        "✅ Migration completed successfully!", "", "📦 Backups created with 30-day retention",
        "   Backups will be automatically cleaned up after 30 days", "", "💡 If you need to rollback a session:",
        "   rollbackSession('session-id', 'backup-path', true)", "", "📊 To check migration status anytime:",
        "   showMigrationStatus()"]
    status = (await commands.get_migration_status(rt)).to_dict()
    assert report.migration_status(status) == [
        RULE, "  Chunked Storage Migration Status", RULE, "", "📊 Migration status", "   Total sessions: 6",
        "   Already migrated: 6 (100%)", "   Legacy format: 0", ""]


def test_verbose_progress_prints_every_message_and_otherwise_each_new_tenth():
    steps = [("a", 0), ("b", 5), ("c", 10), ("d", 17), ("e", 33), ("f", 100), ("g", 100)]
    quiet, verbose = report.ProgressPrinter(False), report.ProgressPrinter(True)
    assert [quiet.line(m, p) for m, p in steps] == ["[0%] a", None, "[10%] c", None, "[33%] e", "[100%] f", None]
    assert [verbose.line(m, p) for m, p in steps] == [f"[{p}%] {m}" for m, p in steps]


def test_stored_text_cannot_forge_lines_or_reorder_them():
    name = "a\nb\u202ec\x7f\u2066%c\u0085"
    assert report.safe_text(name) == "a\\u000ab\\u202ec\\u007f\\u2066%c\\u0085"
    status = {"total": 1, "chunked": 0, "legacy": 1, "percentage": 0, "problems": [name]}
    assert report.status_block(status)[4] == "   ⚠️  a\\u000ab\\u202ec\\u007f\\u2066%c\\u0085"
    assert report.ProgressPrinter(True).line(f"Migrating {name}", 50) == "[50%] Migrating a\\u000ab\\u202ec\\u007f\\u2066%c\\u0085"
    assert all("\n" not in line for line in report.single_result({"sessionId": name, "error": name}))


def failed_batch(**changes):
    return {"success": False, "total": 3, "migrated": 1, "skipped": 0, "errorCount": 1, "durationMs": 125,
            "errors": [{"sessionId": "s-2", "message": "bad data"}], "dryRun": False, "stopped": None,
            "legacyCopiesLeft": [], **changes}


def test_errors_a_stop_and_legacy_copies_left_are_said_with_what_to_do():
    out = report.migration_results(failed_batch(stopped="Not enough free space"), 7)
    assert "Duration: 0.13s" in out  # toFixed(2) rounds a tie up, as the browser printed it
    assert out[12:17] == ["❌ Sessions not migrated:", "   - s-2: bad data", "", "⛔ Not enough free space", ""]
    assert "⚠️  Migration finished with errors (see above); run again to retry them" in out
    assert "📦 Backups created with 7-day retention" in out
    left = report.migration_results(failed_batch(success=True, errors=[], errorCount=0,
                                                 legacyCopiesLeft=[f"s{i}" for i in range(13)]))
    assert "⚠️  Migration finished, but 13 legacy copies are still stored beside the chunked form: run again to finish" in left
    first = left.index("   - s0")
    assert left[first:first + 12] == [f"   - s{i}" for i in range(10)] + ["   … and 3 more", ""]
    one = report.migration_results(failed_batch(success=True, errors=[], errorCount=0, legacyCopiesLeft=["s1"]))
    assert "⚠️  Migration finished, but 1 legacy copy is still stored beside the chunked form: run again to finish" in one
    assert report.migration_results(failed_batch(dryRun=True))[-8] == "⚠️  Dry run found problems (see above)"


def test_single_rollback_and_cleanup_lines():
    assert report.single_result({"sessionId": "s-1", "backupPath": "sessions/s-1.backup-X"}) == [
        "✅ migrated: s-1 (backup sessions/s-1.backup-X)"]
    assert report.single_result({"sessionId": "s-1", "skipped": True}) == ["⏭  already chunked: s-1"]
    assert report.single_result({"sessionId": "s-1", "dryRun": True}) == ["✅ would migrate (dry run): s-1"]
    assert report.single_result({"sessionId": "s-1", "error": "boom"}) == ["❌ boom: s-1"]
    assert report.rollback_unconfirmed("s-1", None) == [
        "⚠️  Rollback not done: it restores the original of s-1 and deletes its chunked copy.",
        "   To confirm: rollbackSession('s-1', undefined, true)"]
    assert report.rollback_unconfirmed("s-1", "sessions/s-1.backup-X")[1] == \
        "   To confirm: rollbackSession('s-1', 'sessions/s-1.backup-X', true)"
    assert report.rollback_done({"sessionId": "s-1", "backupPath": "b", "restoredTo": "sessions"}) == [
        "✅ Rolled back s-1 from b (restored to sessions)"]
    cleanup = {"deleted": ["b1"], "kept": 2, "dryRun": True, "keptExpired": [{"path": "b2", "reason": "legacy copy"}]}
    assert report.cleanup_result(cleanup, 10) == ["🧹 1 expired backup(s) would be deleted, 2 kept", "   - b1",
                                                  "💡 To delete them: cleanupBackups(10, true)", "   ⏸ b2: legacy copy"]
    assert report.cleanup_result({**cleanup, "dryRun": False, "keptExpired": []})[0] == "🧹 1 expired backup(s) deleted, 2 kept"


async def test_the_terminal_hints_name_its_own_subcommands_and_the_console_keeps_its_calls():
    rt = migrator(store_with(array=deep(S)))
    term = report.terminal_calls("/data/My Taskerino")
    dry = (await commands.migrate_all_sessions(rt, {"dryRun": True})).to_dict()
    assert report.migration_results(dry, 30, term)[-2:] == [
        "💡 To apply changes, run without --dry-run:",
        "   taskerino-storage --data-dir '/data/My Taskerino' migrate --verbose"]
    done = (await commands.migrate_all_sessions(rt, {})).to_dict()
    assert report.migration_results(done, 30, term)[-4:] == [
        "   taskerino-storage --data-dir '/data/My Taskerino' rollback SESSION-ID [BACKUP-PATH] --confirm", "",
        "📊 To check migration status anytime:", "   taskerino-storage --data-dir '/data/My Taskerino' status"]
    assert report.migration_results(done, 30, report.CONSOLE) == report.migration_results(done, 30)
    plain = report.terminal_calls()
    assert report.rollback_unconfirmed("s 1;rm", "sessions/s 1;rm.backup-X", plain)[1] == \
        "   To confirm: taskerino-storage rollback 's 1;rm' 'sessions/s 1;rm.backup-X' --confirm"
    assert report.rollback_unconfirmed("s-1", None, plain)[1] == "   To confirm: taskerino-storage rollback s-1 --confirm"
    cleanup = {"deleted": ["b1"], "kept": 0, "dryRun": True, "keptExpired": []}
    assert report.cleanup_result(cleanup, 10, plain)[-1] == "💡 To delete them: taskerino-storage cleanup --days 10 --confirm"
    every = [*report.migration_results(dry, 30, plain), *report.migration_results(done, 30, plain),
             *report.rollback_unconfirmed("s", None, plain), *report.cleanup_result(cleanup, 10, plain)]
    console_calls = ("rollbackSession(", "showMigrationStatus(", "runChunkedMigration(", "cleanupBackups(", "dryRun")
    assert not [line for line in every if any(call in line for call in console_calls)]
