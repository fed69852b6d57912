"""migrate_all_sessions: both layouts, progress, errors, unmigratable data, space, memory, locks."""
import asyncio

import pytest
from taskerino_storage.errors import LockBusyError, MigrationBusyError
from taskerino_storage.migration import MigrationOptions, commands
from taskerino_storage.session import layout
from taskerino_storage.session.compare import json_equal
from taskerino_storage.storage import codec
from taskerino_storage.storage.chunked import ChunkedSessionStorage
from taskerino_storage.storage.memory import MemoryBackend

from .faulty import FaultyBackend
from .helpers import (check_every_session_readable, check_fully_migrated, decoded, deep, legacy_copies,
                      migrator, raw, sessions, store_with, ticking_clock)

S = sessions(8, broken=3)


class CountingStore(MemoryBackend):
    """Counts rewrites of the `sessions` array and every key read through get_many."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.array_writes = 0
        self.read_keys = []

    async def write_batch(self, puts=None, deletes=(), *, index=None):
        self.array_writes += "sessions" in (puts or {})
        await super().write_batch(puts, deletes, index=index)

    async def get_many(self, keys):
        keys = list(keys)
        self.read_keys.extend(keys)
        return await super().get_many(keys)


def counting_store(array, records=()):
    backend = CountingStore()
    backend.records = store_with(array=array, records=records).records
    return backend


async def test_migrates_every_session_of_both_layouts():
    backend = store_with(array=deep(S[:5]), records=deep(S[5:]))
    result = await commands.migrate_all_sessions(migrator(backend))
    assert result.success and (result.total, result.migrated, result.skipped) == (8, 8, 0)
    assert result.errors == [] and len(result.results) == 8
    await check_fully_migrated(backend, S)
    assert decoded(backend, "sessions") == []


async def test_progress_reads_like_the_seed():
    backend = store_with(array=deep(S[:3]), records=deep(S[3:4]))
    await ChunkedSessionStorage(backend).save_full_session(deep(S[4]))
    seen = []
    result = await commands.migrate_all_sessions(migrator(backend), {"onProgress": lambda m, p: seen.append((p, m))})
    assert seen == [(0, f"Migrating session 1/4: {S[0]['name']}"),
                    (25, f"Migrating session 2/4: {S[1]['name']}"),
                    (50, f"Migrating session 3/4: {S[2]['name']}"),
                    (75, f"Migrating session 4/4: {S[3]['name']}"),
                    (100, "Complete: 4 migrated, 1 skipped, 0 errors")]
    assert (result.total, result.migrated, result.skipped) == (5, 4, 1)


async def test_verbose_progress_adds_a_line_per_session_and_async_callbacks_are_awaited():
    backend = store_with(records=deep(S[:2]))
    seen = []

    async def on_progress(message, percent):
        await asyncio.sleep(0)
        seen.append(message)
    await commands.migrate_all_sessions(migrator(backend), MigrationOptions(verbose=True, on_progress=on_progress))
    assert seen[1].startswith(f"  ✓ {S[0]['name']}: migrated, ") and len(seen) == 5


async def test_continues_past_failing_sessions_and_reports_each():
    backend = store_with(array=deep(S[:3]), records=deep(S[3:5]))
    backend.put_raw(layout.legacy_session_key(S[3]["id"]), "GZIP_V1:###")  # undecodable
    result = await commands.migrate_all_sessions(migrator(backend))
    assert not result.success and result.migrated == 4
    assert result.to_dict()["errorCount"] == 1
    [error] = result.to_dict()["errors"]
    assert error["sessionId"] == S[3]["id"] and "cannot be decoded" in error["message"]


async def test_measures_its_duration():
    result = await commands.migrate_all_sessions(migrator(store_with(array=deep(S[:2]))))
    assert result.duration_ms > 0 and all(r.duration_ms > 0 for r in result.results)
    assert result.to_dict()["durationMs"] == result.duration_ms


async def test_already_chunked_sessions_are_skipped():
    backend = store_with(array=deep(S[:2]))
    for s in S[2:5]:
        await ChunkedSessionStorage(backend).save_full_session(deep(s))
    result = await commands.migrate_all_sessions(migrator(backend))
    assert (result.total, result.migrated, result.skipped) == (5, 2, 3)
    assert sorted(r.session_id for r in result.results if r.skipped) == sorted(s["id"] for s in S[2:5])


async def test_a_dry_run_writes_nothing_and_reports_every_session():
    backend = store_with(array=deep(S[:4]), records=deep(S[4:]))
    before = raw(backend)
    result = await commands.migrate_all_sessions(migrator(backend), MigrationOptions(dry_run=True))
    assert result.success and result.dry_run and result.migrated == 8
    assert all(r.dry_run and r.bytes_after > 0 and r.backup_path for r in result.results)
    assert sum(len(r.warnings) > 0 for r in result.results) >= 3  # the broken ones
    assert raw(backend) == before


async def test_the_array_is_read_one_element_at_a_time_and_rewritten_once():
    backend = counting_store(deep(S[:6]), deep(S[6:]))
    faulty = FaultyBackend(backend)
    result = await commands.migrate_all_sessions(migrator(faulty))
    assert result.success
    assert "sessions" not in backend.read_keys  # never get() the whole array
    items = [op[1] for op in faulty.log if op[0] == "item"]
    assert sorted(items) == list(range(6))  # each element handed over once
    assert [op for op in faulty.log if op[0] == "remove_items"] == [("remove_items", [s["id"] for s in S[:6]])]
    assert backend.array_writes == 1


@pytest.mark.parametrize("bad", [
    "not a session", 7, None, ["a"], {"name": "no id"}, {"id": 12}, {"id": "a/b"}, {"id": ""}])
async def test_unmigratable_array_elements_get_errors_and_stay_as_they_were(bad):
    array = [deep(S[0]), bad, deep(S[1])]
    backend = store_with(array=array)
    result = await commands.migrate_all_sessions(migrator(backend))
    assert result.migrated == 2 and len(result.errors) == 1
    assert "sessions[1]" in result.errors[0].message and "left as it is" in result.errors[0].message
    assert decoded(backend, "sessions") == [bad]


async def test_duplicate_ids_are_left_byte_identical_with_a_clear_error():
    dup = deep(S[0])
    backend = store_with(array=[dup, deep(S[1]), deep(dup) | {"name": "twin"}], records=[deep(S[2]), deep(S[1])])
    backend.put_raw("sessions", codec.encode_data([dup, deep(dup) | {"name": "twin"}]))
    before = raw(backend)
    backend2 = store_with(records=[deep(S[2]), deep(S[1])], array=[deep(S[1])])
    before2 = raw(backend2)
    result = await commands.migrate_all_sessions(migrator(backend))
    assert [e.session_id for e in result.errors] == [S[0]["id"]]
    assert "appears 2 times (sessions[0], sessions[1])" in result.errors[0].message
    assert raw(backend)["sessions"] == before["sessions"]  # nothing removed: never rewritten
    result2 = await commands.migrate_all_sessions(migrator(backend2))
    assert [e.session_id for e in result2.errors] == [S[1]["id"]]
    assert "(sessions[0], sessions/" in result2.errors[0].message
    for key in ("sessions", layout.legacy_session_key(S[1]["id"])):
        assert raw(backend2)[key] == before2[key]
    assert result2.migrated == 1


async def test_an_undecodable_sessions_array_is_left_alone_and_records_still_migrate():
    backend = store_with(records=deep(S[:2]))
    backend.put_raw("sessions", "GZIP_V1:broken")
    result = await commands.migrate_all_sessions(migrator(backend))
    assert result.migrated == 2 and not result.success
    assert result.errors[0].session_id == "sessions" and "cannot be decoded" in result.errors[0].message
    assert backend.records["sessions"]["data"] == "GZIP_V1:broken"


async def test_running_out_of_space_stops_the_batch_cleanly_and_a_rerun_goes_on():
    backend = store_with(array=deep(S[:3]), records=deep(S[3:5]), encoding="json")
    dry = await commands.migrate_all_sessions(migrator(backend), MigrationOptions(dry_run=True))
    needed = dry.results[0].bytes_after + dry.results[0].bytes_before + 512
    backend.quota = (await backend.estimate()).usage + 2 * needed + 1000  # room for one session
    result = await commands.migrate_all_sessions(migrator(backend))
    assert not result.success and result.stopped.startswith("Not enough storage space to migrate ")
    assert result.stopped.endswith("Free some space, then run again; nothing was lost.")
    assert result.migrated == 1 and result.results[-1].error == result.stopped
    assert len(result.not_migrated) == 5 - result.migrated
    await check_every_session_readable(backend, S[:5])
    backend.quota = 1 << 40
    assert (await commands.migrate_all_sessions(migrator(backend))).success
    await check_fully_migrated(backend, S[:5])


async def test_a_write_refused_for_quota_stops_the_batch_and_loses_nothing():
    backend = store_with(array=deep(S[:3]))
    backend.quota = (await backend.estimate()).usage + 5_000  # the estimate check is fooled below
    result = await commands.migrate_all_sessions(migrator(FaultyBackend(backend, free=1 << 40)))
    assert result.stopped and "Not enough storage space" in result.stopped
    assert result.migrated == 0 and len(result.not_migrated) == 3
    await check_every_session_readable(backend, S[:3])


async def test_a_second_batch_at_once_gets_the_other_tab_error():
    backend = store_with(array=deep(S[:4]))
    shared = FaultyBackend(backend, pause=True)
    outcomes = await asyncio.gather(commands.migrate_all_sessions(migrator(shared)),
                                    commands.migrate_all_sessions(migrator(shared)), return_exceptions=True)
    busy = [o for o in outcomes if isinstance(o, Exception)]
    assert len(busy) == 1 and isinstance(busy[0], MigrationBusyError) and isinstance(busy[0], LockBusyError)
    assert str(busy[0]) == "Another tab is migrating sessions right now; wait for it to finish, then run again."
    await check_fully_migrated(backend, S[:4])


@pytest.mark.parametrize("delay", [0, 5, 20, 50, 100, 200])
async def test_load_session_during_a_batch_gets_its_session_and_nothing_is_duplicated(delay):
    backend = store_with(array=deep(S[:4]), records=deep(S[4:6]))
    shared = FaultyBackend(backend, pause=True)
    m = migrator(shared, now=ticking_clock())  # two migrations of one session would make two backups

    async def load_later(sid, extra):
        for _ in range(delay + extra):
            await asyncio.sleep(0)
        return await commands.load_session(m, sid)
    batch, *loaded = await asyncio.gather(
        commands.migrate_all_sessions(m), load_later(S[3]["id"], 0), load_later(S[5]["id"], 7),
        load_later(S[0]["id"], 13))
    assert batch.success, batch.errors
    assert [json_equal(x, s) for x, s in zip(loaded, [S[3], S[5], S[0]])] == [True] * 3
    await check_fully_migrated(backend, S[:6])


async def test_a_crashed_batch_is_finished_by_the_next_one():
    """Chunked with the array copy still there (the run died before rewriting the array)."""
    backend = store_with(array=deep(S[:3]))
    storage = ChunkedSessionStorage(backend)
    for s in S[:2]:  # as if migrated by a run that died: chunked, but no backup, no marker
        await storage.save_full_session(deep(s))
    result = await commands.migrate_all_sessions(migrator(backend))
    assert result.success and result.migrated == 3
    assert sum(r.resumed for r in result.results) == 2
    await check_fully_migrated(backend, S[:3])


async def test_a_chunked_session_that_differs_from_its_legacy_copy_keeps_both():
    """E.g. Taskerino's own lossy save chunked it: the legacy copy holds more. Never removed."""
    backend = store_with(array=deep(S[:1]))
    lossy = deep(S[0])
    lossy.pop("tags", None)
    lossy["name"] = "saved by the app"
    await ChunkedSessionStorage(backend).save_full_session(lossy)
    before = raw(backend)
    result = await commands.migrate_all_sessions(migrator(backend))
    [error] = result.errors
    assert "differs from it; both were kept" in error.message and "Name mismatch (name)" in error.message
    assert raw(backend) == before
    assert legacy_copies(backend) == {S[0]["id"]: [S[0]]}


