"""migrate_session_to_chunked and load_session: one session, both layouts, every safety rule."""
import pytest
from taskerino_storage.errors import (DataIntegrityError, InsufficientSpaceError, InvalidArgumentError,
                                      SessionNotFoundError, UnknownSessionError, UnmigratableSessionError)
from taskerino_storage.migration import MigrationOptions, commands
from taskerino_storage.session import layout
from taskerino_storage.session.checksum import session_checksum
from taskerino_storage.session.compare import json_equal
from taskerino_storage.storage import codec
from taskerino_storage.storage.chunked import ChunkedSessionStorage
from taskerino_storage.storage.memory import MemoryBackend

from .helpers import (NOW, STAMP, decoded, deep, legacy_copies, migrator, raw, sessions, store_with,
                      ticking_clock)

S = sessions(4, broken=1)
A, B, C, BROKEN = S[0], S[1], S[2], S[3]


class LossyWriter(ChunkedSessionStorage):
    """Plans one screenshot short, as a buggy split would."""

    async def plan_save(self, session, existing=None):
        return await super().plan_save({**session, "screenshots": session["screenshots"][:-1]}, existing)


class LossyStore(MemoryBackend):
    """Stores the first screenshot chunk it is given one screenshot short, once, as a store that
    corrupts what it is handed would: the write succeeds, the record reads back otherwise."""

    corrupted = False

    async def write_batch(self, puts=None, deletes=(), *, index=None):
        await super().write_batch(puts, deletes, index=index)
        for key, value in (puts or {}).items():
            if key.endswith("/screenshots/chunk-000") and not self.corrupted:
                self.corrupted = True
                self.put_raw(key, codec.encode_data({**value, "screenshots": value["screenshots"][:-1]}, "gzip"))


