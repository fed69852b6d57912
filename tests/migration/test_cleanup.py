"""cleanup_old_backups: only expired backups of verified, chunked sessions with no legacy copy left."""
from datetime import timedelta

import pytest

from taskerino_storage import layout
from taskerino_storage.migration import InvalidArgumentError, MigrationOptions

from .helpers import NOW, decoded, deep, migrator, raw, sessions, store_with

S = sessions(3)
LATER = NOW + timedelta(days=31)


async def test_nothing_is_deleted_before_expiry():
    backend = store_with(records=deep(S))
    await migrator(backend).migrate_all_sessions()
    result = await migrator(backend, now=NOW + timedelta(days=29)).cleanup_old_backups(confirm=True)
    assert result.to_dict() == {"deleted": [], "kept": 3, "dryRun": False}


async def test_without_confirm_it_only_reports():
    backend = store_with(records=deep(S))
    await migrator(backend).migrate_all_sessions()
    before = raw(backend)
    result = await migrator(backend, now=LATER).cleanup_old_backups()
    assert result.dry_run and len(result.deleted) == 3 and result.kept == 0
    assert raw(backend) == before


async def test_expired_backups_of_finished_sessions_are_deleted_with_confirm():
    backend = store_with(array=deep(S[:2]), records=deep(S[2:]))
    await migrator(backend).migrate_all_sessions()
    result = await migrator(backend, now=LATER).cleanup_old_backups(30, confirm=True)
    assert len(result.deleted) == 3 and not [k for k in backend.records if layout.parse_backup_key(k)]
    for s in S:  # the sessions themselves are untouched
        assert await migrator(backend).load_session(s["id"]) == s


async def test_a_backup_is_kept_while_a_legacy_copy_remains_or_it_was_never_verified():
    backend = store_with(array=deep(S[:1]), records=deep(S[1:2]))
    m = migrator(backend)
    await m.migrate_session_to_chunked(S[0]["id"], MigrationOptions(skip_verification=True))
    await m.migrate_session_to_chunked(S[1]["id"])
    marker = decoded(backend, layout.migration_marker_key(S[1]["id"]))
    await backend.write_batch({layout.migration_marker_key(S[1]["id"]): marker | {"verifiedAt": None}})
    result = await migrator(backend, now=LATER).cleanup_old_backups(confirm=True)
    assert result.deleted == [] and result.kept == 2


async def test_a_longer_retention_keeps_backups_past_their_expiry():
    backend = store_with(records=deep(S[:1]))
    await migrator(backend).migrate_all_sessions()
    assert (await migrator(backend, now=LATER).cleanup_old_backups(60)).deleted == []
    assert len((await migrator(backend, now=NOW + timedelta(days=61)).cleanup_old_backups(60)).deleted) == 1


async def test_an_unreadable_sessions_array_keeps_every_backup():
    backend = store_with(records=deep(S[:1]))
    await migrator(backend).migrate_all_sessions()
    backend.put_raw("sessions", "GZIP_V1:garbage")
    assert (await migrator(backend, now=LATER).cleanup_old_backups(confirm=True)).deleted == []


@pytest.mark.parametrize("days, confirm", [(-1, False), ("30", False), (True, False), (30, "yes")])
async def test_bad_arguments_are_refused(days, confirm):
    with pytest.raises(InvalidArgumentError):
        await migrator(store_with()).cleanup_old_backups(days, confirm)