async def test_unmigratable_sessions_alone_leave_every_record_byte_identical():
    """Invariant 7: nothing to remove, so the array is never rewritten; bad records untouched."""
    backend = store_with(array=["junk", {"id": 3}, deep(S[0]), deep(S[0])])
    backend.put_raw("sessions/undecodable", "GZIP_V1:%%%")
    backend.put_raw("sessions/not-an-object", '"a string"')
    backend.put_raw("sessions/wrong-id", codec.encode_data(deep(S[1]) | {"id": "other"}))
    before = raw(backend)
    result = await commands.migrate_all_sessions(migrator(backend))
    assert result.migrated == 0 and len(result.errors) == 6
    assert raw(backend) == before


# --- two sessions in flight (pipeline.py) -----------------------------------------------------

class SlowFirstSession(FaultyBackend):
    """Every call yields, as IndexedDB's do; the first session takes longest to read."""

    async def open_array(self, key):
        array = await super().open_array(key)
        read_item = array.read_item

        async def slow(index):
            for _ in range(50 if index == 0 else 0):
                await asyncio.sleep(0)
            return await read_item(index)
        array.read_item = slow
        return array


async def test_two_sessions_overlap_and_progress_stays_in_session_order():
    backend = store_with(array=deep(S[:6]))
    shared = SlowFirstSession(backend, pause=True)
    lines = []
    result = await commands.migrate_all_sessions(migrator(shared), 
        {"verbose": True, "onProgress": lambda message, percent: lines.append(message)})
    assert result.success and result.migrated == 6
    second_locked = shared.log.index(("lock", f"taskerino-migration:session:{S[1]['id']}"))
    first_written = next(i for i, op in enumerate(shared.log)
                         if op[0] == "write_batch" and f"sessions/{S[0]['id']}/metadata" in op[1])
    assert second_locked < first_written, "the 2nd session started only after the 1st was written"
    started = [line for line in lines if line.startswith("Migrating session")]
    done = [line for line in lines if line.startswith("  ✓")]
    assert started == [f"Migrating session {n}/6: {s['name']}" for n, s in enumerate(S[:6], 1)]
    assert done == [line for s in S[:6] for line in done if line.startswith(f"  ✓ {s['name']}:")]
    assert [r.session_id for r in result.results] == [s["id"] for s in S[:6]]
    await check_fully_migrated(backend, S[:6])


