"""The errors of the storage layer. Each names the key and the problem, in words a user can act on."""
from __future__ import annotations


class StorageError(Exception):
    """Base class: something went wrong reading or writing the key-value store."""


class RecordDecodeError(StorageError):
    """A stored record exists but its DATA cannot be decoded (bad base64, truncated gzip, bad JSON...)."""

    def __init__(self, key: str, reason: str):
        super().__init__(f"record {key!r} cannot be decoded: {reason}")
        self.key = key
        self.reason = reason


class QuotaExceededError(StorageError):
    """The browser refused a write for lack of space; the whole batch was rolled back."""


class WriteConflictError(StorageError):
    """A write's precondition failed: another writer changed a record since it was read.

    The whole batch was rolled back; read again and retry.
    """


class IndexNotArrayError(StorageError):
    """The session-index holds something other than an array of ids, so an id can't be added or
    removed; the batch that would have changed it wrote nothing."""


class DuplicateElementError(StorageError):
    """An array record already holds a different element with the id being appended; nothing
    was written."""


class LockBusyError(StorageError):
    """Another tab (or task) holds the lock: for a batch, another tab is migrating."""
