"""Finishing an earlier run's leftovers: a session found chunked while a legacy copy of it
remains (an earlier run, or the app, left it so). job.py runs it after loading the copy:

  2. read the chunked session, its marker and a backup of exactly this copy
  3. decide (leftover_action, no I/O): the copy may go, the session is migrated again, or both
     are kept and reported
  4. when the copy goes: back it up first if no backup of it exists, then remove it
     (steps.remove_legacy_copy); when migrated again: fresh.migrate, replacing the chunked form
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from ..errors import BackupError, StorageError, UnmigratableSessionError
from ..session import layout
from ..session.checksum import session_checksum
from ..session.compare import json_diff, json_equal
from ..session.records import part_keys
from .backups import read_backup
from .fresh import migrate
from .markers import read_marker
from .steps import Done, JobContext, Loaded, plan_backup, remove_legacy_copy, write
from .verify import describe_differences


class Leftover(Enum):
    """What to do with a legacy copy of a session found already chunked (leftover_action)."""

    REMOVE = "remove"  # the chunked session is the original (or an edit of it, the original backed up)
    MIGRATE_AGAIN = "migrate again"  # the chunked form is the migration's own, never verified or outdated
    KEEP_BOTH = "keep both"  # they differ and neither can be told to be the one to keep


def leftover_action(*, equal: bool, saved_since: bool, backed_up: bool, marker_checksum: str | None,
                    copy_checksum: str, chunked_checksum: str, marker_backup_kept: bool) -> Leftover:
    """The decision behind finish, with no I/O.

    equal: the chunked session equals the legacy copy. saved_since: the chunked session was
    saved after the migration wrote it (or there is no marker to tell). backed_up: a backup of
    exactly this legacy copy exists."""
    if equal or (saved_since and backed_up):
        return Leftover.REMOVE  # (when not equal: the app's edit is kept, the original is in the backup)
    if not saved_since and marker_checksum == copy_checksum:
        return Leftover.MIGRATE_AGAIN  # an earlier run died before verifying what it wrote
    if not saved_since and marker_checksum == chunked_checksum and marker_backup_kept:
        return Leftover.MIGRATE_AGAIN  # the app changed the legacy copy after it was migrated
    return Leftover.KEEP_BOTH


@dataclass(frozen=True)
class Chunked:
    """Step 2: the session as chunked storage has it, and what the migration left beside it."""

    metadata: dict
    session: dict
    marker: dict | None
    backup: str | None  # a backup of exactly the legacy copy


async def finish(ctx: JobContext, loaded: Loaded) -> Done:
    found = await read_chunked(ctx, loaded)  # 2.
    marker = found.marker or {}
    equal = json_equal(found.session, loaded.session)
    # While the metadata keeps the updatedAt the migration gave it, nobody saved the chunked
    # session since: a difference is the migration's, not an edit to keep.
    saved_since = found.marker is None or found.metadata.get("updatedAt") != marker.get("chunkedUpdatedAt")
    action = leftover_action(  # 3.
        equal=equal, saved_since=saved_since, backed_up=found.backup is not None,
        marker_checksum=marker.get("checksum"), copy_checksum=loaded.checksum,
        chunked_checksum=session_checksum(found.session) if not equal else loaded.checksum,
        marker_backup_kept=marker.get("backupKey") in loaded.backup_keys)
    if action is Leftover.REMOVE:  # 4.
        return replace(await remove(ctx, loaded, found, equal), resumed=True)
    if action is Leftover.MIGRATE_AGAIN:
        if marker.get("checksum") == loaded.checksum:
            why = ("The chunked form written from this legacy copy by an earlier run was never "
                   "verified (that run failed before cleaning up): migrated again.")
        else:
            why = (f"{ctx.copy.where} was changed after the session was migrated (the chunked form is "
                   f"unchanged): migrated again; the earlier version stays in {marker['backupKey']}.")
        again = await migrate(ctx, loaded, replacing=True)
        return replace(again, warnings=(why, *again.warnings), resumed=True)
    listed = describe_differences(json_diff(loaded.session, found.session), limit=5).split("\n", 1)[1]
    raise UnmigratableSessionError(
        f"{loaded.name} is in chunked storage and its legacy copy {ctx.copy.where} differs from it; "
        f"both were kept, nothing was changed. Compare them, then roll back or remove one:\n{listed}")


async def read_chunked(ctx: JobContext, loaded: Loaded) -> Chunked:
    sid = loaded.session_id
    try:
        metadata = await ctx.chunked.load_metadata(sid)  # once: the parts are read by its keys
        if metadata is None:  # the app deleted it since it was found chunked
            raise UnmigratableSessionError(
                f"{loaded.name} left chunked storage while the migration ran; its legacy copy "
                f"{ctx.copy.where} was kept. Run the migration again.")
        session = ctx.chunked.to_session(metadata, await ctx.store.get_many(part_keys(metadata)))
    except StorageError as exc:
        raise UnmigratableSessionError(
            f"{loaded.name} is in chunked storage but cannot be read ({exc}); its legacy copy "
            f"{ctx.copy.where} was kept.") from None
    marker = await read_marker(ctx.store, sid)
    return Chunked(metadata, session, marker, await matching_backup(ctx, loaded, marker))


async def matching_backup(ctx: JobContext, loaded: Loaded, marker: dict | None) -> str | None:
    """A backup of exactly this legacy copy (same checksum): the marker's, or any other."""
    marker = marker or {}
    if marker.get("checksum") == loaded.checksum and marker.get("backupKey") in loaded.backup_keys:
        return marker["backupKey"]
    for key in reversed(loaded.backup_keys):
        try:
            if (await read_backup(ctx.store, key)).checksum == loaded.checksum:
                return key
        except BackupError:
            continue
    return None


async def remove(ctx: JobContext, loaded: Loaded, found: Chunked, equal: bool) -> Done:
    """The legacy copy goes, once a backup of it exists (unless the skip options keep it)."""
    warnings: tuple[str, ...] = ()
    backup, marker = found.backup, found.marker
    if not equal:
        warnings = (f"The chunked session was changed after it was migrated; its legacy copy "
                    f"{ctx.copy.where} is the original, kept in {backup}, so it was removed.",)
    elif backup is None and ctx.safeguards.back_up:
        backup, marker = await back_up(ctx, loaded, found)
    why_keep = ctx.safeguards.why_keep_copy
    if why_keep is not None:
        return Done(warnings=(*warnings, why_keep), backup_path=backup, copy_left=True)
    removal = await remove_legacy_copy(ctx, loaded, marker)
    return replace(removal, warnings=(*warnings, *removal.warnings), backup_path=backup)


async def back_up(ctx: JobContext, loaded: Loaded, found: Chunked) -> tuple[str, dict]:
    """A backup of the legacy copy, and the marker pointing at it, in one write. Returns both keys'
    values: the backup's key and the marker written."""
    planned = plan_backup(ctx, loaded, found.metadata.get("updatedAt"))
    marker = {**planned.marker, **{k: v for k, v in (found.marker or {}).items()
                                   if k in ("migratedAt", "chunkedUpdatedAt")}}
    needed = len(loaded.text) + planned.needed
    await ctx.space.ensure(ctx.store, loaded.name, needed)
    await write(ctx, loaded, {planned.key: planned.envelope,
                              layout.migration_marker_key(loaded.session_id): marker}, needed=needed)
    return planned.key, marker
