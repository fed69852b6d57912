"""rollback_session_migration: the original session, exactly as backed up, back where it came
from (a `sessions/{id}` record, or appended to the `sessions` array — against the array as it
is at that moment, so an app write to it is kept), and the chunked records, marker and index
entry gone — in ONE atomic write. The backup itself is kept.

Refused (RollbackRefusedError) when the chunked session changed after the migration (its
checksum is not the backup's), unless force=True: rolling back would lose those changes. Never
overwrites a different legacy copy of the session, even with force.
"""
from __future__ import annotations

from typing import Any

from ..errors import (BackupError, DuplicateElementError, IndexNotArrayError, InvalidArgumentError,
                      RecordDecodeError, RollbackRefusedError, StorageError)
from ..session import layout
from ..session.checksum import session_checksum
from ..session.compare import json_equal
from ..storage.port import IndexChange
from .backups import Backup, backup_keys, read_backup
from .locks import batch_lock, session_lock
from .results import RollbackResult
from .runtime import Runtime, require_session_id


async def rollback(rt: Runtime, session_id: object, backup_path: object = None,
                   force: object = False) -> RollbackResult:
    sid = require_session_id(session_id)
    if backup_path is not None and not isinstance(backup_path, str):
        raise InvalidArgumentError(f"backupPath must be a backup key string, got {backup_path!r}")
    if not isinstance(force, bool):
        raise InvalidArgumentError(f"force must be true or false, got {force!r}")
    backend = rt.backend
    async with batch_lock(backend), backend.lock(session_lock(sid)):
        backup = await read_backup(backend, await _choose_backup(rt, sid, backup_path))
        if not force:
            await _refuse_if_changed(rt, sid, backup)
        deletes = await backend.keys(layout.session_prefix(sid))
        try:
            restored_to = await _restore(rt, backup, deletes, IndexChange("remove", sid))
        except IndexNotArrayError:  # not the app's index: leave it, restore the session
            restored_to = await _restore(rt, backup, deletes, None)
    return RollbackResult(sid, backup.key, restored_to, forced=force)


async def _choose_backup(rt: Runtime, sid: str, backup_path: str | None) -> str:
    if backup_path is None:
        keys = await backup_keys(rt.backend, sid)
        if not keys:
            raise BackupError(f"There is no backup of session {sid!r} to roll back to.")
        return keys[-1]  # the newest, by its time stamp
    parsed = layout.parse_backup_key(backup_path)
    if parsed is None:
        raise BackupError(f"{backup_path!r} is not a backup key (sessions/{{id}}.backup-{{time}}).")
    if parsed.session_id != sid:
        raise BackupError(f"{backup_path!r} is a backup of session {parsed.session_id!r}, not of {sid!r}.")
    return backup_path


async def _refuse_if_changed(rt: Runtime, sid: str, backup: Backup) -> None:
    again = "Pass force=True to roll back anyway."
    if not await rt.is_chunked(sid):
        raise RollbackRefusedError(
            f"Session {sid!r} is not in chunked storage, so there is nothing to roll back. "
            f"{again[:-1]} (restores {backup.key}).")
    try:
        loaded = await rt.chunked.load_full_session(sid)
    except StorageError as exc:
        raise RollbackRefusedError(
            f"The chunked form of session {sid!r} cannot be read ({exc}), so whether it changed "
            f"since the migration cannot be told. {again}") from None
    if session_checksum(loaded) != backup.checksum:
        raise RollbackRefusedError(
            f"Session {sid!r} was changed after it was migrated: rolling back to {backup.key} "
            f"would lose those changes. {again}")


async def _restore(rt: Runtime, backup: Backup, deletes: list[str], index: IndexChange | None) -> str:
    """Put the original back where it came from, delete `deletes` and change the index, in one
    atomic write; returns that place's key."""
    sid, session, backend = backup.session_id, backup.session, rt.backend
    if backup.source["layout"] == "record":
        key = layout.legacy_session_key(sid)
        existing = await _read(rt, key)
        if existing is not _ABSENT and not json_equal(existing, session):
            raise RollbackRefusedError(
                f"{key} already holds a different copy of session {sid!r}; rolling back would "
                "overwrite it. Nothing was changed.")
        await backend.write_batch({key: session}, deletes, index=index)
        return key
    key = layout.LEGACY_SESSIONS_KEY
    try:
        await backend.append_to_array(key, session, {}, deletes, index=index)
    except DuplicateElementError:
        raise RollbackRefusedError(
            f"The {key} array already holds a different copy of session {sid!r}; rolling back "
            "would make two of it. Nothing was changed.") from None
    except RecordDecodeError as exc:
        raise RollbackRefusedError(
            f"{key} cannot be read as an array ({exc.reason}); rolling back into it would overwrite "
            "it. Nothing was changed.") from None
    return key


_ABSENT = object()


async def _read(rt: Runtime, key: str) -> Any:
    try:
        found = await rt.backend.get_many([key])
    except RecordDecodeError as exc:
        raise RollbackRefusedError(
            f"{key} cannot be decoded ({exc.reason}); rolling back would overwrite it. "
            "Nothing was changed.") from None
    return found.get(key, _ABSENT)
