"""What every command runs on: the store, the chunked storage over it, and the clock."""
from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from .. import layout
from ..backend import StorageBackend
from ..chunked import ChunkedSessionStorage
from ..errors import RecordDecodeError
from .dryrun import DryRunBackend
from .errors import InvalidArgumentError


@dataclass
class Runtime:
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


def require_session_id(session_id: object) -> str:
    """The id, when it can name a session's keys; InvalidArgumentError naming the problem."""
    if not isinstance(session_id, str):
        raise InvalidArgumentError(f"a session id must be a string, got {type(session_id).__name__}")
    try:
        return layout.check_session_id(session_id)
    except ValueError as exc:
        raise InvalidArgumentError(str(exc)) from None


def display_name(session: dict) -> str:
    name = session.get("name")
    return name if isinstance(name, str) and name.strip() else session["id"]
