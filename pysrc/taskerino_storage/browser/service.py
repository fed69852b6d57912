"""The browser edge: what web/lib/taskerino-migration.mjs calls into. Importable only in Pyodide.

JS registers web/lib/idb-bridge.mjs as the module `taskerino_bridge` before importing this. Every
service method takes and returns JSON text (cheap to cross the bridge, and plain objects on the
JS side) as an envelope: {"ok": true, "value": ...} or {"ok": false, "error": message, "kind":
errors.KINDS}. Expected failures carry their own clear message; an unexpected one (a bug) is
reported as one readable line, with the traceback kept for `console.debug`, never thrown raw.
"""
from __future__ import annotations

import json
import traceback
from typing import Any

import taskerino_bridge  # type: ignore[import-not-found]  # registered by the JS loader

from ..errors import INTERNAL_KIND, TaskerinoStorageError, kind_of
from ..migration import commands, open_runtime
from ..storage import codec
from .indexeddb import IndexedDBBackend

# fillDemo generates and appends this many sessions at a time (~200 KB of JSON each, on average).
FILL_SLICE = 25


async def open_backend(db_name: str = "taskerino-db", store_name: str = "collections",
                       encoding: str = "gzip") -> IndexedDBBackend:
    """An IndexedDB backend on its own connection to `db_name`."""
    from js import Object  # type: ignore[import-not-found]
    from pyodide.ffi import to_js  # type: ignore[import-not-found]

    options = to_js({"storeName": store_name, "encoding": encoding}, dict_converter=Object.fromEntries)
    return IndexedDBBackend(await taskerino_bridge.openBridge(db_name, options))


def _ok(value: Any) -> str:
    return codec.dumps({"ok": True, "value": value})


def _failed(exc: BaseException) -> str:
    if isinstance(exc, TaskerinoStorageError):  # expected: its message says what to do
        return codec.dumps({"ok": False, "error": str(exc), "kind": kind_of(exc)})
    return codec.dumps({"ok": False, "kind": INTERNAL_KIND,
                        "error": f"internal error ({type(exc).__name__}: {exc}); every session is whole in its "
                                 "legacy or its chunked form: run again to finish",
                        "traceback": traceback.format_exc()})


class MigrationService:
    """What JS calls: the commands (migration/commands.py) over one IndexedDB connection, each
    taking and returning JSON text."""

    def __init__(self, backend: IndexedDBBackend):
        self.backend = backend
        self.rt = open_runtime(backend)

    async def _call(self, command, *args, **kwargs) -> str:
        """Run one command; its result (a dataclass with to_dict, or plain JSON) as an envelope."""
        try:
            value = await command(*args, **kwargs)
            return _ok(value.to_dict() if hasattr(value, "to_dict") else value)
        except Exception as exc:  # the one place errors become console messages
            return _failed(exc)

    async def status(self) -> str:
        return await self._call(commands.get_migration_status, self.rt)

    async def run_migration(self, options_json: str, on_progress=None) -> str:
        options = {**json.loads(options_json), **({"on_progress": on_progress} if on_progress else {})}
        return await self._call(commands.migrate_all_sessions, self.rt, options)

    async def migrate_single(self, session_id: str, options_json: str) -> str:
        return await self._call(commands.migrate_session_to_chunked, self.rt, session_id, json.loads(options_json))

    async def rollback(self, session_id: str, backup_path: str | None, force: bool = False) -> str:
        return await self._call(commands.rollback_session_migration, self.rt, session_id, backup_path, force=force)

    async def cleanup(self, retention_days: int, confirm: bool) -> str:
        return await self._call(commands.cleanup_old_backups, self.rt, retention_days, confirm=confirm)

    async def load_session(self, session_id: str) -> str:
        return await self._call(commands.load_session, self.rt, session_id)

    async def fill_demo(self, count: int) -> str:
        """Add `count` generated legacy sessions to the app's `sessions` array (a few broken).

        The array stays in JS: its length (the seed) comes from a handle on it, and the new
        sessions go in FILL_SLICE at a time through `extend_array`, so Python holds one slice,
        never the array. Each slice lands in its own transaction: a fill cut short (tab closed)
        leaves the slices already written, every one whole. The sessions are exactly those one
        `generate_sessions(count, seed, broken=...)` call gives: each depends only on (index,
        seed), and the broken positions are taken for the whole count."""
        from itertools import islice

        from ..demo.samples import iter_sessions

        async def fill():
            array = await self.backend.open_array("sessions")
            # The seed follows the array's length, so a second fill adds new ids, not duplicates.
            seed = 2025 + (array.count if array is not None else 0)
            del array  # the handle holds the parsed array (JS side): let it go before filling
            sessions = iter_sessions(count, seed, broken=max(1, count // 8) if count >= 4 else 0)
            ids: list[str] = []
            while batch := list(islice(sessions, FILL_SLICE)):
                await self.backend.extend_array("sessions", batch)
                ids += [s["id"] for s in batch]
            return {"created": len(ids), "ids": ids}
        return await self._call(fill)


async def create_service(db_name: str, store_name: str = "collections", encoding: str = "gzip") -> MigrationService:
    # Build the pydantic models now, in the background after boot (~1 s), not inside the first
    # session the user migrates. The JS loader calls this once pydantic is loaded.
    from ..session import models  # noqa: F401

    return MigrationService(await open_backend(db_name, store_name, encoding))
