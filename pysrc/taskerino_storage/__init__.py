"""Taskerino's chunked session storage and the lossless migration to it.

Plain Python: runs in CPython (tests, on the in-memory backend) and in Pyodide (the browser,
on Taskerino's IndexedDB through web/lib/bridge.mjs). The layers, each a folder, each
importing only those listed before it (tests/test_layers.py checks it):

    errors      one tree of every error raised on purpose
    session/    what a session is: keys, records, shape, models, compare, checksum (no I/O)
    storage/    the storage port and its backends, the DATA codec, chunked storage
    migration/  the commands and what they run on
    browser/    the only modules that import `js` or `pyodide`: IndexedDB, the service for JS
    testing/    for users' tests too: the storage contract suite, sample sessions
"""
from .errors import (DataIntegrityError, LockBusyError, MigrationError, QuotaExceededError, RecordDecodeError,
                     StorageError, TaskerinoStorageError)
from .migration import MigrationOptions, commands, open_runtime, verify_data_integrity
from .storage.chunked import ChunkedSessionStorage, SavePlan
from .storage.memory import MemoryBackend
from .storage.port import StorageBackend, StorageEstimate

__all__ = [
    "ChunkedSessionStorage", "DataIntegrityError", "LockBusyError", "MemoryBackend",
    "MigrationError", "MigrationOptions", "QuotaExceededError", "RecordDecodeError", "SavePlan",
    "StorageBackend", "StorageError", "StorageEstimate", "TaskerinoStorageError",
    "commands", "open_runtime", "verify_data_integrity",
]
