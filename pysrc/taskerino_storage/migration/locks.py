"""Lock names (Web Locks in the browser, so they hold across tabs) and the batch lock.

One batch per origin: migrate_all_sessions, rollback and cleanup take the batch lock without
waiting; every command that writes a session takes that session's lock, waiting for it."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from ..errors import LockBusyError, MigrationBusyError
from ..storage.port import StorageBackend

BATCH_LOCK = "taskerino-migration:batch"
BUSY_MESSAGE = "Another tab is migrating sessions right now; wait for it to finish, then run again."


def session_lock(session_id: str) -> str:
    return f"taskerino-migration:session:{session_id}"


@asynccontextmanager
async def batch_lock(backend: StorageBackend) -> AsyncIterator[None]:
    async with AsyncExitStack() as stack:
        try:
            await stack.enter_async_context(backend.lock(BATCH_LOCK, wait=False))
        except LockBusyError:
            raise MigrationBusyError(BUSY_MESSAGE) from None
        yield
