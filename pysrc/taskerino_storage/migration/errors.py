"""The migration's expected failures: one base class, caught at the console edge and shown as its
message. Each says what happened and what to do; none of them means data was lost."""
from __future__ import annotations

from ..errors import LockBusyError
from ..session_errors import SessionNotFoundError


class MigrationError(Exception):
    """An expected failure, with a message the user can act on. Nothing was lost."""


class InvalidArgumentError(MigrationError, ValueError):
    """A command got a value it cannot use; nothing was read or changed."""


class UnknownSessionError(MigrationError, SessionNotFoundError):
    """No session with this id, in chunked storage or among the legacy sessions."""

    def __init__(self, session_id: str):
        Exception.__init__(self, f"No session {session_id!r}: it is neither in chunked storage "
                                 "nor among the legacy sessions.")
        self.session_id = session_id


class MigrationBusyError(MigrationError, LockBusyError):
    """Another tab holds the batch lock: it is migrating (or rolling back, or cleaning up)."""


class UnmigratableSessionError(MigrationError):
    """This session's stored data cannot be migrated as it is; its records were left untouched."""


class DataIntegrityError(MigrationError):
    """The chunked form read back differs from the original; `differences` lists every place.

    The message is the seed's: "Data integrity verification failed:" then one entry per difference."""

    def __init__(self, message: str, differences: list):
        super().__init__(message)
        self.differences = differences


class InsufficientSpaceError(MigrationError):
    """The store has (or reported) too little free space for the next write; nothing was written."""


class RollbackRefusedError(MigrationError):
    """Rolling back would lose data (or there is nothing to roll back); nothing was changed."""


class BackupError(MigrationError):
    """No usable backup: none exists, it belongs to another session, or it cannot be read."""
