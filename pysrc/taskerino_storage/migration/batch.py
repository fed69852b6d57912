"""The batch: every legacy session, two in flight, and the `sessions` array rewritten once.

The batch holds the batch lock (one per origin; a second one is refused at once), takes each
session's lock while migrating it (two sessions overlap: pipeline.py), reads the `sessions` array one element at a time, and
rewrites that array ONCE, at its end: if it dies midway, the sessions it migrated are chunked
with their array copies still there, and the next run finishes them (leftover.py).
"""
from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from time import perf_counter

from ..errors import InsufficientSpaceError, StorageError
from ..session import layout
from ..storage.port import ArrayRecord
from .inventory import LegacyCopy, find_chunked_ids, find_legacy_copies, js_round_percent
from .job import ArrayCopy, mark_removed, run_job, settle_marker
from .locks import batch_lock, session_lock
from .options import MigrationOptions
from .pipeline import InOrder, run_overlapped
from .results import BatchMigrationResult, SessionError, SessionMigrationResult
from .runtime import Runtime
from .single import duplicate_result
from .space import SpaceCheck

REMOVAL_ROUNDS = 4  # removals of the array copies, while the app's saves put them back


async def migrate_all(rt: Runtime, options: MigrationOptions) -> BatchMigrationResult:
    started = perf_counter()
    batch = BatchMigrationResult(dry_run=options.dry_run)
    async with batch_lock(rt.backend):
        reader = rt.store(options.dry_run)  # the array is opened through it: a dry run never rewrites it
        keys = await rt.backend.keys("sessions/")
        inventory = await find_legacy_copies(reader, keys)
        problems = list(inventory.problems)
        chunked = await find_chunked_ids(rt.backend, keys, problems)
        groups = inventory.grouped()
        legacy_ids = inventory.ids()
        batch.total = len(chunked | legacy_ids) + sum(1 for c in inventory.copies if c.session_id is None)
        batch.errors.extend(SessionError(layout.LEGACY_SESSIONS_KEY, p) for p in problems)

        for sid in sorted(chunked - legacy_ids):
            skipped = SessionMigrationResult(sid, success=True, skipped=True, dry_run=options.dry_run)
            warning = await settle_marker(rt, rt.store(options.dry_run), sid)
            skipped.warnings.extend([warning] if warning else [])
            batch.results.append(skipped)

        deferred: list[ArrayCopy] = []  # array copies of migrated sessions: removed at the end
        announced, reported = InOrder(), InOrder()
        space = SpaceCheck()

        def start(n: int) -> bool:
            return not batch.stopped  # out of space: the rest wait for the next run

        async def migrate(n: int) -> SessionMigrationResult:
            result = await _migrate_group(rt, groups[n - 1], options, deferred, space, n,
                                          len(groups), announced, reported)
            if isinstance(result.cause, InsufficientSpaceError):
                batch.stopped = batch.stopped or result.error
            return result

        for group, result in zip(groups, await run_overlapped(len(groups), start, migrate)):
            if result is not None:
                batch.results.append(result)
            if result is None or isinstance(result.cause, InsufficientSpaceError):
                batch.not_migrated.append(group[0].session_id or group[0].where)

        left_in_array: list[str] = []
        if deferred:
            ids = [c.session_id for c in deferred]
            try:
                removed, left_in_array = await remove_array_copies(
                    inventory.array, ids, 0.0 if options.dry_run else rt.backend.other_writer_settle_seconds)
            except StorageError as exc:
                left_in_array = ids
                batch.errors.append(SessionError(layout.LEGACY_SESSIONS_KEY, (
                    f"The migrated sessions could not be removed from the sessions array ({exc}); "
                    "they are safe in chunked storage. Run the migration again to finish.")))
            else:
                try:
                    not_removed = await mark_removed(rt.store(options.dry_run), deferred,
                                                     [i for i in removed if i not in left_in_array],
                                                     rt.now_iso())
                except StorageError as exc:
                    batch.errors.append(SessionError(layout.LEGACY_SESSIONS_KEY, (
                        f"The migrated sessions were removed from the sessions array, but their "
                        f"markers could not be marked verified ({exc}); the next run does it.")))
                else:
                    for result in batch.results:
                        if result.session_id in not_removed:
                            result.warnings.append(not_removed[result.session_id])
        batch.legacy_copies_left = sorted(
            set(left_in_array) | {r.session_id for r in batch.results if r.legacy_copy_left and not r.error})

        for result in batch.results:
            if result.error:
                batch.errors.append(SessionError(result.session_id, result.error))
        batch.migrated = sum(1 for r in batch.results if r.success and not r.skipped)
        batch.skipped = sum(1 for r in batch.results if r.skipped)
        batch.error_count = len(batch.errors)
        batch.success = not batch.errors and not batch.stopped
        if batch.stopped:
            await options.progress(f"Stopped: {batch.stopped}", js_round_percent(
                len(groups) - len(batch.not_migrated), len(groups)))
        else:
            await options.progress(f"Complete: {batch.migrated} migrated, {batch.skipped} skipped, "
                                   f"{len(batch.errors)} errors", 100)
    batch.duration_ms = round((perf_counter() - started) * 1000, 3)
    return batch


