"""What the commands take (MigrationOptions) and what they return: plain dataclasses whose
to_dict() gives the camelCase objects the seed documents, for the console and the JS side."""
from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from .errors import InvalidArgumentError

#: on_progress(message, percent): percent is 0..100. May return an awaitable (a JS callback).
OnProgress = Callable[[str, int], Any]


def to_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def to_plain(value: Any) -> Any:
    """Dataclasses as camelCase dicts, recursively; fields marked internal are left out."""
    if is_dataclass(value) and not isinstance(value, type):
        return {to_camel(f.name): to_plain(getattr(value, f.name))
                for f in fields(value) if not f.metadata.get("internal")}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return value


class Plain:
    def to_dict(self) -> dict:
        return to_plain(self)


def _internal(default: Any = None) -> Any:
    return field(default=default, repr=False, compare=False, metadata={"internal": True})


@dataclass
class MigrationOptions(Plain):
    """How to migrate. skip_backup / skip_verification keep the legacy copy (it is then the only
    backup, or the only verified copy); a later run without them finishes those sessions."""

    dry_run: bool = False
    verbose: bool = False
    skip_verification: bool = False
    skip_backup: bool = False
    backup_retention_days: int = 30
    on_progress: OnProgress | None = field(default=None, metadata={"internal": True})

    def __post_init__(self) -> None:
        for name in ("dry_run", "verbose", "skip_verification", "skip_backup"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidArgumentError(
                    f"option {to_camel(name)} must be true or false, got {getattr(self, name)!r}")
        require_days("backupRetentionDays", self.backup_retention_days)
        if self.on_progress is not None and not callable(self.on_progress):
            raise InvalidArgumentError("option onProgress must be a function (message, percent)")

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any] | None) -> "MigrationOptions":
        """From the console's camelCase object (snake_case names work too)."""
        if options is None:
            return cls()
        if isinstance(options, cls):
            return options
        if not isinstance(options, Mapping):
            raise InvalidArgumentError(f"options must be an object, got {type(options).__name__}")
        names = {to_camel(f.name): f.name for f in fields(cls)} | {f.name: f.name for f in fields(cls)}
        unknown = [k for k in options if k not in names]
        if unknown:
            raise InvalidArgumentError(
                f"unknown option(s) {', '.join(map(repr, unknown))}; known: "
                + ", ".join(to_camel(f.name) for f in fields(cls)))
        return cls(**{names[k]: v for k, v in options.items()})

    async def progress(self, message: str, percent: int) -> None:
        if self.on_progress is not None:
            returned = self.on_progress(message, percent)
            if inspect.isawaitable(returned):
                await returned


def require_days(name: str, days: Any) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise InvalidArgumentError(f"{name} must be a whole number of days (0 or more), got {days!r}")
    return days


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
    cause: Exception | None = _internal()  # the exception behind `error`, for load_session


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
    problems: list[str] = field(default_factory=list)  # records that could not be read


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
