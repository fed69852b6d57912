"""The migration of Taskerino's legacy (monolithic) sessions to chunked storage, and back.

    rt = open_runtime(backend)
    await commands.migrate_all_sessions(rt, MigrationOptions(dry_run=True))

commands.py has one plain function per console command; the modules below it do the work:
runtime (what commands run on), batch and single (migrating), job (one session's steps),
inventory (finding sessions), backups / markers (what a migration leaves behind), verify,
rollback, cleanup, space, locks, pipeline (two sessions in flight); options and results are
what the commands take and return. See docs/design.md.
"""
from . import commands
from .options import MigrationOptions
from .results import (BackupInfo, BatchMigrationResult, CleanupResult, KeptBackup, MigrationStatus,
                      RollbackResult, SessionError, SessionMigrationResult)
from .runtime import Runtime, open_runtime
from .verify import verify_data_integrity

__all__ = [
    "BackupInfo", "BatchMigrationResult", "CleanupResult", "KeptBackup", "MigrationOptions",
    "MigrationStatus", "RollbackResult", "Runtime", "SessionError", "SessionMigrationResult",
    "commands", "open_runtime", "verify_data_integrity",
]
