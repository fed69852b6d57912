"""`taskerino-storage [--data-dir DIR] COMMAND [--json]`: the five console commands on
Taskerino's desktop data folder, run by the same engine (migration/commands.py over
open_runtime). Exit status: 0 everything asked for succeeded; 1 some sessions failed or the run
stopped part-way (a full disk); 2 bad usage, or a refusal before anything was written.

It never starts a child process or daemonizes: its whole process group may be killed at any
instant, and the next writing command settles what was left (storage/desktop/journal.py)."""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from ..errors import (BackupError, InvalidArgumentError, MigrationBusyError, QuotaExceededError,
                      RollbackRefusedError, TaskerinoStorageError, UnknownSessionError, kind_of)
from ..migration import commands, report
from ..migration.runtime import open_runtime
from ..storage.desktop import DesktopBackend, NotADataFolderError, WalUnreadableError, default_data_dir
from ..storage.desktop.app_process import running_app
from .output import Output

OK, PARTIAL, REFUSED = 0, 1, 2
#: Raised before anything was written: a refusal (exit 2), not a failed run.
REFUSALS = (NotADataFolderError, WalUnreadableError, InvalidArgumentError, UnknownSessionError,
            RollbackRefusedError, BackupError, MigrationBusyError)
BUSY = ("Another taskerino-storage command is working on this folder right now; wait for it to "
        "finish, then run again.")


class Refusal(Exception):
    """Refused before anything was written (exit 2), with the one line that says why."""


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # Accepted before the subcommand and after it: SUPPRESS keeps a subparser from resetting it.
    common.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                        help="Taskerino's data folder (default: the app's folder on this OS)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print the result object as the last line on stdout")
    common.add_argument("--force", action="store_true", default=argparse.SUPPRESS,
                        help="write even though Taskerino seems to be running (it may overwrite our work)")
    main = argparse.ArgumentParser(prog="taskerino-storage", parents=[common],
                                   description="Migrate Taskerino's desktop sessions to chunked storage, "
                                               "losslessly. Close Taskerino first.")
    sub = main.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("status", parents=[common], help="how many sessions are chunked and legacy; backups")
    migrate = sub.add_parser("migrate", parents=[common], help="migrate every legacy session")
    migrate.add_argument("--dry-run", action="store_true", help="do everything but write")
    migrate.add_argument("--verbose", action="store_true", help="one line per session")
    single = sub.add_parser("migrate-session", parents=[common], help="migrate one session")
    single.add_argument("session_id", metavar="ID")
    rollback = sub.add_parser("rollback", parents=[common], help="restore a session from its backup")
    rollback.add_argument("session_id", metavar="ID")
    rollback.add_argument("backup", metavar="BACKUP", nargs="?", help="backup path (default: the newest)")
    rollback.add_argument("--confirm", action="store_true", help="do it (without: say what it would do)")
    cleanup = sub.add_parser("cleanup", parents=[common], help="delete expired backups")
    cleanup.add_argument("--days", type=int, default=30, help="retention in days (default 30)")
    cleanup.add_argument("--confirm", action="store_true", help="delete (without: list what would go)")
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    out = Output(as_json=getattr(args, "json", False), verbose=getattr(args, "verbose", False))
    try:
        return asyncio.run(run(args, out))
    except Refusal as exc:
        return refuse(out, str(exc), "refused")
    except REFUSALS as exc:
        return refuse(out, str(exc) if not isinstance(exc, MigrationBusyError) else BUSY, kind_of(exc))
    except QuotaExceededError as exc:
        out.error(str(exc))
        out.result({"error": str(exc), "kind": kind_of(exc)})
        return PARTIAL
    except TaskerinoStorageError as exc:
        out.error(str(exc))
        out.result({"error": str(exc), "kind": kind_of(exc)})
        return PARTIAL
    except KeyboardInterrupt:
        out.error("interrupted; run the same command again to finish (nothing is lost)")
        return PARTIAL


