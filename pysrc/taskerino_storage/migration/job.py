"""One session's migration from one legacy copy: the single command, the batch and on-demand
loading all run this, and a dry run runs it too, on an overlay store.

Fresh migration, each step safe to die after (invariants: docs/design.md):
  1. load the legacy copy; check it can be a session; collect validation warnings
  2. plan the chunked records (ChunkedSessionStorage.plan_save), the backup and the marker
  4a. verify that the planned records rebuild the original exactly; else write nothing
  3. ONE write_batch: chunks, metadata, index entry, backup, marker — the chunked form appears
     whole or not at all (invariant 2)
  4b. read the records back from the store: each must be exactly the text written; on any
     difference, ONE write_batch takes it all away again (the legacy copy was never touched)
  5. only then, with a backup in place, remove the legacy copy (invariant 3) and set the
     marker's verifiedAt — at once for a record; for the array, the caller may defer it

A session found chunked while a legacy copy remains was left so by an earlier run (or by the
app): `leftover_action` decides from the marker and the backups whether that copy may go.

Each step takes what the one before it produced — a Loaded value, a marker — rather than
reading attributes some earlier step may or may not have filled in, so they can't run out of
order.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from time import perf_counter
from typing import Any

from ..errors import (BackupError, DataIntegrityError, IndexNotArrayError, InvalidSessionError,
                      MigrationError, QuotaExceededError, RecordDecodeError, SessionLayoutError,
                      StorageError, UnmigratableSessionError)
from ..session import layout
from ..session.checksum import session_checksum
from ..session.compare import json_diff, json_equal
from ..session.records import part_keys
from ..session.shape import require_session_shape
from ..storage import codec
from ..storage.chunked import SavePlan
from ..storage.port import IndexChange, StorageBackend
from .backups import backup_keys, free_backup_key, make_envelope, read_backup
from .inventory import LegacyCopy
from .markers import new_marker, read_marker, verified
from .options import MigrationOptions
from .results import SessionMigrationResult
from .runtime import Runtime, display_name
from .space import SpaceCheck, not_enough_space
from .verify import describe_differences, verify_data_integrity

ENVELOPE_OVERHEAD = 512  # bytes a backup adds to its session's JSON text, generously

Announce = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class Loaded:
    """A legacy copy read and checked to be a session: what every later step works on."""

    session: dict
    text: str  # a JSON text of `session`: as read, or codec.dumps
    checksum: str
    own_keys: list[str]  # sessions/{id}/…, from one listing
    backup_keys: list[str]  # sessions/{id}.backup-…, from the same listing, oldest first

    @property
    def session_id(self) -> str:
        return self.session["id"]


class Leftover(Enum):
    """What to do with a legacy copy of a session found already chunked (leftover_action)."""

    REMOVE = "remove"  # the chunked session is the original (or an edit of it, the original backed up)
    MIGRATE_AGAIN = "migrate again"  # the chunked form is the migration's own, never verified or outdated
    KEEP_BOTH = "keep both"  # they differ and neither can be told to be the one to keep


def leftover_action(*, equal: bool, saved_since: bool, backed_up: bool, marker_checksum: str | None,
                    copy_checksum: str, chunked_checksum: str, marker_backup_kept: bool) -> Leftover:
    """The decision behind SessionJob.finish, with no I/O.

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


