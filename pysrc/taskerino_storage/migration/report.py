"""The console's printed text, in one home: the seed's banners, status block, progress lines and
results, for the browser console and the terminal alike. Pure functions, no I/O: each takes
what a command returned — its `to_dict()`, the camelCase dict JS sees — and returns the lines
to print, one `list[str]`; the caller prints each line as it is (the browser with one
`console.log` per line, a terminal with `print`).

    opening = migration_opening({"dryRun": True})  # at once, before anything runs
    lines = status_block(status)                    # then "🚀 Starting migration..." lines
    progress = ProgressPrinter(verbose=False)
    line = progress.line(message, percent)          # a str to print, or None (not a new tenth)
    lines = migration_results(result, retention_days=30)

    migration_status(status)          showMigrationStatus(): banner and status block
    single_result(result)             migrateSingleSession()
    rollback_unconfirmed(id, path)    rollbackSession() without confirm: what would happen
    rollback_done(result)             rollbackSession(..., true)
    cleanup_result(result, days)      cleanupBackups()

The hints name the call that does the next step by the front door in use: `Calls` — CONSOLE, the
browser console's globals (the default), or `terminal_calls()`, the `taskerino-storage` command.

Stored text (session names and ids, messages, paths) goes through `safe_text`: control and
bidi characters are escaped as `\\uXXXX`, so a session name can't forge extra lines or reorder
one. A line is always one string: the browser console applies "%c"/"%o" directives only when
more arguments follow, so a name can't restyle the output either.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..session import js_json


class Calls:
    """The text of each call a hint names, for one front door. This one: the browser console's
    globals, as the seed prints them."""

    apply_without_dry_run = "run without dryRun"

    def migrate(self) -> str:
        return "runChunkedMigration({ verbose: true })"

    def status(self) -> str:
        return "showMigrationStatus()"

    def rollback(self, session_id: str | None = None, backup_path: str | None = None) -> str:
        if session_id is None:
            return "rollbackSession('session-id', 'backup-path', true)"
        path = f"'{safe_text(backup_path)}'" if backup_path else "undefined"
        return f"rollbackSession('{safe_text(session_id)}', {path}, true)"

    def cleanup(self, retention_days: int) -> str:
        return f"cleanupBackups({js_text(retention_days)}, true)"


class TerminalCalls(Calls):
    """The `taskerino-storage` command's subcommands; `command` is how it was started (with its
    --data-dir when one was given), so a hint can be pasted as it is."""

    apply_without_dry_run = "run without --dry-run"

    def __init__(self, command: str):
        self.command = command

    def migrate(self) -> str:
        return f"{self.command} migrate --verbose"

    def status(self) -> str:
        return f"{self.command} status"

    def rollback(self, session_id: str | None = None, backup_path: str | None = None) -> str:
        if session_id is None:
            return f"{self.command} rollback SESSION-ID [BACKUP-PATH] --confirm"
        backup = f" {_shell_word(backup_path)}" if backup_path else ""
        return f"{self.command} rollback {_shell_word(session_id)}{backup} --confirm"

    def cleanup(self, retention_days: int) -> str:
        return f"{self.command} cleanup --days {js_text(retention_days)} --confirm"


CONSOLE = Calls()


def terminal_calls(data_dir: str | None = None) -> TerminalCalls:
    """`taskerino-storage`, with `--data-dir DIR` when the folder was given."""
    return TerminalCalls("taskerino-storage" + (f" --data-dir {_shell_word(data_dir)}" if data_dir else ""))


def _shell_word(text: str) -> str:
    """One shell word (POSIX quoting), made safe to print like any stored text."""
    import shlex
    return shlex.quote(safe_text(text))

RULE = "━" * 47
STATUS_HEADING = "📊 Checking current migration status..."
_UNSAFE = re.compile("[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def js_text(value: Any) -> str:
    """`String(value)` as JavaScript writes it, for the JSON values a result holds."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value):
        return js_json.number_text(value)
    return str(value)


def safe_text(value: Any) -> str:
    """Stored text made safe to print on one line (control and bidi characters escaped)."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", js_text(value))


def seconds(ms: float) -> str:
    """Milliseconds as "1.23s", rounded as JavaScript's toFixed(2) rounds (half away from zero)."""
    return f"{Decimal(ms / 1000).quantize(Decimal('0.01'), ROUND_HALF_UP)}s"


def banner(title: str) -> list[str]:
    return [RULE, f"  {title}", RULE, ""]


def status_block(status: Mapping[str, Any], heading: str = STATUS_HEADING) -> list[str]:
    """The counts, then what could not be read and what this browser's missing APIs cost."""
    return [heading,
            f"   Total sessions: {js_text(status['total'])}",
            f"   Already migrated: {js_text(status['chunked'])} ({js_text(status['percentage'])}%)",
            f"   Legacy format: {js_text(status['legacy'])}",
            *(f"   ⚠️  {safe_text(problem)}" for problem in status.get("problems") or []),
            ""]


def migration_status(status: Mapping[str, Any]) -> list[str]:
    """showMigrationStatus(): the banner and the status block (the backups follow as a table)."""
    return banner("Chunked Storage Migration Status") + status_block(status, "📊 Migration status")


def migration_opening(options: Mapping[str, Any]) -> list[str]:
    """runChunkedMigration(): what is printed at once, before the status is known."""
    lines = banner("Chunked Storage Migration")
    if options.get("dryRun"):
        lines += ["⚠️  DRY RUN MODE - No changes will be saved", ""]
    return lines


