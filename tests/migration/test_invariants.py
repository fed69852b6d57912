"""The invariants under fault injection: a crash (or a failed call) at EVERY operation of a batch
over both layouts leaves every session readable from its legacy copy or its complete chunked
form, status saying which; a rerun then finishes with everything migrated exactly once."""
import pytest
from taskerino_storage.errors import StorageError
from taskerino_storage.migration import MigrationOptions, commands

from .faulty import Crash, FaultyBackend
from .helpers import check_every_session_readable, check_fully_migrated, deep, migrator, sessions, store_with

ORIGINALS = sessions(5, broken=2)


def fresh_store():
    """Three sessions in the app's array, two as sessions/{id} records."""
    return store_with(array=deep(ORIGINALS[:3]), records=deep(ORIGINALS[3:]))


async def count_ops(run, **faults):
    faulty = FaultyBackend(fresh_store(), **faults)
    await run(faulty)
    return faulty.ops, faulty.writes


async def batch(backend):
    result = await commands.migrate_all_sessions(migrator(backend))
    return result


async def single_then_load(backend):
    m = migrator(backend)
    await commands.migrate_session_to_chunked(m, ORIGINALS[0]["id"])  # from the array
    await commands.migrate_session_to_chunked(m, ORIGINALS[3]["id"])  # from a record
    await commands.load_session(m, ORIGINALS[1]["id"])  # on demand, from the array


async def crash_then_rerun(run, **faults):
    inner = fresh_store()
    faulty = FaultyBackend(inner, **faults)
    try:
        await run(faulty)
    except (Crash, StorageError):
        pass
    await check_every_session_readable(inner, ORIGINALS)  # invariant 1, at the crash
    rerun = await commands.migrate_all_sessions(migrator(inner))  # invariant 4
    assert rerun.success, rerun.errors
    await check_fully_migrated(inner, ORIGINALS)
    return faulty


@pytest.mark.parametrize(("run", "pause"), [(batch, False), (batch, True), (single_then_load, False)],
                         ids=["batch", "batch-sessions-overlapping", "single+load"])
async def test_a_crash_at_every_operation_loses_nothing_and_a_rerun_finishes(run, pause):
    """pause: every call yields, so the batch's two sessions in flight interleave their steps."""
    ops, _ = await count_ops(run, pause=pause)
    assert ops > 30  # every read, write and lock of 5 sessions
    for n in range(1, ops + 2):
        await crash_then_rerun(run, crash_at=n, pause=pause)


@pytest.mark.parametrize("after_write", [False, True], ids=["refused", "landed"])
@pytest.mark.parametrize(("run", "pause"), [(batch, False), (batch, True), (single_then_load, False)],
                         ids=["batch", "batch-sessions-overlapping", "single+load"])
async def test_a_crash_at_every_write_loses_nothing(run, pause, after_write):
    _, writes = await count_ops(run, pause=pause)
    assert writes >= 6
    for n in range(1, writes + 2):
        await crash_then_rerun(run, crash_at_write=n, after_write=after_write, pause=pause)


async def test_a_failed_call_anywhere_is_survived_and_a_rerun_finishes():
    ops, _ = await count_ops(batch)
    for n in range(1, ops + 2):
        await crash_then_rerun(batch, crash_at=n, sticky=False,
                               error=StorageError("IndexedDB failed: transaction aborted"))


async def test_a_rerun_touches_no_finished_session():
    inner = fresh_store()
    await commands.migrate_all_sessions(migrator(inner))
    before = {k: r["data"] for k, r in inner.records.items()}
    faulty = FaultyBackend(inner)
    again = await commands.migrate_all_sessions(migrator(faulty))
    assert again.success and again.migrated == 0 and again.skipped == 5
    assert not [op for op in faulty.log if op[0] in ("write_batch", "remove_items")]
    assert {k: r["data"] for k, r in inner.records.items()} == before


async def test_a_crash_during_a_dry_run_writes_nothing():
    ops, _ = await count_ops(lambda b: commands.migrate_all_sessions(migrator(b), MigrationOptions(dry_run=True)))
    for n in range(1, ops + 1):
        inner = fresh_store()
        before = {k: r["data"] for k, r in inner.records.items()}
        with pytest.raises(Crash):
            await commands.migrate_all_sessions(migrator(FaultyBackend(inner, crash_at=n)), {"dryRun": True})
        assert {k: r["data"] for k, r in inner.records.items()} == before
