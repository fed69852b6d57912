"""Taskerino's chunked session storage and the lossless migration to it.

Plain Python: runs in CPython (tests, on the in-memory backend) and in Pyodide (the browser,
on Taskerino's IndexedDB through web/idb-bridge.mjs).
"""
from .backend import StorageBackend, StorageEstimate
from .errors import LockBusyError, QuotaExceededError, RecordDecodeError, StorageError, WriteConflictError
from .memory import MemoryBackend

__all__ = [
    "LockBusyError",
    "MemoryBackend",
    "QuotaExceededError",
    "RecordDecodeError",
    "StorageBackend",
    "StorageError",
    "StorageEstimate",
    "WriteConflictError",
]
