"""rollback_session_migration: the exact original, back where it came from, in one write."""
import pytest
from taskerino_storage.errors import BackupError, MigrationBusyError, RollbackRefusedError
from taskerino_storage.migration import commands
from taskerino_storage.session import layout
from taskerino_storage.storage import codec
from taskerino_storage.storage.chunked import ChunkedSessionStorage

from .faulty import FaultyBackend
from .helpers import NOW, decoded, deep, migrator, raw, sessions, store_with

S = sessions(3, broken=1)
A, B, C = S


async def migrated(array=(), records=()):
    backend = store_with(array=deep(list(array)) if array else None, records=deep(list(records)))
    result = await commands.migrate_all_sessions(migrator(backend))
    assert result.success
    return backend


async def test_a_record_session_is_restored_exactly_in_one_write():
    backend = await migrated(records=[C, A])
    faulty = FaultyBackend(backend)
    result = await commands.rollback_session_migration(migrator(faulty), C["id"])
    assert result.to_dict() == {"sessionId": C["id"], "backupPath": f"sessions/{C['id']}.backup-2025-10-24T12-34-56-789Z",
                                "restoredTo": f"sessions/{C['id']}", "forced": False}
    assert decoded(backend, layout.legacy_session_key(C["id"])) == C  # byte for byte the same JSON
    assert codec.dumps(decoded(backend, layout.legacy_session_key(C["id"]))) == codec.dumps(C)
    assert not [k for k in backend.records if k.startswith(f"sessions/{C['id']}/")]
    assert decoded(backend, layout.SESSION_INDEX_KEY) == [A["id"]]
    assert result.backup_path in backend.records  # the backup is kept
    assert len([op for op in faulty.log if op[0] == "write_batch"]) == 1
    assert not await commands.is_session_chunked(migrator(backend), C["id"])


async def test_an_array_session_goes_back_into_the_array_and_can_be_migrated_again():
    backend = await migrated(array=[A, B])
    m = migrator(backend)
    await commands.rollback_session_migration(m, A["id"], f"sessions/{A['id']}.backup-2025-10-24T12-34-56-789Z")
    assert decoded(backend, "sessions") == [A]
    await commands.rollback_session_migration(m, B["id"])
    assert decoded(backend, "sessions") == [A, B]
    assert (await commands.get_migration_status(m)).legacy == 2
    assert (await commands.migrate_all_sessions(m)).success


async def test_the_newest_backup_is_chosen_by_its_stamp():
    backend = await migrated(records=[A])
    older = layout.backup_key(A["id"], "2025-01-01T00:00:00.000Z")
    await backend.write_batch({older: {"session": deep(A) | {"name": "older"}}})
    result = await commands.rollback_session_migration(migrator(backend), A["id"])
    assert result.backup_path.endswith("2025-10-24T12-34-56-789Z")


async def test_refused_when_the_chunked_session_changed_unless_forced():
    backend = await migrated(records=[A])
    storage = ChunkedSessionStorage(backend, now=lambda: NOW)
    await storage.append_screenshot(A["id"], {"id": "new-shot"})
    before = raw(backend)
    m = migrator(backend)
    with pytest.raises(RollbackRefusedError, match="was changed after it was migrated.*force=True"):
        await commands.rollback_session_migration(m, A["id"])
    assert raw(backend) == before
    result = await commands.rollback_session_migration(m, A["id"], force=True)
    assert result.forced and decoded(backend, f"sessions/{A['id']}") == A


async def test_clear_errors_for_missing_foreign_and_unreadable_backups():
    backend = await migrated(records=[A, B])
    m = migrator(backend)
    before = raw(backend)
    with pytest.raises(BackupError, match="There is no backup of session 'zzz'"):
        await commands.rollback_session_migration(m, "zzz")
    b_backup = f"sessions/{B['id']}.backup-2025-10-24T12-34-56-789Z"
    with pytest.raises(BackupError, match=f"is a backup of session '{B['id']}', not of '{A['id']}'"):
        await commands.rollback_session_migration(m, A["id"], b_backup)
    with pytest.raises(BackupError, match="is not a backup key"):
        await commands.rollback_session_migration(m, A["id"], f"sessions/{A['id']}")
    with pytest.raises(BackupError, match="there is no backup at"):
        await commands.rollback_session_migration(m, A["id"], layout.backup_key(A["id"], "2020-01-01T00:00:00.000Z"))
    broken = layout.backup_key(A["id"], "2026-01-01T00:00:00.000Z")
    backend.put_raw(broken, "GZIP_V1:!!")
    with pytest.raises(BackupError, match="cannot be read"):
        await commands.rollback_session_migration(m, A["id"])
    del backend.records[broken]
    damaged = decoded(backend, f"sessions/{A['id']}.backup-2025-10-24T12-34-56-789Z")
    damaged["session"]["name"] = "tampered"
    await backend.write_batch({f"sessions/{A['id']}.backup-2025-10-24T12-34-56-789Z": damaged})
    with pytest.raises(BackupError, match="damaged"):
        await commands.rollback_session_migration(m, A["id"])
    assert {k: v for k, v in raw(backend).items() if "backup" not in k} == \
        {k: v for k, v in before.items() if "backup" not in k}


async def test_refused_when_there_is_nothing_to_roll_back_or_a_different_copy_is_there():
    backend = await migrated(records=[A])
    m = migrator(backend)
    await commands.rollback_session_migration(m, A["id"])
    with pytest.raises(RollbackRefusedError, match="not in chunked storage"):
        await commands.rollback_session_migration(m, A["id"])
    await commands.migrate_session_to_chunked(m, A["id"])
    await backend.write_batch({f"sessions/{A['id']}": deep(A) | {"name": "another copy"}})
    with pytest.raises(RollbackRefusedError, match="already holds a different copy"):
        await commands.rollback_session_migration(m, A["id"], force=True)


async def test_bad_arguments_and_a_running_batch_are_refused():
    backend = await migrated(records=[A])
    m = migrator(backend)
    with pytest.raises(Exception, match="must be a string"):
        await commands.rollback_session_migration(m, None)
    with pytest.raises(Exception, match="force must be true or false"):
        await commands.rollback_session_migration(m, A["id"], force="yes")
    async with backend.lock("taskerino-migration:batch"):
        with pytest.raises(MigrationBusyError, match="Another tab is migrating"):
            await commands.rollback_session_migration(m, A["id"])
