"""Every error this package raises on purpose, in one tree. Each names what happened and what to
do, in words a user can act on; none of them means data was lost.

    TaskerinoStorageError            anything below; caught at the console edge only
    ├── StorageError                 the key-value store failed or refused; nothing was written
    │   ├── RecordDecodeError        a record exists but can't be read as JSON
    │   ├── QuotaExceededError       the browser is out of space
    │   ├── IndexNotArrayError       the session-index is not an array of ids
    │   ├── DuplicateElementError    an array already holds another element with that id
    │   ├── SessionLayoutError       a chunked session's records don't fit together
    │   ├── UnstorableKeyError       a key this store can never hold where the app reads it
    │   └── LockBusyError            another tab holds the lock
    │       └── MigrationBusyError   … the batch lock: another tab is migrating
    ├── InvalidSessionError          a value that can't be a session at all
    ├── SessionNotFoundError         no chunked session with this id
    │   └── UnknownSessionError      … nor a legacy one
    └── MigrationError               an expected failure of a migration command
        ├── InvalidArgumentError     a command got a value it can't use
        ├── UnmigratableSessionError this session's data can't be migrated as it is
        ├── DataIntegrityError       the chunked form read back differs from the original
        ├── InsufficientSpaceError   too little free space for the next write
        ├── RollbackRefusedError     rolling back would lose data
        └── BackupError              no usable backup

Two tables keep the edges stable: KINDS gives each class the `kind` JavaScript sees on a
MigrationError (documented in web/lib/taskerino-migration.d.ts, checked by a test), so renaming a
class changes no API; FROM_BRIDGE maps the `name` of an Error the IndexedDB bridge rejects with
to its class here (browser/indexeddb.py).
"""
from __future__ import annotations


class TaskerinoStorageError(Exception):
    """Base of every error raised on purpose; anything else is a bug."""


# -- the store

class StorageError(TaskerinoStorageError):
    """Something went wrong reading or writing the key-value store; nothing was written."""


class RecordDecodeError(StorageError):
    """A stored record exists but its DATA cannot be decoded (bad base64, truncated gzip, bad JSON...)."""

    def __init__(self, key: str, reason: str):
        super().__init__(f"record {key!r} cannot be decoded: {reason}")
        self.key = key
        self.reason = reason


class QuotaExceededError(StorageError):
    """The browser refused a write for lack of space; the whole batch was rolled back."""


class IndexNotArrayError(StorageError):
    """The session-index holds something other than an array of ids, so an id can't be added or
    removed; the batch that would have changed it wrote nothing."""


class DuplicateElementError(StorageError):
    """An array record already holds a different element with the id being appended; nothing
    was written."""


class UnstorableKeyError(StorageError):
    """A key this store can never hold where the app would read it (a file name the OS or the
    desktop app's file access refuses): running again can't help; nothing was written."""


class SessionLayoutError(StorageError):
    """A chunked session's records do not fit together: a chunk or part its metadata names is
    missing, or a record has the wrong shape. Loading it would silently lose data, so we stop."""

    def __init__(self, session_id: str, problems: list[str]):
        super().__init__(f"chunked session {session_id!r} is damaged: " + "; ".join(problems))
        self.session_id = session_id
        self.problems = problems


class LockBusyError(StorageError):
    """Another tab (or task) holds the lock."""


class MigrationBusyError(LockBusyError):
    """Another tab holds the batch lock: it is migrating (or rolling back, or cleaning up)."""


# -- sessions

class InvalidSessionError(TaskerinoStorageError):
    """A value that cannot be a session at all: not an object, or no usable string id.
    Only these are refused; every other deviation from Taskerino's types is a warning."""


class SessionNotFoundError(TaskerinoStorageError):
    """No chunked session with this id (its metadata record does not exist)."""

    def __init__(self, session_id: str, message: str | None = None):
        super().__init__(message or f"session {session_id!r} is not in chunked storage (no metadata record)")
        self.session_id = session_id


class UnknownSessionError(SessionNotFoundError):
    """No session with this id, in chunked storage or among the legacy sessions."""

    def __init__(self, session_id: str):
        super().__init__(session_id, f"No session {session_id!r}: it is neither in chunked storage "
                                     "nor among the legacy sessions.")


# -- the migration's commands

class MigrationError(TaskerinoStorageError):
    """An expected failure of a migration command, with a message the user can act on."""


class InvalidArgumentError(MigrationError):
    """A command got a value it cannot use; nothing was read or changed."""


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


#: The `kind` JavaScript sees for each error (web/lib/taskerino-migration.d.ts MigrationErrorKind);
#: "internal" for anything else (a bug). A stable list: it never follows a renamed class.
KINDS: dict[type[TaskerinoStorageError], str] = {
    StorageError: "storage", RecordDecodeError: "record-decode", QuotaExceededError: "quota-exceeded",
    IndexNotArrayError: "index-not-array",
    DuplicateElementError: "duplicate-element", SessionLayoutError: "session-layout",
    LockBusyError: "lock-busy", MigrationBusyError: "migration-busy",
    InvalidSessionError: "invalid-session", SessionNotFoundError: "session-not-found",
    UnknownSessionError: "unknown-session", MigrationError: "migration",
    InvalidArgumentError: "invalid-argument", UnmigratableSessionError: "unmigratable-session",
    DataIntegrityError: "data-integrity", InsufficientSpaceError: "insufficient-space",
    RollbackRefusedError: "rollback-refused", BackupError: "backup",
}
INTERNAL_KIND = "internal"
#: Kinds only the JS client raises (web/lib/errors.mjs), before or instead of any Python: "boot"
#: (the migration can't run here, or its worker could not start) and "usage" (a call typed
#: wrong, refused before it is sent).
JS_KINDS = ("boot", "usage")


def kind_of(exc: BaseException) -> str:
    """The `kind` of an error for JavaScript: its class's, or its nearest base's."""
    for cls in type(exc).__mro__:
        if cls in KINDS:
            return KINDS[cls]
    return INTERNAL_KIND


#: The `name` of an Error web/lib/bridge.mjs rejects with -> the class it becomes here (its
#: message is kept). Any other name is a StorageError naming what failed.
FROM_BRIDGE: dict[str, type[StorageError]] = {
    "QuotaExceededError": QuotaExceededError,
    "RecordDecodeError": RecordDecodeError,
    "IndexNotArrayError": IndexNotArrayError,
    "DuplicateElementError": DuplicateElementError,
}