def refuse(out: Output, message: str, kind: str) -> int:
    out.error(message)
    out.result({"error": message, "kind": kind})
    return REFUSED


def writes(args) -> bool:
    return (args.command in ("migrate-session",)
            or args.command == "migrate" and not args.dry_run
            or args.command in ("rollback", "cleanup") and args.confirm)


async def run(args, out: Output) -> int:
    folder = getattr(args, "data_dir", None) or default_data_dir()
    writing = writes(args)
    app = running_app()
    if app is not None:
        if writing and not getattr(args, "force", False):
            raise Refusal(f"Taskerino is running (pid {app.pid}, {app.executable}). Quit it, then run "
                          "again: it would overwrite what this command writes. (--force writes anyway.)")
        out.line(f"⚠️  Taskerino is running (pid {app.pid}): what it saves meanwhile is not seen here.")
    try:
        backend = DesktopBackend.open(folder, writable=writing)
    except PermissionError as exc:
        raise Refusal(f"{exc.filename or folder} cannot be read (permission denied). Run as the user "
                      "who runs Taskerino, or fix its permissions.") from None
    for notice in backend.notices:
        out.line(f"ℹ️  {notice}")
    rt = open_runtime(backend)
    code = await COMMANDS[args.command](rt, args, out)
    if backend_full_disk(backend, out):
        code = max(code, PARTIAL)
    return code


def backend_full_disk(backend: DesktopBackend, out: Output) -> bool:
    if backend.full_disk is None:
        return False
    out.error(backend.full_disk)
    return True


async def cmd_status(rt, args, out: Output) -> int:
    status = await commands.get_migration_status(rt)
    plain = status.to_dict()
    out.lines(report.migration_status(plain))
    out.table(plain["backups"])
    out.result(plain)
    return OK


async def cmd_migrate(rt, args, out: Output) -> int:
    options = {"dryRun": args.dry_run, "verbose": args.verbose}
    out.lines(report.migration_opening(options))
    out.lines(report.migration_start((await commands.get_migration_status(rt)).to_dict()))
    result = await commands.migrate_all_sessions(rt, {**options, "onProgress": out.progress})
    plain = result.to_dict()
    out.done_progress()
    out.lines(report.migration_results(plain, 30, _calls(args)))
    if result.stopped and rt.backend.full_disk is None:
        out.error(result.stopped)
    out.result(plain)
    return OK if result.success else PARTIAL


async def cmd_migrate_session(rt, args, out: Output) -> int:
    result = await commands.migrate_session_to_chunked(rt, args.session_id)
    plain = result.to_dict()
    out.lines(report.single_result(plain))
    out.result(plain)
    return OK if result.success else PARTIAL


async def cmd_rollback(rt, args, out: Output) -> int:
    if not args.confirm:
        out.lines(report.rollback_unconfirmed(args.session_id, args.backup, _calls(args)))
        out.result({"rolledBack": False, "sessionId": args.session_id, "backupPath": args.backup})
        return OK
    result = await commands.rollback_session_migration(rt, args.session_id, args.backup)
    plain = result.to_dict()
    out.lines(report.rollback_done(plain))
    out.result(plain)
    return OK


async def cmd_cleanup(rt, args, out: Output) -> int:
    result = await commands.cleanup_old_backups(rt, args.days, args.confirm)
    plain = result.to_dict()
    out.lines(report.cleanup_result(plain, args.days, _calls(args)))
    out.result(plain)
    return OK


def _calls(args) -> report.TerminalCalls:
    """The hints name this command's subcommands, with the --data-dir the user gave."""
    given = getattr(args, "data_dir", None)  # absent: the default folder
    return report.terminal_calls(str(given) if given else None)


COMMANDS = {"status": cmd_status, "migrate": cmd_migrate, "migrate-session": cmd_migrate_session,
            "rollback": cmd_rollback, "cleanup": cmd_cleanup}


def entry_point() -> None:
    """The console script: exit with main()'s status."""
    sys.exit(main())