async def test_out_of_space_midway_stops_starting_sessions_and_lists_the_rest_in_order():
    backend = store_with(array=deep(S[:6]))
    one = len(codec.dumps(S[0]))
    faulty = FaultyBackend(backend, pause=True)
    backend.quota = (await backend.estimate()).usage + 5 * one  # room for about two sessions
    result = await commands.migrate_all_sessions(migrator(faulty))
    assert result.stopped and "Not enough storage space" in result.stopped
    migrated = [r.session_id for r in result.results if r.success]
    assert migrated and migrated == [s["id"] for s in S[:len(migrated)]]
    assert result.not_migrated == [s["id"] for s in S[len(migrated):6]]
    await check_every_session_readable(backend, S[:6])
    backend.quota = 1 << 40
    assert (await commands.migrate_all_sessions(migrator(backend))).success
    await check_fully_migrated(backend, S[:6])


async def test_verification_reads_back_the_session_records_not_the_backup_it_just_wrote():
    backend = counting_store(deep(S[:3]))
    assert (await commands.migrate_all_sessions(migrator(backend))).success
    assert backend.read_keys and not [k for k in backend.read_keys if ".backup-" in k]
    await check_fully_migrated(backend, S[:3])


class MetadataVanishes(MemoryBackend):
    """The app deletes a chunked session right after the batch found it chunked."""

    def __init__(self, victim):
        super().__init__()
        self.victim, self.metadata_reads = victim, 0

    async def get_many(self, keys):
        keys = list(keys)
        if layout.metadata_key(self.victim) in keys:
            self.metadata_reads += 1
            if self.metadata_reads == 3:  # found chunked, is_chunked said yes: the app deletes it now
                await ChunkedSessionStorage(self).delete_session(self.victim)
        return await super().get_many(keys)


