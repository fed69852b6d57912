"""Migrator: the public face of the migration, one thin method per command of the seed.
The work is done by the runtime modules (engine, rollback, cleanup, legacy)."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from ..backend import StorageBackend
from ..chunked import ChunkedSessionStorage
from . import cleanup, engine, legacy, rollback
from .errors import InvalidArgumentError
from .options import (BatchMigrationResult, CleanupResult, MigrationOptions, MigrationStatus,
                      RollbackResult, SessionMigrationResult)
from .runtime import Runtime, require_session_id

Options = MigrationOptions | Mapping[str, Any] | None


class Migrator:
    """Migrates Taskerino's legacy sessions on `backend` to chunked storage.

    now: a datetime or a function returning one (tests pin it to check expiry); a naive one is UTC.
    chunked: the ChunkedSessionStorage to write with (chunk sizes); one on `backend` by default.
    """

    def __init__(self, backend: StorageBackend, *,
                 now: datetime | Callable[[], datetime] | None = None,
                 chunked: ChunkedSessionStorage | None = None):
        if not isinstance(backend, StorageBackend):
            raise InvalidArgumentError(f"backend must be a StorageBackend, got {type(backend).__name__}")
        clock = _clock(now)
        if chunked is None:
            chunked = ChunkedSessionStorage(backend, now=clock)
        elif chunked.backend is not backend:
            raise InvalidArgumentError("chunked must be a ChunkedSessionStorage on the same backend")
        self.backend = backend
        self.runtime = Runtime(backend, chunked, clock)

    async def get_migration_status(self) -> MigrationStatus:
        return await legacy.migration_status(self.backend)

    async def is_session_chunked(self, session_id: str) -> bool:
        return await self.runtime.is_chunked(require_session_id(session_id))

    async def migrate_session_to_chunked(self, session_id: str,
                                         options: Options = None) -> SessionMigrationResult:
        return await engine.migrate_one(self.runtime, session_id, MigrationOptions.from_mapping(options))

    async def migrate_all_sessions(self, options: Options = None) -> BatchMigrationResult:
        return await engine.migrate_all(self.runtime, MigrationOptions.from_mapping(options))

    async def rollback_session_migration(self, session_id: str, backup_path: str | None = None, *,
                                         force: bool = False) -> RollbackResult:
        return await rollback.rollback(self.runtime, session_id, backup_path, force)

    async def cleanup_old_backups(self, retention_days: int = 30,
                                  confirm: bool = False) -> CleanupResult:
        return await cleanup.cleanup(self.runtime, retention_days, confirm)

    async def load_session(self, session_id: str) -> dict:
        return await engine.load_session(self.runtime, session_id)


def _clock(now: datetime | Callable[[], datetime] | None) -> Callable[[], datetime]:
    if now is None:
        return lambda: datetime.now(timezone.utc)
    if isinstance(now, datetime):
        fixed = _aware(now)
        return lambda: fixed
    if callable(now):
        return lambda: _aware(now())
    raise InvalidArgumentError(f"now must be a datetime or a function returning one, got {now!r}")


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)
