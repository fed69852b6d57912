"""What every path of one session's job shares (job.py runs them): what the job works on, the
first step (loading the legacy copy), the one write, and the last step (the legacy copy goes).

Each step returns a value — a Loaded, a marker, a Done — that the next one takes, so none can
run before what it needs exists, and nothing is filled in later.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import (IndexNotArrayError, InvalidSessionError, QuotaExceededError, RecordDecodeError,
                      UnmigratableSessionError)
from ..session import layout
from ..session.checksum import session_checksum
from ..session.shape import require_session_shape
from ..storage.chunked import ChunkedSessionStorage
from ..storage.port import IndexChange, StorageBackend
from .backups import backup_keys, free_backup_key, make_envelope
from .inventory import LegacyCopy
from .markers import new_marker, verified
from .options import MigrationOptions
from .runtime import Runtime, display_name
from .space import SpaceCheck, not_enough_space

ENVELOPE_OVERHEAD = 512  # bytes a backup adds to its session's JSON text, generously


@dataclass(frozen=True)
class Safeguards:
    """The skip options, read here and nowhere else: whether a job verifies, backs up, and may
    remove the legacy copy."""

    verify: bool
    back_up: bool
    retention_days: int

    @classmethod
    def of(cls, options: MigrationOptions) -> Safeguards:
        return cls(not options.skip_verification, not options.skip_backup, options.backup_retention_days)

    @property
    def why_keep_copy(self) -> str | None:
        """Why the legacy copy must stay (the only verified copy, or the only backup); None: it may go."""
        if not self.verify:
            return ("Verification skipped: the legacy copy was kept, as the only verified copy. Run the "
                    "migration again without skipVerification to verify and finish.")
        if not self.back_up:
            return ("Backup skipped: the legacy copy was kept, as the only backup. Run the migration "
                    "again without skipBackup to back it up and finish.")
        return None


@dataclass(frozen=True)
class JobContext:
    """What one session's job works on. The caller holds the session's lock."""

    rt: Runtime
    copy: LegacyCopy
    store: StorageBackend
    safeguards: Safeguards
    space: SpaceCheck  # the command's free-space check (one per command)

    @property
    def chunked(self) -> ChunkedSessionStorage:
        return self.rt.chunked_on(self.store)


@dataclass(frozen=True)
class Loaded:
    """A legacy copy read and checked to be a session: what every later step works on."""

    session: dict
    text: str  # a JSON text of `session`: as read, or codec.dumps
    checksum: str
    own_keys: list[str]  # sessions/{id}/…, from one listing
    backup_keys: list[str]  # sessions/{id}.backup-…, from the same listing, oldest first
    warnings: tuple[str, ...]  # properties read as absent (stored as `undefined`)

    @property
    def session_id(self) -> str:
        return self.session["id"]

    @property
    def name(self) -> str:
        return display_name(self.session)


@dataclass(frozen=True)
class Gone:
    """The legacy copy went because the session was migrated meanwhile: nothing left to do."""

    warning: str


@dataclass(frozen=True)
class Done:
    """What a path did: the part of the session's result it decides."""

    warnings: tuple[str, ...] = ()
    backup_path: str | None = None
    chunk_counts: Mapping[str, int] = field(default_factory=dict)
    bytes_after: int = 0
    resumed: bool = False  # finished an earlier run's leftovers
    copy_left: bool = False  # the legacy copy was kept on purpose
    array_copy: bool = False  # its `sessions` array copy is for the caller to remove


# -- 1. the legacy copy


