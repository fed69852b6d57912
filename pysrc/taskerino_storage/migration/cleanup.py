"""cleanup_old_backups: delete backups nobody can need any more. A backup goes only when ALL hold:
  - it expired: backupCreatedAt + retention_days < now, and its expiresAt < now
  - its session is in chunked storage (metadata with storageVersion 1)
  - that session loads whole: every record its metadata names is present and decodes
  - no legacy copy of the session remains (and the `sessions` array could be read to tell)
Who migrated the session does not matter: backups in the same envelope written by the original
TypeScript tool or by the app's own migrateFromLegacy have no marker and go by the same rule.
Every expired backup kept is listed with its reason. Without confirm it only reports.
"""
from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import timedelta

from ..errors import InvalidArgumentError, InvalidSessionError, StorageError
from ..session import layout
from ..session.records import is_chunked_metadata, required_keys
from .backups import describe_backups, parse_iso
from .inventory import LegacyInventory, find_legacy_copies
from .locks import batch_lock
from .options import require_days
from .results import BackupInfo, CleanupResult, KeptBackup
from .runtime import Runtime


async def cleanup(rt: Runtime, retention_days: object = 30, confirm: object = False) -> CleanupResult:
    days = require_days("retentionDays", retention_days)
    if not isinstance(confirm, bool):
        raise InvalidArgumentError(f"confirm must be true or false, got {confirm!r}")
    backend = rt.backend
    async with AsyncExitStack() as stack:
        if confirm:  # deleting: not while another tab migrates
            await stack.enter_async_context(batch_lock(backend))
        keys = await backend.keys("sessions/")
        backups = await describe_backups(backend, keys)
        inventory = await find_legacy_copies(backend, keys)
        unreadable = _array_reason(inventory)  # an unreadable array might hold copies: delete nothing
        present = set(keys)
        verdicts: dict[str, str | None] = {}  # session id -> why its expired backups stay, or None
        deletable: list[str] = []
        kept_expired: list[KeptBackup] = []
        for info in backups:
            if not _expired(info, days, rt):
                continue
            sid = info.session_id
            if sid not in verdicts:
                verdicts[sid] = unreadable or await _why_keep(rt, sid, inventory, present)
            if verdicts[sid] is None:
                deletable.append(info.path)
            else:
                kept_expired.append(KeptBackup(info.path, verdicts[sid]))
        if confirm and deletable:
            await backend.write_batch(deletes=deletable)
    return CleanupResult(deleted=deletable, kept=len(backups) - len(deletable), dry_run=not confirm,
                         kept_expired=kept_expired)


def _array_reason(inventory: LegacyInventory) -> str | None:
    if inventory.array_unreadable is None:
        return None
    return (f"the sessions array cannot be read ({inventory.array_unreadable}), so whether it still holds a copy "
            "cannot be told; nothing was deleted")


async def _why_keep(rt: Runtime, sid: str, inventory: LegacyInventory, present: set[str]) -> str | None:
    """Why the expired backups of session `sid` must stay; None when they may go. `present`:
    every key under sessions/, listed in the same pass as the backups."""
    copies = [c.where for c in inventory.copies if c.session_id == sid]
    if copies:
        return f"a legacy copy of the session remains ({', '.join(copies)}); migrate it first"
    not_chunked = ("its session is not in chunked storage (nor in legacy form), so this backup "
                   "may be its only copy")
    try:
        metadata = await rt.chunked.load_metadata(sid)
    except InvalidSessionError:  # an id no chunked session can have
        return not_chunked
    except StorageError as exc:
        return f"its chunked session cannot be read whole: {exc}"
    if not is_chunked_metadata(metadata):
        return not_chunked
    if metadata.get("id") != sid:
        return (f"its chunked session cannot be read whole: {layout.metadata_key(sid)!r} holds "
                f"session {metadata.get('id')!r}, not {sid!r}")
    try:
        missing = [key for key in required_keys(metadata) if key not in present]
        if missing:
            more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            return f"its chunked session cannot be read whole: record {missing[0]!r} is missing{more}"
        if await rt.chunked.load_full_session(sid) is None:  # deleted since it was listed
            return not_chunked
    except StorageError as exc:  # undecodable or misshapen records (RecordDecodeError, SessionLayoutError)
        return f"its chunked session cannot be read whole: {exc}"
    return None


def _expired(info: BackupInfo, days: int, rt: Runtime) -> bool:
    created, expires = parse_iso(info.created_at), parse_iso(info.expires_at)
    now = rt.now()
    return created is not None and expires is not None \
        and created + timedelta(days=days) < now and expires < now
