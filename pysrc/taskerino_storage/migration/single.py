"""One session: the single command (migrateSingleSession), and on-demand loading (loadSession),
which migrates a legacy session before it returns it."""
from __future__ import annotations

from ..errors import UnknownSessionError, UnmigratableSessionError
from .inventory import LegacyCopy, find_legacy_copies
from .job import run_job, settle_marker
from .locks import session_lock
from .options import MigrationOptions
from .results import SessionMigrationResult
from .runtime import Runtime, require_session_id


async def migrate_one(rt: Runtime, session_id: object, options: MigrationOptions,
                      ) -> SessionMigrationResult:
    sid = require_session_id(session_id)
    async with rt.backend.lock(session_lock(sid)):
        store = rt.store(options.dry_run)
        inventory = await find_legacy_copies(store, session_id=sid)
        if len(inventory.copies) > 1:
            return duplicate_result(inventory.copies, options)
        if inventory.copies:
            return (await run_job(rt, inventory.copies[0], options, store)).result
        if not await rt.is_chunked(sid):
            if inventory.problems:
                raise UnmigratableSessionError(
                    f"Session {sid!r} was not found; note: " + "; ".join(inventory.problems))
            raise UnknownSessionError(sid)
        result = SessionMigrationResult(sid, success=True, skipped=True, dry_run=options.dry_run)
        warning = await settle_marker(rt, store, sid)
        result.warnings.extend([warning] if warning else [])
        return result


def duplicate_result(copies: list[LegacyCopy], options: MigrationOptions) -> SessionMigrationResult:
    sid = copies[0].session_id
    error = UnmigratableSessionError(
        f"Session id {sid!r} appears {len(copies)} times ({', '.join(c.where for c in copies)}); "
        "which one is the session cannot be told, so none of them was changed.")
    return SessionMigrationResult(sid, dry_run=options.dry_run, error=str(error), cause=error)


async def load_session(rt: Runtime, session_id: object) -> dict:
    """The session, from chunked storage; a legacy one is migrated first (on-demand migration).
    A failed migration raises its error; the legacy copy is then unchanged."""
    sid = require_session_id(session_id)
    if not await rt.is_chunked(sid):
        result = await migrate_one(rt, sid, MigrationOptions())
        if result.cause is not None:
            raise result.cause
    session = await rt.chunked.load_full_session(sid)
    if session is None:  # deleted by the app in between
        raise UnknownSessionError(sid)
    return session

