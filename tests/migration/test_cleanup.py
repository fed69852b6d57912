"""cleanup_old_backups: only expired backups of sessions that are chunked, load whole and have
no legacy copy left, whoever wrote them; every expired backup kept is listed with its reason."""
from datetime import timedelta

import pytest
from taskerino_storage.errors import InvalidArgumentError
from taskerino_storage.migration import MigrationOptions, commands
from taskerino_storage.session import layout
from taskerino_storage.storage import codec
from taskerino_storage.storage.chunked import ChunkedSessionStorage

from .helpers import NOW, decoded, deep, migrator, raw, sessions, store_with

S = sessions(3)
LATER = NOW + timedelta(days=31)


async def test_nothing_is_deleted_before_expiry():
    backend = store_with(records=deep(S))
    await commands.migrate_all_sessions(migrator(backend))
    result = await commands.cleanup_old_backups(migrator(backend, now=NOW + timedelta(days=29)), confirm=True)
    assert result.to_dict() == {"deleted": [], "kept": 3, "dryRun": False, "keptExpired": []}


async def test_without_confirm_it_only_reports():
    backend = store_with(records=deep(S))
    await commands.migrate_all_sessions(migrator(backend))
    before = raw(backend)
    result = await commands.cleanup_old_backups(migrator(backend, now=LATER))
    assert result.dry_run and len(result.deleted) == 3 and result.kept == 0
    assert raw(backend) == before


async def test_expired_backups_of_finished_sessions_are_deleted_with_confirm():
    backend = store_with(array=deep(S[:2]), records=deep(S[2:]))
    await commands.migrate_all_sessions(migrator(backend))
    result = await commands.cleanup_old_backups(migrator(backend, now=LATER), 30, confirm=True)
    assert len(result.deleted) == 3 and not [k for k in backend.records if layout.parse_backup_key(k)]
    for s in S:  # the sessions themselves are untouched
        assert await commands.load_session(migrator(backend), s["id"]) == s


async def test_a_backup_is_kept_while_a_legacy_copy_remains_whatever_its_marker_says():
    backend = store_with(array=deep(S[:1]), records=deep(S[1:2]))
    m = migrator(backend)
    await commands.migrate_session_to_chunked(m, S[0]["id"], MigrationOptions(skip_verification=True))
    await commands.migrate_session_to_chunked(m, S[1]["id"])
    marker = decoded(backend, layout.migration_marker_key(S[1]["id"]))
    await backend.write_batch({layout.migration_marker_key(S[1]["id"]): marker | {"verifiedAt": None}})
    result = await commands.cleanup_old_backups(migrator(backend, now=LATER), confirm=True)
    # S[0] kept its legacy copy (skipVerification); S[1] is chunked, whole and has none: the
    # marker's verifiedAt no longer matters.
    kept = _backup_of(backend, S[0]["id"])
    assert result.deleted == [layout.backup_key(S[1]["id"], NOW)] and result.kept == 1
    assert [k.to_dict() for k in result.kept_expired] == [
        {"path": kept, "reason": "a legacy copy of the session remains (sessions[0]); migrate it first"}]
    assert kept in backend.records


async def test_a_longer_retention_keeps_backups_past_their_expiry():
    backend = store_with(records=deep(S[:1]))
    await commands.migrate_all_sessions(migrator(backend))
    assert (await commands.cleanup_old_backups(migrator(backend, now=LATER), 60)).deleted == []
    assert len((await commands.cleanup_old_backups(migrator(backend, now=NOW + timedelta(days=61)), 60)).deleted) == 1


async def test_an_unreadable_sessions_array_keeps_every_backup():
    backend = store_with(records=deep(S[:1]))
    await commands.migrate_all_sessions(migrator(backend))
    backend.put_raw("sessions", "GZIP_V1:garbage")
    result = await commands.cleanup_old_backups(migrator(backend, now=LATER), confirm=True)
    assert result.deleted == [] and result.kept == 1
    [kept] = result.kept_expired
    assert kept.path == _backup_of(backend, S[0]["id"])
    assert kept.reason.startswith("the sessions array cannot be read (record 'sessions' cannot be decoded")
    assert kept.reason.endswith("), so whether it still holds a copy cannot be told; nothing was deleted")


@pytest.mark.parametrize("days, confirm", [(-1, False), ("30", False), (True, False), (30, "yes")])
async def test_bad_arguments_are_refused(days, confirm):
    with pytest.raises(InvalidArgumentError):
        await commands.cleanup_old_backups(migrator(store_with()), days, confirm)


# -- backups the migration did not write: the original TypeScript tool's, or the app's own
#    migrateFromLegacy's. Same envelope, no migration marker.

F = sessions(6, seed=7)
OLD = NOW - timedelta(days=40)  # expired 10 days ago with 30 days' retention
RECENT = NOW - timedelta(days=1)  # expires in 29 days


def foreign_backup(backend, session: dict, created=OLD, days: int = 30) -> str:
    """A backup in the documented format, written by hand: no source, no checksum, no marker."""
    key = layout.backup_key(session["id"], created)
    envelope = {"session": session, "backupCreatedAt": layout.js_iso(created),
                "expiresAt": layout.js_iso(created + timedelta(days=days)), "originalFormat": "monolithic"}
    backend.put_raw(key, codec.encode_data(envelope, "gzip"))
    return key


