"""Detection (is_session_chunked, legacy in both layouts) and get_migration_status."""
import pytest
from taskerino_storage.errors import InvalidArgumentError
from taskerino_storage.migration import commands
from taskerino_storage.session import layout
from taskerino_storage.storage.chunked import ChunkedSessionStorage

from .helpers import NOW, STAMP, deep, migrator, sessions, store_with

S = sessions(6)


async def test_is_session_chunked_is_true_only_for_storage_version_1_metadata():
    backend = store_with(array=deep(S[:1]))
    m = migrator(backend)
    assert not await commands.is_session_chunked(m, S[0]["id"])
    await ChunkedSessionStorage(backend).save_full_session(deep(S[1]))
    assert await commands.is_session_chunked(m, S[1]["id"])
    await backend.write_batch({"sessions/v2/metadata": {"id": "v2", "storageVersion": 2},
                               "sessions/t/metadata": {"id": "t", "storageVersion": True}})
    assert not await commands.is_session_chunked(m, "v2")
    assert not await commands.is_session_chunked(m, "t")
    assert not await commands.is_session_chunked(m, "nobody")


async def test_is_session_chunked_survives_damaged_metadata():
    backend = store_with()
    backend.put_raw("sessions/bad/metadata", "GZIP_V1:not base64!")
    await backend.write_batch({"sessions/arr/metadata": [1, 2]})
    m = migrator(backend)
    assert not await commands.is_session_chunked(m, "bad")
    assert not await commands.is_session_chunked(m, "arr")


@pytest.mark.parametrize("bad", [None, 3, "", "a/b"])
async def test_is_session_chunked_refuses_what_cannot_be_an_id(bad):
    with pytest.raises(InvalidArgumentError, match="session id"):
        await commands.is_session_chunked(migrator(store_with()), bad)


async def test_status_counts_both_layouts_and_rounds_like_math_round():
    backend = store_with(array=deep(S[:2]), records=deep(S[2:3]))
    storage = ChunkedSessionStorage(backend)
    for s in S[3:6]:
        await storage.save_full_session(deep(s))
    status = await commands.get_migration_status(migrator(backend))
    assert (status.total, status.chunked, status.legacy, status.percentage) == (6, 3, 3, 50)
    assert status.to_dict() == {"total": 6, "chunked": 3, "legacy": 3, "percentage": 50,
                                "backups": [], "problems": []}
    backend = store_with(array=[{"id": f"l{i}"} for i in range(35)])
    for i in range(12):
        await ChunkedSessionStorage(backend).save_full_session({"id": f"c{i}"})
    assert (await commands.get_migration_status(migrator(backend))).percentage == 26  # the seed's 12/47


async def test_status_of_an_empty_store_is_zero():
    status = await commands.get_migration_status(migrator(store_with()))
    assert status.to_dict() == {"total": 0, "chunked": 0, "legacy": 0, "percentage": 0,
                                "backups": [], "problems": []}


async def test_a_chunked_session_with_a_leftover_legacy_copy_counts_once_as_chunked():
    backend = store_with(array=deep(S[:2]), records=deep(S[:1]))
    await ChunkedSessionStorage(backend).save_full_session(deep(S[0]))
    status = await commands.get_migration_status(migrator(backend))
    assert (status.total, status.chunked, status.legacy) == (2, 1, 1)


async def test_status_lists_backups_and_reports_what_it_cannot_read():
    backend = store_with(records=deep(S[:1]))
    backend.put_raw("sessions", "GZIP_V1:broken")
    await commands.migrate_session_to_chunked(migrator(backend), S[0]["id"])
    status = (await commands.get_migration_status(migrator(backend))).to_dict()
    assert status["backups"] == [{
        "path": f"sessions/{S[0]['id']}.backup-{STAMP}", "sessionId": S[0]["id"],
        "createdAt": "2025-10-24T12:34:56.789Z", "expiresAt": "2025-11-23T12:34:56.789Z"}]
    assert status["chunked"] == 1 and len(status["problems"]) == 1
    assert "record 'sessions' cannot be decoded" in status["problems"][0]


async def test_status_reads_a_backup_the_marker_does_not_describe():
    """An older backup (the seed's own format) gets its dates from its envelope."""
    backend = store_with()
    key = layout.backup_key("old", "2024-01-01T00:00:00.000Z")
    await backend.write_batch({key: {"session": {"id": "old"}, "backupCreatedAt": "2024-01-01T00:00:00.000Z",
                                     "expiresAt": "2024-01-31T00:00:00.000Z", "originalFormat": "monolithic"}})
    [info] = (await commands.get_migration_status(migrator(backend))).backups
    assert (info.created_at, info.expires_at) == ("2024-01-01T00:00:00.000Z", "2024-01-31T00:00:00.000Z")


async def test_legacy_detection_ignores_chunked_records_backups_and_the_index():
    backend = store_with(records=deep(S[:1]))
    await ChunkedSessionStorage(backend).save_full_session(deep(S[1]))
    await backend.write_batch({layout.backup_key(S[1]["id"], NOW): {"session": deep(S[1])}})
    status = await commands.get_migration_status(migrator(backend))
    assert (status.total, status.chunked, status.legacy) == (2, 1, 1)