async def test_a_chunked_session_deleted_by_the_app_mid_batch_gets_its_own_error_and_the_batch_goes_on():
    backend = MetadataVanishes(S[0]["id"])
    backend.records = store_with(array=deep(S[:3])).records
    await ChunkedSessionStorage(backend).save_full_session(deep(S[0]))  # chunked, legacy copy left
    result = await commands.migrate_all_sessions(migrator(backend))
    failed = {r.session_id: r.error for r in result.results if r.error}
    assert list(failed) == [S[0]["id"]] and "left chunked storage" in failed[S[0]["id"]]
    assert legacy_copies(backend)[S[0]["id"]] == [S[0]]  # its legacy copy kept, unchanged
    assert result.migrated == 2


async def test_a_leftover_legacy_copy_goes_when_the_app_edited_the_chunked_session_and_a_backup_holds_it():
    backend = store_with(array=deep(S[:1]))
    m = migrator(backend, now=ticking_clock())
    assert (await commands.migrate_all_sessions(m)).success
    backup = (await commands.get_migration_status(m)).backups[0].path
    backend.records["sessions"] = store_with(array=deep(S[:1])).records["sessions"]  # a leftover copy
    edited = deep(S[0]) | {"name": "renamed in the app"}
    await ChunkedSessionStorage(backend).save_full_session(edited)  # the app saves it chunked
    result = await commands.migrate_all_sessions(m)
    assert result.success and "was changed after it was migrated" in result.results[0].warnings[-1]
    assert legacy_copies(backend) == {}
    assert json_equal(await commands.load_session(m, S[0]["id"]), edited)  # the app's edit kept
    assert json_equal(decoded(backend, backup)["session"], S[0])  # the original kept in its backup


