"""The commands, one plain function each, as the console documents them (alembic's command.py
is the model). Each checks its arguments and runs one module that does the work:

    rt = open_runtime(backend)                       # runtime.py
    await migrate_all_sessions(rt, {"dryRun": True})  # batch.py
    await migrate_session_to_chunked(rt, "s-1")      # single.py
    await load_session(rt, "s-1")                     # single.py (on-demand migration)
    await rollback_session_migration(rt, "s-1")       # rollback.py
    await cleanup_old_backups(rt, 30, confirm=True)   # cleanup.py
    await get_migration_status(rt)                    # inventory.py

Options are MigrationOptions or the console's camelCase object. Expected failures raise the
classes of errors.py; the browser edge (browser/service.py) turns them into messages.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import batch, cleanup, rollback, single
from .backups import describe_backups
from .inventory import find_chunked_ids, find_legacy_copies, js_round_percent
from .options import MigrationOptions
from .results import (BatchMigrationResult, CleanupResult, MigrationStatus, RollbackResult,
                      SessionMigrationResult)
from .runtime import Runtime, require_session_id

Options = MigrationOptions | Mapping[str, Any] | None


async def get_migration_status(rt: Runtime) -> MigrationStatus:
    """How many sessions are chunked and legacy, every backup, and what could not be read."""
    keys = await rt.backend.keys("sessions/")
    inventory = await find_legacy_copies(rt.backend, keys)
    problems = list(inventory.problems)
    chunked = await find_chunked_ids(rt.backend, keys, problems)
    problems += await rt.backend.platform_limits()  # a guarantee the browser can't give, said here
    legacy = len(inventory.ids() - chunked) + sum(1 for c in inventory.copies if c.session_id is None)
    total = len(chunked) + legacy
    return MigrationStatus(total=total, chunked=len(chunked), legacy=legacy,
                           percentage=js_round_percent(len(chunked), total),
                           backups=await describe_backups(rt.backend, keys), problems=problems)


async def is_session_chunked(rt: Runtime, session_id: object) -> bool:
    return await rt.is_chunked(require_session_id(session_id))


async def migrate_session_to_chunked(rt: Runtime, session_id: object,
                                     options: Options = None) -> SessionMigrationResult:
    return await single.migrate_one(rt, session_id, MigrationOptions.from_mapping(options))


async def migrate_all_sessions(rt: Runtime, options: Options = None) -> BatchMigrationResult:
    return await batch.migrate_all(rt, MigrationOptions.from_mapping(options))


async def rollback_session_migration(rt: Runtime, session_id: object, backup_path: object = None, *,
                                     force: object = False) -> RollbackResult:
    return await rollback.rollback(rt, session_id, backup_path, force)


async def cleanup_old_backups(rt: Runtime, retention_days: object = 30,
                              confirm: object = False) -> CleanupResult:
    return await cleanup.cleanup(rt, retention_days, confirm)


async def load_session(rt: Runtime, session_id: object) -> dict:
    """The session from chunked storage; a legacy one is migrated first (on-demand migration)."""
    return await single.load_session(rt, session_id)