class SessionJob:
    """Migrates the session in `copy`. The caller holds the session's lock.

    `deferred`: a list to append this job to instead of removing an array copy at once (the
    batch rewrites the `sessions` array once, at its end); None removes it here.
    `space`: the batch's free-space check (one per command)."""

    def __init__(self, rt: Runtime, copy: LegacyCopy, options: MigrationOptions,
                 store: StorageBackend, deferred: list[SessionJob] | None = None,
                 space: SpaceCheck | None = None):
        self.rt, self.copy, self.options, self.store = rt, copy, options, store
        self.chunked = rt.chunked_on(store)
        self.deferred = deferred
        self.space = space or SpaceCheck()
        self.result = SessionMigrationResult(copy.session_id or copy.where, dry_run=options.dry_run)
        self.marker: dict | None = None  # the marker as last written (for verifiedAt once the copy goes)

    @property
    def session_id(self) -> str:
        """The session's id: known from the copy (or, for an id-less element, never used)."""
        return self.result.session_id

    @property
    def name(self) -> str:
        return self.result.name or self.copy.where

    async def run(self, announce: Announce | None = None) -> SessionMigrationResult:
        started = perf_counter()
        try:
            try:
                loaded = await self.load()
            finally:
                if announce is not None:
                    await announce(self.name)
            if loaded is not None:
                if layout.metadata_key(loaded.session_id) in loaded.own_keys \
                        and await self.rt.is_chunked(loaded.session_id, self.store):
                    await self.finish(loaded)
                else:
                    await self.migrate(loaded)
                self.result.success = True
        except MigrationError as exc:
            self.fail(exc)
        except StorageError as exc:  # a read or write the store refused: it changed nothing
            self.fail(exc, f"{self.name}: {exc}. Nothing was lost; run again to retry.")
        finally:
            self.result.duration_ms = round((perf_counter() - started) * 1000, 3)
        return self.result

    def fail(self, exc: Exception, message: str | None = None) -> None:
        self.result.success = False
        self.result.error = message or str(exc)
        self.result.cause = exc

    def warn(self, message: str) -> None:
        self.result.warnings.append(message)

    # -- 1. the legacy copy

    async def load(self) -> Loaded | None:
        """The legacy copy, checked, with the session's records and backups listed; None when it
        went because the session was migrated meanwhile (on demand): nothing left to do."""
        where = self.copy.where
        try:
            value, text, undefined_paths = await self.copy.load(self.store)
        except RecordDecodeError as exc:
            raise UnmigratableSessionError(
                f"{where} cannot be decoded ({exc.reason}); it was left as it is.") from None
        except KeyError:  # migrated meanwhile (on demand, by this tab), or deleted by the app
            if self.copy.session_id is None or not await self.rt.is_chunked(self.copy.session_id, self.store):
                raise UnmigratableSessionError(
                    f"{where} disappeared while the migration ran; nothing was changed.") from None
            self.result.success = self.result.skipped = True
            self.warn(f"{where} was migrated meanwhile (on demand); nothing left to do.")
            return None
        try:
            require_session_shape(value)
            layout.check_session_id(value["id"])
        except InvalidSessionError as exc:
            raise UnmigratableSessionError(
                f"{where} cannot be migrated: {exc}. It was left as it is.") from None
        if self.copy.session_id is not None and value["id"] != self.copy.session_id:
            raise UnmigratableSessionError(
                f"{where} holds a session whose id is {value['id']!r}, not {self.copy.session_id!r}; "
                "it was left as it is.")
        for path in undefined_paths:  # the app means these absent (codec.json_view)
            self.warn(f"{path} was undefined; stored as absent")
        sid = value["id"]
        self.result.session_id = sid
        self.result.name = display_name(value)
        self.result.bytes_before = len(text)
        # The session's records and backups, in one listing (one round trip, not three).
        own, listed = layout.session_prefix(sid), await self.store.keys(f"sessions/{sid}")
        return Loaded(value, text, session_checksum(value), [k for k in listed if k.startswith(own)],
                      await backup_keys(self.store, sid, keys=listed))

    # -- 2.-4. fresh migration

    async def migrate(self, loaded: Loaded, *, replacing: bool = False) -> None:
        """`replacing`: a chunked form the migration wrote, untouched since, is replaced."""
        sid = loaded.session_id
        marker_key = layout.migration_marker_key(sid)
        if not replacing:
            foreign = [k for k in loaded.own_keys if k != marker_key]
            if foreign:
                raise UnmigratableSessionError(
                    f"{self.name}: {layout.session_prefix(sid)} already holds records that are not a "
                    f"complete chunked session ({', '.join(foreign[:3])}); migrating would overwrite "
                    f"them. {self.copy.where} was left as it is.")
        self.warn_about_shape(loaded.session)
        with codec.known_texts():  # each record and the backup encoded once, not twice
            plan = await self.chunked.plan_save(loaded.session, existing=loaded.own_keys)
            if not self.options.skip_verification:  # 4a. before anything is written
                self.verify_plan(loaded, plan)
            puts = await self.plan_and_write(loaded, plan)
            if self.options.skip_verification:
                self.keep_legacy_copy("Verification skipped: the legacy copy was kept, as the only verified "
                                      "copy. Run the migration again without skipVerification to verify and finish.")
                return
            await self.verify_read_back(loaded, plan, puts)  # 4b.
        if self.options.skip_backup:
            self.keep_legacy_copy("Backup skipped: the legacy copy was kept, as the only backup. Run the "
                                  "migration again without skipBackup to back it up and finish.")
            return
        await self.remove_legacy_copy(loaded)  # 5.

    def verify_plan(self, loaded: Loaded, plan: SavePlan) -> None:
        """Step 4a: the records planned rebuild the session, every field of it, type-strict. They
        are written as codec.dumps gives them, which reads back as the same value (the codec's
        round trip, tested on its own); 4b checks the store gives those texts back."""
        parts = {k: v for k, v in plan.puts.items() if k != layout.metadata_key(loaded.session_id)}
        try:
            verify_data_integrity(loaded.session, self.chunked.to_session(plan.metadata, parts))
        except SessionLayoutError as exc:  # the split named records it did not plan
            raise DataIntegrityError(f"Data integrity verification failed: {exc}\nNothing was written; "
                                     f"{self.copy.where} was left as it is.", []) from None
        except DataIntegrityError as exc:
            raise DataIntegrityError(f"{exc}\nNothing was written; {self.copy.where} was left as it is.",
                                     exc.differences) from None

    async def verify_read_back(self, loaded: Loaded, plan: SavePlan, puts: dict[str, Any]) -> None:
        """Step 4b: every record of the session read back from the store is exactly the text
        written (not the backup: it is not part of the chunked form). On any difference, or when
        they can't be read, one write takes everything written away again."""
        sid = loaded.session_id
        try:
            differ = await self.store.read_back({k: codec.dumps(v) for k, v in plan.puts.items()})
            problem = f"{', '.join(differ[:3])}{' …' if len(differ) > 3 else ''} did not read back as written" \
                if differ else None
        except StorageError as exc:
            problem = f"the chunked form could not be read back ({exc})"
        if problem is None:
            return
        await self.write(sid, {}, list(puts), index="remove")  # chunks, metadata, marker, backup
        raise DataIntegrityError(f"Data integrity verification failed: {problem}; it was removed again "
                                 f"and {self.copy.where} was left as it is.", [])

    async def plan_and_write(self, loaded: Loaded, plan: SavePlan) -> dict[str, Any]:
        """Step 3: the planned records, the backup and the marker, in one batch. Returns
        everything put."""
        sid = loaded.session_id
        now = self.rt.now()
        backup_key = envelope = None
        if not self.options.skip_backup:
            backup_key = free_backup_key(sid, now, taken=loaded.backup_keys)
            envelope = make_envelope(loaded.session, loaded.checksum, self.copy.source, now,
                                     self.options.backup_retention_days)
            remember_envelope_text(envelope, loaded)
        marker = new_marker(loaded.checksum, envelope, backup_key, layout.js_iso(now),
                            plan.metadata.get("updatedAt"))
        puts = dict(plan.puts)
        puts[layout.migration_marker_key(sid)] = marker
        if envelope is not None:
            puts[backup_key] = envelope
        needed = plan.bytes_written + (self.result.bytes_before + ENVELOPE_OVERHEAD if envelope else 0)
        await self.space.ensure(self.store, self.name, needed)
        await self.write(sid, puts, plan.deletes, needed=needed, index="add")  # 3.
        self.marker = marker
        self.result.backup_path = backup_key
        self.result.chunk_counts = dict(plan.chunk_counts)
        self.result.bytes_after = plan.bytes_written
        return puts

    def warn_about_shape(self, session: dict) -> None:
        from ..session.models import validate_session  # pydantic: imported only when migrating

        self.result.warnings.extend(validate_session(session))

    async def write(self, session_id: str, puts: dict[str, Any], deletes: list[str] = (), *,
                    needed: int = 0, index: str | None = None) -> None:
        """One write_batch; with index="add"/"remove" the session's id is added to or removed
        from the session-index in that same write (IndexChange)."""
        change = IndexChange(index, session_id) if index else None
        try:
            await self.store.write_batch(puts, deletes, index=change)
        except IndexNotArrayError as exc:
            raise UnmigratableSessionError(
                f"{exc}, so {self.name} cannot be {'added to' if index == 'add' else 'removed from'} "
                "it; nothing was changed.") from None
        except QuotaExceededError:
            raise not_enough_space(self.name, needed) from None

    # -- 5. the legacy copy goes

    def keep_legacy_copy(self, why: str) -> None:
        self.warn(why)
        self.result.legacy_copy_left = True

    async def remove_legacy_copy(self, loaded: Loaded) -> None:
        if self.options.skip_backup or self.options.skip_verification:
            self.keep_legacy_copy("The legacy copy was kept (skipBackup/skipVerification); run again "
                                  "without them to finish.")
            return
        if self.copy.layout == "array":
            if self.deferred is not None:
                # The batch keeps this job (not `loaded`) until its end: Python holds one session
                # at a time, not the whole batch.
                self.deferred.append(self)
            else:
                removed = await self.copy.array.remove_items([loaded.session_id])
                await mark_removed(self.store, [self], removed, self.rt.now_iso())
                self.result.legacy_copy_left = loaded.session_id not in removed
            return
        key = self.copy.key
        try:
            current = await self.store.get_many([key])
        except RecordDecodeError:
            current = {key: None}
        if key in current and session_checksum(current[key]) != loaded.checksum:
            self.keep_legacy_copy(f"{key} changed while the session was migrated, so it was kept; run "
                                  "the migration again to finish.")
            return
        marker_key = layout.migration_marker_key(loaded.session_id)
        puts = {marker_key: verified(self.marker, self.rt.now_iso())} if self.marker else {}
        await self.write(loaded.session_id, puts, [key])

    # -- a chunked session that still has a legacy copy

    async def finish(self, loaded: Loaded) -> None:
        self.result.resumed = True
        sid = loaded.session_id
        try:
            metadata = await self.chunked.load_metadata(sid)  # once: the parts are read by its keys
            if metadata is None:  # the app deleted it since it was found chunked
                raise UnmigratableSessionError(
                    f"{self.name} left chunked storage while the migration ran; its legacy copy "
                    f"{self.copy.where} was kept. Run the migration again.")
            chunked = self.chunked.to_session(metadata, await self.store.get_many(part_keys(metadata)))
        except StorageError as exc:
            raise UnmigratableSessionError(
                f"{self.name} is in chunked storage but cannot be read ({exc}); its legacy copy "
                f"{self.copy.where} was kept.") from None
        self.marker = await read_marker(self.store, sid)
        marker = self.marker or {}
        equal = json_equal(chunked, loaded.session)
        # While the metadata keeps the updatedAt the migration gave it, nobody saved the chunked
        # session since: a difference is the migration's, not an edit to keep.
        saved_since = self.marker is None or metadata.get("updatedAt") != marker.get("chunkedUpdatedAt")
        backup = await self.matching_backup(loaded)
        action = leftover_action(
            equal=equal, saved_since=saved_since, backed_up=backup is not None,
            marker_checksum=marker.get("checksum"), copy_checksum=loaded.checksum,
            chunked_checksum=session_checksum(chunked) if not equal else loaded.checksum,
            marker_backup_kept=marker.get("backupKey") in loaded.backup_keys)
        if action is Leftover.REMOVE:
            self.result.backup_path = backup
            if not equal:
                self.warn(f"The chunked session was changed after it was migrated; its legacy copy "
                          f"{self.copy.where} is the original, kept in {backup}, so it was removed.")
            elif backup is None:
                if self.options.skip_backup:
                    self.keep_legacy_copy("Backup skipped: the legacy copy was kept, as the only backup.")
                    return
                await self.back_up(loaded, metadata)
            await self.remove_legacy_copy(loaded)
        elif action is Leftover.MIGRATE_AGAIN:
            if marker.get("checksum") == loaded.checksum:
                self.warn("The chunked form written from this legacy copy by an earlier run was never "
                          "verified (that run failed before cleaning up): migrated again.")
            else:
                self.warn(f"{self.copy.where} was changed after the session was migrated (the chunked "
                          f"form is unchanged): migrated again; the earlier version stays in "
                          f"{marker['backupKey']}.")
            await self.migrate(loaded, replacing=True)
        else:
            listed = describe_differences(json_diff(loaded.session, chunked), limit=5).split("\n", 1)[1]
            raise UnmigratableSessionError(
                f"{self.name} is in chunked storage and its legacy copy {self.copy.where} differs "
                f"from it; both were kept, nothing was changed. Compare them, then roll back or "
                f"remove one:\n{listed}")

    async def matching_backup(self, loaded: Loaded) -> str | None:
        """A backup of exactly this legacy copy (same checksum): the marker's, or any other."""
        marker = self.marker or {}
        if marker.get("checksum") == loaded.checksum and marker.get("backupKey") in loaded.backup_keys:
            return marker["backupKey"]
        for key in reversed(loaded.backup_keys):
            try:
                if (await read_backup(self.store, key)).checksum == loaded.checksum:
                    return key
            except BackupError:
                continue
        return None

    async def back_up(self, loaded: Loaded, metadata: dict) -> None:
        """A backup of the legacy copy, and the marker pointing at it, in one write."""
        sid, now = loaded.session_id, self.rt.now()
        key = free_backup_key(sid, now, taken=loaded.backup_keys)
        envelope = make_envelope(loaded.session, loaded.checksum, self.copy.source, now,
                                 self.options.backup_retention_days)
        fresh = new_marker(loaded.checksum, envelope, key, layout.js_iso(now), metadata.get("updatedAt"))
        marker = {**fresh, **{k: v for k, v in (self.marker or {}).items()
                              if k in ("migratedAt", "chunkedUpdatedAt")}}
        needed = self.result.bytes_before + ENVELOPE_OVERHEAD
        await self.space.ensure(self.store, self.name, needed)
        await self.write(sid, {key: envelope, layout.migration_marker_key(sid): marker}, needed=needed)
        self.marker = marker
        self.result.backup_path = key


