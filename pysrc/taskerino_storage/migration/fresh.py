"""A fresh migration of one legacy copy (job.py runs it; the steps after loading):

  2. plan the chunked records (ChunkedSessionStorage.plan_save), the backup and the marker
  3. verify that the planned records rebuild the original exactly; else write nothing
  4. ONE write_batch: chunks, metadata, index entry, backup, marker — the chunked form appears
     whole or not at all (invariant 2)
  5. read the records back from the store: each must be exactly the text written; on any
     difference, ONE write_batch takes it all away again (the legacy copy was never touched)
  6. only then, with a backup in place, the legacy copy goes (invariant 3) and the marker gets
     its verifiedAt (steps.remove_legacy_copy)

skipVerification skips 3 and 5, skipBackup the backup; either keeps the legacy copy (6).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..errors import DataIntegrityError, SessionLayoutError, StorageError, UnmigratableSessionError
from ..session import layout
from ..storage import codec
from ..storage.chunked import SavePlan
from .steps import Backup, Done, JobContext, Loaded, plan_backup, remove_legacy_copy, write
from .verify import verify_data_integrity


async def migrate(ctx: JobContext, loaded: Loaded, *, replacing: bool = False) -> Done:
    """`replacing`: a chunked form the migration wrote, untouched since, is replaced."""
    if not replacing:
        marker_key = layout.migration_marker_key(loaded.session_id)
        foreign = [k for k in loaded.own_keys if k != marker_key]
        if foreign:
            raise UnmigratableSessionError(
                f"{loaded.name}: {layout.session_prefix(loaded.session_id)} already holds records that "
                f"are not a complete chunked session ({', '.join(foreign[:3])}); migrating would "
                f"overwrite them. {ctx.copy.where} was left as it is.")
    shape_warnings = validation_warnings(loaded.session)
    verify = ctx.safeguards.verify
    with codec.known_texts():  # each record and the backup encoded once, not twice
        plan = await ctx.chunked.plan_save(loaded.session, existing=loaded.own_keys)  # 2.
        backup = plan_backup(ctx, loaded, plan.metadata.get("updatedAt"))
        if backup.envelope is not None:
            remember_envelope_text(backup.envelope, loaded)
        if verify:
            verify_plan(ctx, loaded, plan)  # 3.
        puts = await write_chunked_form(ctx, loaded, plan, backup)  # 4.
        if verify:
            await verify_read_back(ctx, loaded, plan, puts)  # 5.
    written = Done(warnings=shape_warnings, backup_path=backup.key, chunk_counts=dict(plan.chunk_counts),
                   bytes_after=plan.bytes_written)
    why_keep = ctx.safeguards.why_keep_copy
    if why_keep is not None:
        return replace(written, warnings=(*shape_warnings, why_keep), copy_left=True)
    removal = await remove_legacy_copy(ctx, loaded, backup.marker)  # 6.
    return replace(removal, warnings=(*shape_warnings, *removal.warnings), backup_path=backup.key,
                   chunk_counts=written.chunk_counts, bytes_after=written.bytes_after)


def validation_warnings(session: dict) -> tuple[str, ...]:
    from ..session.models import validate_session  # pydantic: imported only when migrating

    return tuple(validate_session(session))


def verify_plan(ctx: JobContext, loaded: Loaded, plan: SavePlan) -> None:
    """Step 3: the records planned rebuild the session, every field of it, type-strict. They are
    written as codec.dumps gives them, which reads back as the same value (the codec's round
    trip, tested on its own); step 5 checks the store gives those texts back."""
    parts = {k: v for k, v in plan.puts.items() if k != layout.metadata_key(loaded.session_id)}
    try:
        verify_data_integrity(loaded.session, ctx.chunked.to_session(plan.metadata, parts))
    except SessionLayoutError as exc:  # the split named records it did not plan
        raise DataIntegrityError(f"Data integrity verification failed: {exc}\nNothing was written; "
                                 f"{ctx.copy.where} was left as it is.", []) from None
    except DataIntegrityError as exc:
        raise DataIntegrityError(f"{exc}\nNothing was written; {ctx.copy.where} was left as it is.",
                                 exc.differences) from None


async def write_chunked_form(ctx: JobContext, loaded: Loaded, plan: SavePlan, backup: Backup) -> dict[str, Any]:
    """Step 4: the planned records, the backup and the marker, in one batch. Returns everything put."""
    puts = {**plan.puts, layout.migration_marker_key(loaded.session_id): backup.marker}
    if backup.envelope is not None:
        puts[backup.key] = backup.envelope
    needed = plan.bytes_written + (len(loaded.text) + backup.needed if backup.envelope else 0)
    await ctx.space.ensure(ctx.store, loaded.name, needed)
    await write(ctx, loaded, puts, plan.deletes, needed=needed, index="add")
    return puts


async def verify_read_back(ctx: JobContext, loaded: Loaded, plan: SavePlan, puts: dict[str, Any]) -> None:
    """Step 5: every record of the session read back from the store is exactly the text written
    (not the backup: it is not part of the chunked form). On any difference, or when they can't
    be read, one write takes everything written away again."""
    try:
        differ = await ctx.store.read_back({k: codec.dumps(v) for k, v in plan.puts.items()})
        problem = f"{', '.join(differ[:3])}{' …' if len(differ) > 3 else ''} did not read back as written" \
            if differ else None
    except StorageError as exc:
        problem = f"the chunked form could not be read back ({exc})"
    if problem is None:
        return
    await write(ctx, loaded, {}, list(puts), index="remove")  # chunks, metadata, marker, backup
    raise DataIntegrityError(f"Data integrity verification failed: {problem}; it was removed again "
                             f"and {ctx.copy.where} was left as it is.", [])


def remember_envelope_text(envelope: dict, loaded: Loaded) -> None:
    """codec.dumps(envelope), built from the session's text already read in load()."""
    rest = {k: v for k, v in envelope.items() if k != "session"}
    if loaded.text and next(iter(envelope)) == "session" and rest and envelope["session"] is loaded.session:
        codec.remember(envelope, '{"session":' + loaded.text + "," + codec.dumps(rest)[1:])
