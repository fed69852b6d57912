"""The migration of Taskerino's legacy (monolithic) sessions to chunked storage, and back.

    Migrator(backend).migrate_all_sessions(MigrationOptions(dry_run=True))

Modules, one job each: options (what commands take and return), legacy (finding sessions,
status), backups / markers / checksum (what a migration leaves behind), verify (the integrity
check), session_job (one session's migration), engine (single, batch, on-demand), rollback,
cleanup, dryrun (the overlay store), space, locks, errors; migrator is the thin facade.
"""
from .errors import (BackupError, DataIntegrityError, InsufficientSpaceError, InvalidArgumentError,
                     MigrationBusyError, MigrationError, RollbackRefusedError, UnknownSessionError,
                     UnmigratableSessionError)
from .migrator import Migrator
from .options import (BackupInfo, BatchMigrationResult, CleanupResult, MigrationOptions,
                      MigrationStatus, RollbackResult, SessionError, SessionMigrationResult)
from .verify import verify_data_integrity

__all__ = [
    "BackupError", "BackupInfo", "BatchMigrationResult", "CleanupResult", "DataIntegrityError",
    "InsufficientSpaceError", "InvalidArgumentError", "MigrationBusyError", "MigrationError",
    "MigrationOptions", "MigrationStatus", "Migrator", "RollbackRefusedError", "RollbackResult",
    "SessionError", "SessionMigrationResult", "UnknownSessionError", "UnmigratableSessionError",
    "verify_data_integrity",
]