def remember_envelope_text(envelope: dict, loaded: Loaded) -> None:
    """codec.dumps(envelope), built from the session's text already read in load()."""
    rest = {k: v for k, v in envelope.items() if k != "session"}
    if loaded.text and next(iter(envelope)) == "session" and rest and envelope["session"] is loaded.session:
        codec.remember(envelope, '{"session":' + loaded.text + "," + codec.dumps(rest)[1:])


async def mark_removed(store: StorageBackend, jobs: list[SessionJob], removed: list[str],
                       when: str) -> None:
    """After remove_items: verifiedAt on the markers of the sessions removed, in one write; a
    warning on the others (the app changed them since, or they were gone already)."""
    removed_ids = set(removed)
    markers = {job.session_id: await read_marker(store, job.session_id) for job in jobs
               if job.session_id in removed_ids}  # an unreadable marker only keeps its backup longer
    puts = {layout.migration_marker_key(sid): verified(m, when) for sid, m in markers.items() if m}
    if puts:
        await store.write_batch(puts)
    for job in jobs:
        if job.session_id not in removed_ids:
            job.warn(f"{job.copy.where} was not removed from the sessions array: it changed while "
                     "the session was migrated, or another writer (the app) put it back. It is safe "
                     "in chunked storage; run the migration again to finish.")


async def settle_marker(rt: Runtime, store: StorageBackend, session_id: str) -> str | None:
    """For a chunked session with no legacy copy left whose marker lacks verifiedAt (a run died
    between removing the array copy and marking it): set verifiedAt when the chunked session is
    still exactly the original. Returns a warning when it cannot be read."""
    marker = await read_marker(store, session_id)
    if marker is None or marker.get("verifiedAt") is not None:
        return None
    try:
        loaded = await rt.chunked_on(store).load_full_session(session_id)
    except StorageError as exc:
        return f"{session_id} is in chunked storage but cannot be read: {exc}"
    if loaded is not None and session_checksum(loaded) == marker.get("checksum"):
        await store.write_batch({layout.migration_marker_key(session_id):
                                 verified(marker, rt.now_iso())})
    return None