# --- the app's saves put removed copies back (issue: a batch that reports success leaves them)

class AppSavesBehind(MemoryBackend):
    """The app rewrites its whole `sessions` array from a read made before our rewrite: right
    after each of the first `saves` array rewrites, the array as it was before comes back."""

    other_writer_settle_seconds = 0.001

    def __init__(self, saves: int, **kw):
        super().__init__(**kw)
        self.saves = saves

    async def open_array(self, key):
        array = await super().open_array(key)
        remove_items = array.remove_items

        async def remove_then_app_saves(ids):
            before = self.raw(key)
            removed = await remove_items(ids)
            if removed and self.saves > 0:
                self.saves -= 1
                self.put_raw(key, before)
            return removed
        array.remove_items = remove_then_app_saves
        return array


def app_saving_store(saves: int) -> AppSavesBehind:
    backend = AppSavesBehind(saves)
    backend.records = store_with(array=deep(S[:6])).records
    return backend


async def test_copies_an_app_save_puts_back_are_removed_again():
    backend = app_saving_store(saves=2)
    result = await commands.migrate_all_sessions(migrator(backend))
    assert (result.migrated, result.legacy_copies_left, result.success) == (6, [], True)
    assert decoded(backend, "sessions") == []
    await check_fully_migrated(backend, S[:6])


async def test_copies_the_app_keeps_putting_back_are_named_and_their_markers_left_unverified():
    backend = app_saving_store(saves=100)
    result = await commands.migrate_all_sessions(migrator(backend))
    migrated = sorted(r.session_id for r in result.results if r.success and not r.skipped)
    assert len(migrated) == 6 and result.legacy_copies_left == migrated
    assert [s["id"] for s in decoded(backend, "sessions") if s["id"] in migrated] == [
        s["id"] for s in S[:6] if s["id"] in migrated]  # still there, as they were
    for sid in migrated:
        assert decoded(backend, layout.migration_marker_key(sid))["verifiedAt"] is None
        warnings = next(r.warnings for r in result.results if r.session_id == sid)
        assert any("put it back" in w for w in warnings)
    assert set((await check_every_session_readable(backend, S[:6])).values()) == {"chunked"}
    # A run once the app is quiet finishes them.
    backend.saves = 0
    rerun = await commands.migrate_all_sessions(migrator(backend, now=ticking_clock()))
    assert rerun.legacy_copies_left == [] and legacy_copies(backend).keys().isdisjoint(migrated)


@pytest.mark.parametrize("option", ["skip_backup", "skip_verification"])
async def test_legacy_copies_kept_on_purpose_are_named_too(option):
    backend = store_with(array=deep(S[:3]), records=deep(S[3:5]))
    result = await commands.migrate_all_sessions(migrator(backend), {option: True})
    migrated = sorted(r.session_id for r in result.results if r.success and not r.skipped)
    assert migrated and result.legacy_copies_left == migrated


async def test_a_record_changed_while_migrating_is_named_as_left():
    backend = store_with(records=deep(S[:2]))
    key = layout.legacy_session_key(S[0]["id"])
    real_write = backend.write_batch

    async def app_edits_after_first_write(puts=None, deletes=(), *, index=None):
        await real_write(puts, deletes, index=index)
        if index is not None and index.session_id == S[0]["id"]:
            backend.put_raw(key, codec.encode_data(deep(S[0]) | {"name": "edited by the app"}))
    backend.write_batch = app_edits_after_first_write
    result = await commands.migrate_all_sessions(migrator(backend))
    assert result.legacy_copies_left == [S[0]["id"]]