def migration_start(status: Mapping[str, Any]) -> list[str]:
    """runChunkedMigration(): the status block, then the start, before the progress lines."""
    return status_block(status) + ["🚀 Starting migration...", ""]


class ProgressPrinter:
    """Which progress messages are printed: every one when verbose, else each time a new tenth
    of the way is reached."""

    def __init__(self, verbose: bool):
        self.verbose = verbose
        self.last_tenth = -1

    def line(self, message: str, percent: int | float) -> str | None:
        """The line to print for this progress message, or None."""
        tenth = int(percent // 10)
        if not (self.verbose or tenth > self.last_tenth):
            return None
        self.last_tenth = tenth
        return f"[{js_text(percent)}%] {safe_text(message)}"


def migration_results(r: Mapping[str, Any], retention_days: int = 30, calls: Calls = CONSOLE) -> list[str]:
    """runChunkedMigration(): the results block of a BatchMigrationResult."""
    lines = [""]  # the engine's last progress line was "[100%] Complete: …"
    lines += banner("Migration Results")
    lines += [f"Status: {'✅ Success' if r['success'] else '❌ Failed'}",
              f"Total sessions: {js_text(r['total'])}",
              f"Migrated: {js_text(r['migrated'])}",
              f"Skipped (already chunked): {js_text(r['skipped'])}",
              f"Errors: {js_text(r['errorCount'])}",
              f"Duration: {seconds(r['durationMs'])}",
              ""]
    if r["errors"]:
        lines += ["❌ Sessions not migrated:",
                  *(f"   - {safe_text(e['sessionId'])}: {safe_text(e['message'])}" for e in r["errors"]),
                  ""]
    if r.get("stopped"):
        lines += [f"⛔ {safe_text(r['stopped'])}", ""]
    if r["dryRun"]:
        return lines + _dry_run_summary(r, calls)
    return lines + _verdict(r) + _afterwards(r, retention_days, calls)


def _dry_run_summary(r: Mapping[str, Any], calls: Calls) -> list[str]:
    return ["✅ Dry run completed successfully!" if r["success"] else "⚠️  Dry run found problems (see above)",
            "",
            "📋 Summary of what would be migrated:",
            f"   {js_text(r['migrated'])} sessions would be migrated",
            f"   {js_text(r['skipped'])} sessions already chunked",
            "",
            f"💡 To apply changes, {calls.apply_without_dry_run}:",
            f"   {calls.migrate()}"]


def _verdict(r: Mapping[str, Any]) -> list[str]:
    left = r.get("legacyCopiesLeft") or []
    if not r["success"]:
        lines = ["⚠️  Migration finished with errors (see above); run again to retry them"]
    elif left:
        copies = "copy is" if len(left) == 1 else "copies are"
        lines = [f"⚠️  Migration finished, but {len(left)} legacy {copies} still stored beside the "
                 "chunked form: run again to finish"]
    else:
        lines = ["✅ Migration completed successfully!"]
    lines += [f"   - {safe_text(session_id)}" for session_id in left[:10]]
    if len(left) > 10:
        lines.append(f"   … and {len(left) - 10} more")
    return lines + [""]


def _afterwards(r: Mapping[str, Any], retention_days: int, calls: Calls) -> list[str]:
    lines = []
    if r["migrated"]:
        lines += [f"📦 Backups created with {js_text(retention_days)}-day retention",
                  f"   Backups will be automatically cleaned up after {js_text(retention_days)} days",
                  ""]
    return lines + ["💡 If you need to rollback a session:",
                    f"   {calls.rollback()}",
                    "",
                    "📊 To check migration status anytime:",
                    f"   {calls.status()}"]


def single_result(r: Mapping[str, Any]) -> list[str]:
    """migrateSingleSession(): one line, the verdict for the session."""
    if r.get("error"):
        verdict = f"❌ {safe_text(r['error'])}"
    elif r.get("skipped"):
        verdict = "⏭  already chunked"
    elif r.get("dryRun"):
        verdict = "✅ would migrate (dry run)"
    else:
        verdict = "✅ migrated"
    backup = f" (backup {safe_text(r['backupPath'])})" if r.get("backupPath") else ""
    return [f"{verdict}: {safe_text(r['sessionId'])}{backup}"]


def rollback_unconfirmed(session_id: str, backup_path: str | None, calls: Calls = CONSOLE) -> list[str]:
    """rollbackSession() without `true`: what it would do, and the call that does it."""
    return [f"⚠️  Rollback not done: it restores the original of {safe_text(session_id)} and deletes its chunked copy.",
            f"   To confirm: {calls.rollback(session_id, backup_path)}"]


def rollback_done(r: Mapping[str, Any]) -> list[str]:
    """rollbackSession(..., true): the backup restored, and where to."""
    return [f"✅ Rolled back {safe_text(r['sessionId'])} from {safe_text(r['backupPath'])} "
            f"(restored to {safe_text(r['restoredTo'])})"]


def cleanup_result(r: Mapping[str, Any], retention_days: int = 30, calls: Calls = CONSOLE) -> list[str]:
    """cleanupBackups(): what was (or would be) deleted, and why each expired backup was kept."""
    verb = "would be deleted" if r["dryRun"] else "deleted"
    lines = [f"🧹 {len(r['deleted'])} expired backup(s) {verb}, {js_text(r['kept'])} kept"]
    lines += [f"   - {safe_text(path)}" for path in r["deleted"]]
    if r["dryRun"] and r["deleted"]:
        lines.append(f"💡 To delete them: {calls.cleanup(retention_days)}")
    lines += [f"   ⏸ {safe_text(k['path'])}: {safe_text(k['reason'])}" for k in r["keptExpired"]]
    return lines
