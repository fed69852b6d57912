"""One session's migration from one legacy copy: the single command, the batch and on-demand
loading all run this, and a dry run runs it too, on an overlay store. Each step is safe to die
after (invariants: docs/design.md), and returns what the next one takes:

  1. load the legacy copy; check it can be a session (steps.load)
  2.-6. a session not yet chunked: the fresh migration (fresh.py: plan, verify the plan, ONE
     write, read back, the legacy copy goes)
  2.-4. a session found chunked while a legacy copy remains: finishing an earlier run's
     leftovers (leftover.py)
  7. a copy in the `sessions` array goes at once (single.py), or is handed back to the caller
     (Outcome.array_copy), which removes them all in one rewrite at its end (batch.py), then
     marks their markers verified (mark_removed)
  8. the result, built once from what the steps returned
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from time import perf_counter

from ..errors import MigrationError, StorageError, UnstorableKeyError
from ..session import layout
from ..session.checksum import session_checksum
from ..storage.port import StorageBackend
from .fresh import migrate
from .inventory import LegacyCopy
from .leftover import finish
from .markers import read_marker, verified
from .options import MigrationOptions
from .results import SessionMigrationResult
from .runtime import Runtime
from .space import SpaceCheck
from .steps import Done, Gone, JobContext, Loaded, Safeguards, load

Announce = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class ArrayCopy:
    """A migrated session's copy in the `sessions` array, for the caller to remove."""

    session_id: str
    where: str


@dataclass(frozen=True)
class Outcome:
    result: SessionMigrationResult
    array_copy: ArrayCopy | None = None  # None: nothing left in the array for the caller


async def run_job(rt: Runtime, copy: LegacyCopy, options: MigrationOptions, store: StorageBackend, *,
                  defer_array_removal: bool = False, space: SpaceCheck | None = None,
                  announce: Announce | None = None) -> Outcome:
    """Migrates the session in `copy`; the caller holds the session's lock. `announce(name)` is
    awaited once the copy is read (or could not be). `defer_array_removal`: an array copy is
    left for the caller (Outcome.array_copy) instead of removed here."""
    started = perf_counter()
    ctx = JobContext(rt, copy, store, Safeguards.of(options), space or SpaceCheck())
    found: Loaded | Gone | None = None
    loaded: Loaded | None = None
    try:
        try:
            found = await load(ctx)  # 1.
        finally:
            if announce is not None:
                await announce(found.name if isinstance(found, Loaded) else copy.where)
        if isinstance(found, Gone):
            return Outcome(_result(options, started, copy.session_id, success=True, skipped=True,
                                   warnings=(found.warning,)))
        loaded = found
        if layout.metadata_key(loaded.session_id) in loaded.own_keys \
                and await rt.is_chunked(loaded.session_id, store):
            done = await finish(ctx, loaded)  # 2.-4., an earlier run's leftovers
        else:
            done = await migrate(ctx, loaded)  # 2.-6., fresh
        if done.array_copy and not defer_array_removal:
            done = await remove_array_copy(ctx, loaded, done)  # 7.
    except MigrationError as exc:
        return Outcome(_failed(ctx, options, started, loaded, exc, str(exc)))
    except UnstorableKeyError as exc:  # a key this store can never hold: retrying can't help
        name = loaded.name if loaded else copy.where
        return Outcome(_failed(ctx, options, started, loaded, exc,
                               f"{name}: {exc}. Nothing was written; it stays in its legacy form."))
    except StorageError as exc:  # a read or write the store refused: it changed nothing
        name = loaded.name if loaded else copy.where
        return Outcome(_failed(ctx, options, started, loaded, exc,
                               f"{name}: {exc}. Nothing was lost; run again to retry."))
    result = _result(options, started, loaded.session_id, loaded=loaded, done=done, success=True)  # 8.
    return Outcome(result, ArrayCopy(loaded.session_id, copy.where) if done.array_copy else None)


async def remove_array_copy(ctx: JobContext, loaded: Loaded, done: Done) -> Done:
    """The session's `sessions` array copy removed at once (one rewrite of the array)."""
    sid = loaded.session_id
    removed = await ctx.copy.array.remove_items([sid])
    warnings = await mark_removed(ctx.store, [ArrayCopy(sid, ctx.copy.where)], removed, ctx.rt.now_iso())
    return replace(done, array_copy=False, copy_left=sid not in removed,
                   warnings=(*done.warnings, *warnings.values()))


def _failed(ctx: JobContext, options: MigrationOptions, started: float, loaded: Loaded | None,
            exc: Exception, message: str) -> SessionMigrationResult:
    sid = loaded.session_id if loaded else ctx.copy.session_id or ctx.copy.where
    return _result(options, started, sid, loaded=loaded, error=message, cause=exc)


def _result(options: MigrationOptions, started: float, session_id: str, *,
            loaded: Loaded | None = None, done: Done | None = None, warnings: tuple[str, ...] = (),
            **fields) -> SessionMigrationResult:
    done = done or Done()
    return SessionMigrationResult(
        session_id, name=loaded.name if loaded else None, dry_run=options.dry_run,
        resumed=done.resumed, backup_path=done.backup_path, chunk_counts=dict(done.chunk_counts),
        bytes_before=len(loaded.text) if loaded else 0, bytes_after=done.bytes_after,
        warnings=[*(loaded.warnings if loaded else ()), *warnings, *done.warnings],
        legacy_copy_left=done.copy_left, duration_ms=round((perf_counter() - started) * 1000, 3),
        **fields)


async def mark_removed(store: StorageBackend, copies: list[ArrayCopy], removed: list[str],
                       when: str) -> dict[str, str]:
    """After remove_items: verifiedAt on the markers of the sessions removed, in one write.
    Returns a warning for each of the others, by session id (the app changed them since, or they
    were gone already)."""
    removed_ids = set(removed)
    markers = {c.session_id: await read_marker(store, c.session_id) for c in copies
               if c.session_id in removed_ids}  # an unreadable marker only keeps its backup longer
    puts = {layout.migration_marker_key(sid): verified(m, when) for sid, m in markers.items() if m}
    if puts:
        await store.write_batch(puts)
    return {c.session_id: (f"{c.where} was not removed from the sessions array: it changed while the "
                           "session was migrated, or another writer (the app) put it back. It is safe "
                           "in chunked storage; run the migration again to finish.")
            for c in copies if c.session_id not in removed_ids}


async def settle_marker(rt: Runtime, store: StorageBackend, session_id: str) -> str | None:
    """For a chunked session with no legacy copy left whose marker lacks verifiedAt (a run died
    between removing the array copy and marking it): set verifiedAt when the chunked session is
    still exactly the original. Returns a warning when it cannot be read."""
    marker = await read_marker(store, session_id)
    if marker is None or marker.get("verifiedAt") is not None:
        return None
    try:
        loaded = await rt.chunked_on(store).load_full_session(session_id)
    except StorageError as exc:
        return f"{session_id} is in chunked storage but cannot be read: {exc}"
    if loaded is not None and session_checksum(loaded) == marker.get("checksum"):
        await store.write_batch({layout.migration_marker_key(session_id):
                                 verified(marker, rt.now_iso())})
    return None