async def test_a_session_from_the_array_is_migrated_verified_and_its_legacy_copy_removed():
    backend = store_with(array=deep([A, B]))
    result = await commands.migrate_session_to_chunked(migrator(backend), A["id"])
    assert result.success and not result.skipped and not result.dry_run and result.error is None
    assert result.backup_path == f"sessions/{A['id']}.backup-{STAMP}"
    assert result.bytes_before == len(codec.dumps(A)) and result.bytes_after > 0
    assert result.chunk_counts["screenshots"] == -(-len(A["screenshots"]) // 20)
    assert json_equal(await ChunkedSessionStorage(backend).load_full_session(A["id"]), A)
    assert decoded(backend, "sessions") == [B]  # only A left the array
    assert decoded(backend, layout.SESSION_INDEX_KEY) == [A["id"]]


async def test_a_session_from_a_record_is_migrated_and_its_record_removed():
    backend = store_with(records=deep([C]))
    result = await commands.migrate_session_to_chunked(migrator(backend), C["id"])
    assert result.success
    assert layout.legacy_session_key(C["id"]) not in backend.records
    assert json_equal(await commands.load_session(migrator(backend), C["id"]), C)


async def test_the_backup_and_the_marker_hold_what_rollback_and_cleanup_need():
    backend = store_with(records=deep([C]))
    await commands.migrate_session_to_chunked(migrator(backend), C["id"], MigrationOptions(backup_retention_days=7))
    key = f"sessions/{C['id']}.backup-{STAMP}"
    assert decoded(backend, key) == {
        "session": C, "backupCreatedAt": "2025-10-24T12:34:56.789Z",
        "expiresAt": "2025-10-31T12:34:56.789Z", "originalFormat": "monolithic",
        "source": {"layout": "record", "key": f"sessions/{C['id']}"},
        "checksum": session_checksum(C)}
    marker = decoded(backend, layout.migration_marker_key(C["id"]))
    assert marker == {"backupKey": key, "checksum": session_checksum(C),
                      "backupCreatedAt": "2025-10-24T12:34:56.789Z",
                      "expiresAt": "2025-10-31T12:34:56.789Z", "migratedAt": "2025-10-24T12:34:56.789Z",
                      "verifiedAt": "2025-10-24T12:34:56.789Z", "chunkedUpdatedAt": "2025-10-24T12:34:56.789Z"}


async def test_records_that_would_not_rebuild_the_session_are_never_written():
    for backend in (store_with(array=deep([A, B])), store_with(records=deep([C]))):
        before = raw(backend)
        sid = (A if "sessions" in backend.records else C)["id"]
        m = migrator(backend, chunked=LossyWriter(backend, now=lambda: NOW))
        result = await commands.migrate_session_to_chunked(m, sid)
        assert not result.success
        assert result.error.startswith("Data integrity verification failed:\n  - Screenshots count mismatch")
        assert result.error.endswith("Nothing was written; " + ("sessions[0]" if sid == A["id"] else f"sessions/{sid}")
                                     + " was left as it is.")
        assert isinstance(result.cause, DataIntegrityError) and result.cause.differences
        assert raw(backend) == before
        assert not await commands.is_session_chunked(m, sid)


async def test_a_record_the_store_gives_back_otherwise_takes_the_chunked_form_away_and_leaves_the_original():
    for records in ({"array": deep([A, B])}, {"records": deep([C])}):
        backend = store_with(**records, backend=LossyStore())
        before = raw(backend)
        sid = (A if "sessions" in backend.records else C)["id"]
        m = migrator(backend)
        result = await commands.migrate_session_to_chunked(m, sid)
        assert not result.success and isinstance(result.cause, DataIntegrityError)
        assert result.error.startswith(f"Data integrity verification failed: sessions/{sid}/screenshots/chunk-000 "
                                       "did not read back as written; it was removed again")
        assert raw(backend) == {**before, layout.SESSION_INDEX_KEY: backend.records[layout.SESSION_INDEX_KEY]["data"]}
        assert decoded(backend, layout.SESSION_INDEX_KEY) == []
        assert not await commands.is_session_chunked(m, sid)


async def test_a_dry_run_writes_nothing_and_reports_what_it_would_write():
    backend = store_with(array=deep([A]), records=deep([BROKEN]))
    before = raw(backend)
    for sid in (A["id"], BROKEN["id"]):
        result = await commands.migrate_session_to_chunked(migrator(backend), sid, {"dryRun": True})
        assert result.success and result.dry_run and result.bytes_after > 0 and result.chunk_counts
        assert result.backup_path == f"sessions/{sid}.backup-{STAMP}"
    assert result.warnings  # the broken session's validation warnings
    assert raw(backend) == before


async def test_skip_backup_keeps_the_legacy_copy_and_a_normal_run_finishes_it():
    backend = store_with(array=deep([A]))
    m = migrator(backend)
    result = await commands.migrate_session_to_chunked(m, A["id"], MigrationOptions(skip_backup=True))
    assert result.success and result.backup_path is None
    assert "legacy copy was kept" in result.warnings[-1]
    assert legacy_copies(backend) == {A["id"]: [A]} and await commands.is_session_chunked(m, A["id"])
    assert not [k for k in backend.records if layout.parse_backup_key(k)]
    again = await commands.migrate_session_to_chunked(m, A["id"])
    assert again.success and again.resumed and again.backup_path
    assert legacy_copies(backend) == {}
    assert decoded(backend, again.backup_path)["session"] == A


async def test_skip_verification_keeps_the_legacy_copy_and_a_normal_run_verifies_and_finishes():
    backend = store_with(records=deep([C]))
    m = migrator(backend)
    result = await commands.migrate_session_to_chunked(m, C["id"], MigrationOptions(skip_verification=True))
    assert result.success and "Verification skipped" in result.warnings[-1]
    assert layout.legacy_session_key(C["id"]) in backend.records
    assert decoded(backend, layout.migration_marker_key(C["id"]))["verifiedAt"] is None
    again = await commands.migrate_session_to_chunked(m, C["id"])
    assert again.success and again.resumed and again.backup_path == result.backup_path
    assert layout.legacy_session_key(C["id"]) not in backend.records
    assert decoded(backend, layout.migration_marker_key(C["id"]))["verifiedAt"] is not None


async def test_bad_input_is_refused_clearly_and_changes_nothing():
    backend = store_with(array=deep([A]))
    before = raw(backend)
    m = migrator(backend)
    with pytest.raises(UnknownSessionError, match="No session 'nope'") as caught:
        await commands.migrate_session_to_chunked(m, "nope")
    assert isinstance(caught.value, SessionNotFoundError)
    with pytest.raises(InvalidArgumentError, match="must be a string"):
        await commands.migrate_session_to_chunked(m, 42)
    with pytest.raises(InvalidArgumentError, match="unknown option.*'dryrun'"):
        await commands.migrate_session_to_chunked(m, A["id"], {"dryrun": True})
    with pytest.raises(InvalidArgumentError, match="backupRetentionDays"):
        await commands.migrate_session_to_chunked(m, A["id"], MigrationOptions.from_mapping({"backupRetentionDays": -1}))
    with pytest.raises(InvalidArgumentError, match="dryRun must be true or false"):
        MigrationOptions(dry_run="yes")
    assert raw(backend) == before


async def test_an_already_chunked_session_is_skipped_untouched():
    backend = store_with()
    await ChunkedSessionStorage(backend).save_full_session(deep(A))
    before = raw(backend)
    result = await commands.migrate_session_to_chunked(migrator(backend), A["id"])
    assert result.success and result.skipped and raw(backend) == before


@pytest.mark.parametrize("data, message", [
    ("GZIP_V1:@@@", "cannot be decoded"),
    ('["not", "a", "session"]', "must be a JSON object, got array"),
    ('{"name": "no id"}', "must have an id"),
    ('{"id": "someone-else"}', "holds a session whose id is 'someone-else'"),
])
async def test_an_unmigratable_record_gets_a_clear_error_and_stays_byte_identical(data, message):
    backend = store_with()
    backend.put_raw("sessions/x", data)
    before = raw(backend)
    result = await commands.migrate_session_to_chunked(migrator(backend), "x")
    assert not result.success and message in result.error
    assert isinstance(result.cause, UnmigratableSessionError)
    assert raw(backend) == before


async def test_records_already_under_the_sessions_prefix_are_never_overwritten():
    backend = store_with(records=deep([C]))
    await backend.write_batch({f"sessions/{C['id']}/metadata.compressed": "app data"})
    before = raw(backend)
    result = await commands.migrate_session_to_chunked(migrator(backend), C["id"])
    assert "already holds records" in result.error and raw(backend) == before


async def test_not_enough_space_stops_before_writing():
    backend = store_with(records=deep([C]), quota=40_000)
    before = raw(backend)
    result = await commands.migrate_session_to_chunked(migrator(backend), C["id"])
    assert isinstance(result.cause, InsufficientSpaceError)
    assert result.error.startswith(f"Not enough storage space to migrate {C['name']}: needs about ")
    assert result.error.endswith("MB free. Free some space, then run again; nothing was lost.")
    assert raw(backend) == before


async def test_a_taken_backup_key_is_never_overwritten():
    backend = store_with(records=deep([C]))
    taken = f"sessions/{C['id']}.backup-{STAMP}"
    await backend.write_batch({taken: {"session": {"id": C["id"], "older": True}}})
    result = await commands.migrate_session_to_chunked(migrator(backend), C["id"])
    assert result.backup_path == taken + "-1"
    assert decoded(backend, taken)["session"]["older"] is True


async def test_results_and_options_speak_camel_case():
    backend = store_with(records=deep([C]))
    result = (await commands.migrate_session_to_chunked(migrator(backend), C["id"])).to_dict()
    assert set(result) == {"sessionId", "name", "success", "skipped", "resumed", "dryRun", "backupPath",
                           "chunkCounts", "bytesBefore", "bytesAfter", "durationMs", "warnings", "error", "legacyCopyLeft"}
    options = MigrationOptions.from_mapping({"dryRun": True, "skipBackup": True, "backupRetentionDays": 3})
    assert options.to_dict() == {"dryRun": True, "verbose": False, "skipVerification": False,
                                 "skipBackup": True, "backupRetentionDays": 3}


async def test_load_session_migrates_a_legacy_session_on_demand():
    backend = store_with(array=deep([A, B]), records=deep([C]))
    m = migrator(backend)
    assert json_equal(await commands.load_session(m, A["id"]), A)
    assert await commands.is_session_chunked(m, A["id"]) and decoded(backend, "sessions") == [B]
    assert json_equal(await commands.load_session(m, A["id"]), A)  # now straight from chunked storage
    assert json_equal(await commands.load_session(m, C["id"]), C)
    with pytest.raises(SessionNotFoundError):
        await commands.load_session(m, "missing")


async def test_load_session_raises_when_the_migration_fails_and_keeps_the_original():
    backend = store_with(records=deep([C]))
    before = raw(backend)
    m = migrator(backend, chunked=LossyWriter(backend, now=lambda: NOW))
    with pytest.raises(DataIntegrityError):
        await commands.load_session(m, C["id"])
    assert {k: v for k, v in raw(backend).items() if k != layout.SESSION_INDEX_KEY} == before


async def test_a_legacy_copy_changed_by_the_app_while_migrating_is_kept_then_migrated_again():
    backend = store_with(array=deep([A]))
    m = migrator(backend)
    edited = deep(A) | {"name": "Renamed in the app"}
    original_remove = None

    async def app_edits_first(array_record):
        nonlocal original_remove
        original_remove = array_record.remove_items

        async def remove(ids):
            backend.put_raw("sessions", codec.encode_data([edited]))
            return await original_remove(ids)
        array_record.remove_items = remove
        return array_record

    open_array = backend.open_array

    async def patched(key):
        return await app_edits_first(await open_array(key))
    backend.open_array = patched
    result = await commands.migrate_session_to_chunked(m, A["id"])
    assert result.success and "was not removed from the sessions array" in result.warnings[-1]
    assert decoded(backend, "sessions") == [edited]  # the app's edit is kept
    backend.open_array = open_array
    again = await commands.migrate_session_to_chunked(m, A["id"])
    assert again.success and again.resumed and "migrated again" in again.warnings[0]
    assert json_equal(await commands.load_session(m, A["id"]), edited)
    assert decoded(backend, "sessions") == []
    assert [decoded(backend, k)["session"]["name"] for k in sorted(backend.records)
            if layout.parse_backup_key(k)] == [A["name"], "Renamed in the app"]


async def test_a_failed_verification_whose_undo_also_failed_is_repaired_by_the_next_run():
    from taskerino_storage.errors import StorageError

    from .faulty import FaultyBackend

    backend = store_with(records=deep([C]), backend=LossyStore())
    faulty = FaultyBackend(backend, crash_at_write=2, sticky=False, error=StorageError("aborted"))
    result = await commands.migrate_session_to_chunked(migrator(faulty), C["id"])
    assert not result.success and "aborted" in result.error
    m = migrator(backend)
    assert await commands.is_session_chunked(m, C["id"])  # the unverified, lossy form is still there...
    assert legacy_copies(backend) == {C["id"]: [C]}  # ...next to the untouched original
    again = await commands.migrate_session_to_chunked(m, C["id"])
    assert again.success and "never verified" in again.warnings[0]
    assert json_equal(await commands.load_session(m, C["id"]), C) and legacy_copies(backend) == {}


async def test_the_marker_survives_the_apps_saves_and_is_never_part_of_the_session():
    backend = store_with(records=deep([C]))
    m = migrator(backend)
    await commands.migrate_session_to_chunked(m, C["id"])
    storage = ChunkedSessionStorage(backend)
    edited = deep(C) | {"name": "edited"}
    plan = await storage.save_full_session(edited)
    assert layout.migration_marker_key(C["id"]) not in plan.deletes
    assert layout.migration_marker_key(C["id"]) in backend.records
    assert await storage.load_full_session(C["id"]) == edited
    await storage.delete_session(C["id"])
    assert not [k for k in backend.records if k.startswith(f"sessions/{C['id']}/")]


async def test_two_on_demand_loads_of_one_session_migrate_it_once():
    import asyncio

    from .faulty import FaultyBackend

    backend = store_with(array=deep([A, B]))
    shared = FaultyBackend(backend, pause=True)
    m = migrator(shared, now=ticking_clock())
    first, second = await asyncio.gather(commands.load_session(m, A["id"]), commands.load_session(m, A["id"]))
    assert json_equal(first, A) and json_equal(second, A)
    assert len([k for k in backend.records if layout.parse_backup_key(k)]) == 1
    assert decoded(backend, "sessions") == [B] and decoded(backend, layout.SESSION_INDEX_KEY) == [A["id"]]
