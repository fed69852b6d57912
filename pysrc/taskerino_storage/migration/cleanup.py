"""cleanup_old_backups: delete backups nobody can need any more. A backup goes only when ALL hold:
  - it expired: backupCreatedAt + retention_days < now, and its expiresAt < now
  - its session is in chunked storage and its marker has verifiedAt (verified, legacy copy gone)
  - no legacy copy of the session remains (and the `sessions` array could be read to tell)
Without confirm it only reports what it would delete.
"""
from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import timedelta

from .backups import describe_backups, parse_iso
from .errors import InvalidArgumentError
from .legacy import find_legacy_copies
from .locks import batch_lock
from .markers import read_marker
from .options import BackupInfo, CleanupResult, require_days
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
        deletable = []
        if not inventory.problems:  # an unreadable array might hold copies: delete nothing
            settled: dict[str, bool] = {}
            for info in backups:
                if not _expired(info, days, rt):
                    continue
                sid = info.session_id
                if sid not in settled:
                    marker = await read_marker(backend, sid)
                    settled[sid] = (sid not in inventory.ids() and await rt.is_chunked(sid)
                                    and marker is not None and marker.get("verifiedAt") is not None)
                if settled[sid]:
                    deletable.append(info.path)
        if confirm and deletable:
            await backend.write_batch(deletes=deletable)
    return CleanupResult(deleted=deletable, kept=len(backups) - len(deletable), dry_run=not confirm)


def _expired(info: BackupInfo, days: int, rt: Runtime) -> bool:
    created, expires = parse_iso(info.created_at), parse_iso(info.expires_at)
    now = rt.now()
    return created is not None and expires is not None \
        and created + timedelta(days=days) < now and expires < now
