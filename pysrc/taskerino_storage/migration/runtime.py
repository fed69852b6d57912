"""What every command runs on: the store, the chunked storage over it, and the clock."""
from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from ..errors import InvalidArgumentError, InvalidSessionError, RecordDecodeError
from ..session import layout
from ..storage.chunked import ChunkedSessionStorage
from ..storage.dryrun import DryRunBackend
from ..storage.port import StorageBackend


@dataclass
class Runtime:
    """The store the commands work on, the chunked storage over it, and the clock."""

    backend: StorageBackend
    chunked: ChunkedSessionStorage
    clock: Callable[[], datetime]

    def now(self) -> datetime:
        return self.clock()

    def now_iso(self) -> str:
        return layout.js_iso(self.clock())

    def store(self, dry_run: bool) -> StorageBackend:
        """Where a run writes: the real store, or a fresh dry-run overlay on it."""
        return DryRunBackend(self.backend) if dry_run else self.backend

    def chunked_on(self, store: StorageBackend) -> ChunkedSessionStorage:
        """The configured chunked storage (chunk sizes, clock), over `store`."""
        if store is self.chunked.backend:
            return self.chunked
        clone = copy.copy(self.chunked)
        clone.backend = store
        return clone

    async def is_chunked(self, session_id: str, store: StorageBackend | None = None) -> bool:
        chunked = self.chunked_on(store) if store is not None else self.chunked
        try:
            return await chunked.is_chunked(session_id)
        except RecordDecodeError:  # undecodable metadata: not a session the app can load
            return False


def open_runtime(backend: StorageBackend, *, now: datetime | Callable[[], datetime] | None = None,
                 chunked: ChunkedSessionStorage | None = None) -> Runtime:
    """What the commands (commands.py) run on, for `backend`.

    now: a datetime or a function returning one (tests pin it to check expiry); a naive one is UTC.
    chunked: the ChunkedSessionStorage to write with (chunk sizes); one on `backend` by default."""
    if not isinstance(backend, StorageBackend):
        raise InvalidArgumentError(f"backend must be a StorageBackend, got {type(backend).__name__}")
    clock = _clock(now)
    if chunked is None:
        chunked = ChunkedSessionStorage(backend, now=clock)
    elif chunked.backend is not backend:
        raise InvalidArgumentError("chunked must be a ChunkedSessionStorage on the same backend")
    return Runtime(backend, chunked, clock)


def _clock(now: datetime | Callable[[], datetime] | None) -> Callable[[], datetime]:
    if now is None:
        return lambda: datetime.now(timezone.utc)
    if isinstance(now, datetime):
        fixed = _aware(now)
        return lambda: fixed
    if callable(now):
        return lambda: _aware(now())
    raise InvalidArgumentError(f"now must be a datetime or a function returning one, got {now!r}")


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def require_session_id(session_id: object) -> str:
    """The id, when it can name a session's keys; InvalidArgumentError naming the problem."""
    if not isinstance(session_id, str):
        raise InvalidArgumentError(f"a session id must be a string, got {type(session_id).__name__}")
    try:
        return layout.check_session_id(session_id)
    except InvalidSessionError as exc:
        raise InvalidArgumentError(str(exc)) from None


def display_name(session: dict) -> str:
    name = session.get("name")
    return name if isinstance(name, str) and name.strip() else session["id"]
