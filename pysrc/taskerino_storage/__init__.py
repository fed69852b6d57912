"""Taskerino's chunked session storage and the lossless migration to it.

Plain Python: runs in CPython (tests, on the in-memory backend) and in Pyodide (the browser,
on Taskerino's IndexedDB through web/idb-bridge.mjs).
"""
from .backend import StorageBackend, StorageEstimate
from .errors import LockBusyError, QuotaExceededError, RecordDecodeError, StorageError, WriteConflictError
from .chunked import ChunkedSessionStorage, SavePlan
from .memory import MemoryBackend
from .migration import DataIntegrityError, MigrationError, MigrationOptions, Migrator, verify_data_integrity

__all__ = [
    "ChunkedSessionStorage",
    "DataIntegrityError",
    "MigrationError",
    "MigrationOptions",
    "Migrator",
    "SavePlan",
    "verify_data_integrity",
    "LockBusyError",
    "MemoryBackend",
    "QuotaExceededError",
    "RecordDecodeError",
    "StorageBackend",
    "StorageError",
    "StorageEstimate",
    "WriteConflictError",
]