def _backup_of(backend, session_id: str) -> str:
    [key] = [k for k in backend.records if (p := layout.parse_backup_key(k)) and p.session_id == session_id]
    return key


async def foreign_store():
    """F[0], F[1]: chunked by the app, no legacy copy (F[1] has a second, unexpired backup);
    F[2]: chunked, but still in the sessions array; F[3]: chunked, a screenshot chunk missing;
    F[4]: not chunked anywhere, only its backup; F[5]: chunked, a summary record undecodable.
    Returns the store and the paths of the foreign backups, by name."""
    backend = store_with(array=deep(F[2:3]))
    app = ChunkedSessionStorage(backend, now=lambda: NOW)
    for session in (F[0], F[1], F[2], F[3], F[5]):
        await app.save_full_session(deep(session))
    await backend.write_batch(deletes=[layout.screenshots_chunk_key(F[3]["id"], 0)])
    backend.put_raw(layout.summary_key(F[5]["id"]), "GZIP_V1:garbage")
    paths = {name: foreign_backup(backend, deep(F[i])) for i, name in
             enumerate(("done", "done2", "legacy", "missing", "nowhere", "undecodable"))}
    paths["done_twice"] = foreign_backup(backend, deep(F[0]), created=OLD + timedelta(days=1))
    paths["unexpired"] = foreign_backup(backend, deep(F[1]), created=RECENT)
    assert not [k for k in backend.records if k.endswith("/migration")]  # no markers at all
    return backend, paths


def expected_kept(paths) -> dict[str, str]:
    return {
        paths["legacy"]: "a legacy copy of the session remains (sessions[0]); migrate it first",
        paths["missing"]: "its chunked session cannot be read whole: record "
                          f"'{layout.screenshots_chunk_key(F[3]['id'], 0)}' is missing",
        paths["nowhere"]: "its session is not in chunked storage (nor in legacy form), so this "
                          "backup may be its only copy",
    }


async def test_expired_foreign_backups_go_when_their_session_is_chunked_whole_and_has_no_legacy_copy():
    backend, paths = await foreign_store()
    sessions_before = {k: v for k, v in raw(backend).items() if not layout.parse_backup_key(k)}
    result = await commands.cleanup_old_backups(migrator(backend), 30, confirm=True)
    gone = sorted([paths["done"], paths["done_twice"], paths["done2"]])
    assert sorted(result.deleted) == gone and not result.dry_run
    assert result.kept == 5  # 4 expired + the unexpired one
    reasons = {k.path: k.reason for k in result.kept_expired}
    assert len(result.kept_expired) == 4 and reasons.items() >= expected_kept(paths).items()
    assert reasons[paths["undecodable"]].startswith(
        f"its chunked session cannot be read whole: record '{layout.summary_key(F[5]['id'])}' cannot be decoded")
    assert paths["unexpired"] not in reasons and paths["unexpired"] in backend.records
    assert not [p for p in gone if p in backend.records]
    assert all(p in backend.records for p in reasons)
    # Only backups went: every other record is byte-identical.
    assert {k: v for k, v in raw(backend).items() if not layout.parse_backup_key(k)} == sessions_before
    for session in (F[0], F[1]):
        assert await commands.load_session(migrator(backend), session["id"]) == session


async def test_a_dry_run_lists_the_same_and_deletes_nothing():
    backend, paths = await foreign_store()
    before = raw(backend)
    dry = await commands.cleanup_old_backups(migrator(backend), 30)
    assert raw(backend) == before
    done = await commands.cleanup_old_backups(migrator(backend), 30, confirm=True)
    assert dry.dry_run and (dry.deleted, dry.kept, dry.to_dict()["keptExpired"]) == \
        (done.deleted, done.kept, done.to_dict()["keptExpired"])


async def test_an_unexpired_foreign_backup_is_never_touched_nor_listed():
    backend = store_with()
    await ChunkedSessionStorage(backend, now=lambda: NOW).save_full_session(deep(F[0]))
    path = foreign_backup(backend, deep(F[0]), created=RECENT)
    before = raw(backend)
    for days in (0, 1, 30):
        result = await commands.cleanup_old_backups(migrator(backend), days, confirm=True)
        assert result.to_dict() == {"deleted": [], "kept": 1, "dryRun": False, "keptExpired": []}
    assert raw(backend) == before and path in backend.records


async def test_an_unreadable_sessions_array_keeps_every_foreign_backup_with_its_reason():
    backend, paths = await foreign_store()
    backend.put_raw("sessions", "GZIP_V1:garbage")
    before = raw(backend)
    for confirm in (False, True):
        result = await commands.cleanup_old_backups(migrator(backend), 30, confirm=confirm)
        assert result.deleted == [] and result.kept == 8
        expired = sorted(p for name, p in paths.items() if name != "unexpired")
        assert sorted(k.path for k in result.kept_expired) == expired
        [reason] = {k.reason for k in result.kept_expired}
        assert reason.startswith("the sessions array cannot be read (") and reason.endswith("nothing was deleted")
    assert raw(backend) == before