async def load(ctx: JobContext) -> Loaded | Gone:
    """The legacy copy, checked, with the session's records and backups listed."""
    copy, where = ctx.copy, ctx.copy.where
    try:
        value, text, undefined_paths = await copy.load(ctx.store)
    except RecordDecodeError as exc:
        raise UnmigratableSessionError(
            f"{where} cannot be decoded ({exc.reason}); it was left as it is.") from None
    except KeyError:  # migrated meanwhile (on demand, by this tab), or deleted by the app
        if copy.session_id is None or not await ctx.rt.is_chunked(copy.session_id, ctx.store):
            raise UnmigratableSessionError(
                f"{where} disappeared while the migration ran; nothing was changed.") from None
        return Gone(f"{where} was migrated meanwhile (on demand); nothing left to do.")
    try:
        require_session_shape(value)
        layout.check_session_id(value["id"])
    except InvalidSessionError as exc:
        raise UnmigratableSessionError(
            f"{where} cannot be migrated: {exc}. It was left as it is.") from None
    if copy.session_id is not None and value["id"] != copy.session_id:
        raise UnmigratableSessionError(
            f"{where} holds a session whose id is {value['id']!r}, not {copy.session_id!r}; "
            "it was left as it is.")
    sid = value["id"]
    # The session's records and backups, in one listing (one round trip, not three).
    own, listed = layout.session_prefix(sid), await ctx.store.keys(f"sessions/{sid}")
    return Loaded(value, text, session_checksum(value), [k for k in listed if k.startswith(own)],
                  await backup_keys(ctx.store, sid, keys=listed),
                  tuple(f"{path} was undefined; stored as absent" for path in undefined_paths))


# -- writing


async def write(ctx: JobContext, loaded: Loaded, puts: dict[str, Any], deletes: list[str] = (), *,
                needed: int = 0, index: str | None = None) -> None:
    """One write_batch; with index="add"/"remove" the session's id is added to or removed from
    the session-index in that same write (IndexChange)."""
    change = IndexChange(index, loaded.session_id) if index else None
    try:
        await ctx.store.write_batch(puts, deletes, index=change)
    except IndexNotArrayError as exc:
        raise UnmigratableSessionError(
            f"{exc}, so {loaded.name} cannot be {'added to' if index == 'add' else 'removed from'} "
            "it; nothing was changed.") from None
    except QuotaExceededError:
        raise not_enough_space(loaded.name, needed) from None


@dataclass(frozen=True)
class Backup:
    """A backup of the legacy copy planned, and the marker pointing at it (not yet written)."""

    key: str | None  # None: no backup (skipBackup)
    envelope: dict | None
    marker: dict

    @property
    def needed(self) -> int:
        """Bytes the backup adds to a write."""
        return 0 if self.envelope is None else ENVELOPE_OVERHEAD


def plan_backup(ctx: JobContext, loaded: Loaded, chunked_updated_at: object) -> Backup:
    """The backup envelope (unless skipped), and the marker naming it and the metadata's updatedAt."""
    now = ctx.rt.now()
    key = envelope = None
    if ctx.safeguards.back_up:
        key = free_backup_key(loaded.session_id, now, taken=loaded.backup_keys)
        envelope = make_envelope(loaded.session, loaded.checksum, ctx.copy.source, now,
                                 ctx.safeguards.retention_days)
    return Backup(key, envelope, new_marker(loaded.checksum, envelope, key, layout.js_iso(now),
                                            chunked_updated_at))


# -- the last step: the legacy copy goes


async def remove_legacy_copy(ctx: JobContext, loaded: Loaded, marker: dict | None) -> Done:
    """Only once the chunked form is verified and backed up (invariant 3; the caller checked
    Safeguards.why_keep_copy). A record goes at once, with the marker's verifiedAt; an array
    copy is left to the caller (the batch rewrites the `sessions` array once, at its end)."""
    if ctx.copy.layout == "array":
        return Done(array_copy=True)
    key = ctx.copy.key
    try:
        current = await ctx.store.get_many([key])
    except RecordDecodeError:
        current = {key: None}
    if key in current and session_checksum(current[key]) != loaded.checksum:
        return Done(warnings=(f"{key} changed while the session was migrated, so it was kept; run the "
                              "migration again to finish.",), copy_left=True)
    marker_key = layout.migration_marker_key(loaded.session_id)
    await write(ctx, loaded, {marker_key: verified(marker, ctx.rt.now_iso())} if marker else {}, [key])
    return Done()
