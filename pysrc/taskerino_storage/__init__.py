"""Taskerino's chunked session storage and the lossless migration to it.

Plain Python: runs in CPython (tests, on the in-memory backend) and in Pyodide (the browser,
on Taskerino's IndexedDB through the JS bridge, web/lib/bridge.mjs). Its layers, each a folder importing
only those listed before it, are listed once, in docs/design.md ("Layers"); tests/test_layers.py
checks them.
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