async def remove_array_copies(array: ArrayRecord, ids: list[str],
                              settle_seconds: float) -> tuple[list[str], list[str]]:
    """Remove the migrated sessions' copies from the `sessions` array (only those still exactly
    as handed over). Returns the ids removed, and those of `ids` still in the array at the end.

    The app saves its array whole: a save it began before our rewrite (read, change, write)
    lands after it and puts the removed copies back, unchanged. So `settle_seconds` after each
    removal, the array is checked, and what came back is removed again (it is still exactly as
    handed over), at most REMOVAL_ROUNDS times. The last look comes a settle after the last
    removal, so what it finds left is what a save shorter than that left. See docs/design.md,
    "The app's saves"."""
    removed = await array.remove_items(ids)
    if not settle_seconds or not removed:
        return removed, await array.present_ids(ids)
    for round_ in range(1, REMOVAL_ROUNDS + 1):
        await asyncio.sleep(settle_seconds)  # a look right after our own write would see nothing back yet
        present = await array.present_ids(ids)  # one read a round: what came back, and what is left
        back = [i for i in present if i in removed]
        if not back or round_ == REMOVAL_ROUNDS:
            break
        await array.remove_items(back)
    return removed, present


async def _migrate_group(rt: Runtime, group: list[LegacyCopy], options: MigrationOptions,
                         deferred: list[ArrayCopy], space: SpaceCheck, n: int, count: int,
                         announced: InOrder, reported: InOrder) -> SessionMigrationResult:
    async def announce(name: str) -> None:
        async with announced.turn(n):
            await options.progress(f"Migrating session {n}/{count}: {name}", js_round_percent(n - 1, count))

    if len(group) > 1:
        await announce(group[0].session_id)
        result = duplicate_result(group, options)
    else:
        copy = group[0]
        async with AsyncExitStack() as held:
            if copy.session_id is not None:  # else not a session: it only gets its error, no lock needed
                await held.enter_async_context(rt.backend.lock(session_lock(copy.session_id)))
            outcome = await run_job(rt, copy, options, rt.store(options.dry_run), defer_array_removal=True,
                                    space=space, announce=announce)
        result = outcome.result
        if outcome.array_copy is not None:
            deferred.append(outcome.array_copy)
    if options.verbose:
        async with reported.turn(n):
            await options.progress(_verbose_line(result), js_round_percent(n, count))
    return result


def _verbose_line(result: SessionMigrationResult) -> str:
    name = result.name or result.session_id
    if result.error:
        return f"  ✗ {name}: {result.error.splitlines()[0]}"
    if result.resumed:
        done = "finished an earlier run"
    else:
        chunks = sum(result.chunk_counts.values())
        done = (f"{chunks} chunk records, {result.bytes_before / 1000:.1f} KB → "
                f"{result.bytes_after / 1000:.1f} KB")
    verb = "would migrate" if result.dry_run else "migrated"
    extra = f" ({len(result.warnings)} warnings)" if result.warnings else ""
    return f"  ✓ {name}: {verb}, {done}{extra}"
