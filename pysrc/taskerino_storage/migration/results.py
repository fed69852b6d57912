"""What the commands return: plain dataclasses; to_dict() gives the camelCase objects the seed
documents (web/lib/taskerino-migration.d.ts declares them, and a test checks that it matches)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .options import Plain, internal


@dataclass
class SessionMigrationResult(Plain):
    session_id: str
    name: str | None = None
    success: bool = False
    skipped: bool = False  # already chunked, nothing to do
    resumed: bool = False  # finished an earlier run's work (it had left the legacy copy)
    dry_run: bool = False
    backup_path: str | None = None
    chunk_counts: dict[str, int] = field(default_factory=dict)
    bytes_before: int = 0  # JSON text of the original session
    bytes_after: int = 0  # JSON text of every chunked record written
    duration_ms: float = 0.0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    #: The session is in chunked storage but its legacy copy was kept (it changed meanwhile, or
    #: skipBackup / skipVerification): a later run removes it. Array copies: see the batch's.
    legacy_copy_left: bool = False
    cause: Exception | None = internal()  # the exception behind `error`, for load_session


@dataclass
class SessionError(Plain):
    session_id: str
    message: str


@dataclass
class BatchMigrationResult(Plain):
    total: int = 0
    migrated: int = 0
    skipped: int = 0
    error_count: int = 0
    errors: list[SessionError] = field(default_factory=list)
    results: list[SessionMigrationResult] = field(default_factory=list)
    duration_ms: float = 0.0
    dry_run: bool = False
    success: bool = False
    stopped: str | None = None  # why the batch stopped early (free space); rerun to go on
    not_migrated: list[str] = field(default_factory=list)  # left for the next run when stopped
    #: Migrated sessions whose legacy copy is still stored (the app changed or wrote it back
    #: meanwhile, or skipBackup / skipVerification): safe in chunked storage; run again to finish.
    legacy_copies_left: list[str] = field(default_factory=list)


@dataclass
class BackupInfo(Plain):
    path: str
    session_id: str
    created_at: str | None
    expires_at: str | None


@dataclass
class MigrationStatus(Plain):
    total: int
    chunked: int
    legacy: int
    percentage: int
    backups: list[BackupInfo] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # records that could not be read; guarantees this browser can't give


@dataclass
class RollbackResult(Plain):
    session_id: str
    backup_path: str
    restored_to: str  # the key written: sessions/{id}, or the sessions array
    forced: bool = False


@dataclass
class KeptBackup(Plain):
    """An expired backup cleanup kept, and why (what to do for it to go)."""

    path: str
    reason: str


@dataclass
class CleanupResult(Plain):
    deleted: list[str] = field(default_factory=list)  # deleted, or (dry run) would be
    kept: int = 0  # every backup kept, expired or not
    dry_run: bool = True
    kept_expired: list[KeptBackup] = field(default_factory=list)  # the expired ones kept, with why
