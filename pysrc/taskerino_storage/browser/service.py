"""The browser edge: what web/lib/taskerino-migration.mjs calls into. Importable only in Pyodide.

JS registers web/lib/bridge.mjs as the module `taskerino_bridge` before importing this. A
command (browser/console.py) is run by name with its arguments as JSON text and returns JSON
text (cheap to cross the bridge, and plain objects on the JS side) as an envelope:
{"ok": true, "value": ...} or {"ok": false, "error": message, "kind": errors.KINDS}. Expected failures carry their own clear message; an unexpected one (a bug) is
reported as one readable line, with the traceback kept for `console.debug`, never thrown raw.
"""
from __future__ import annotations

import json
import traceback
from typing import Any

import taskerino_bridge  # type: ignore[import-not-found]  # registered by the JS loader

from ..errors import INTERNAL_KIND, TaskerinoStorageError, kind_of
from ..migration import open_runtime
from ..storage import codec
from . import console
from .indexeddb import IndexedDBBackend


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


class BrowserOutput:
    """A command's printed lines and progress, streamed to the client as JSON events through
    `emit` (the worker posts each one on): {"lines": [...]} and {"progress": [message, percent],
    "lines": [the line it prints, if any]}."""

    def __init__(self, emit):
        self.emit = emit

    def lines(self, lines: list[str]) -> None:
        self.emit(json.dumps({"lines": lines}))

    def progress(self, message: str, percent: int, line: str | None) -> None:
        self.emit(json.dumps({"progress": [message, percent], "lines": [line] if line is not None else []}))


class MigrationService:
    """What JS calls: the console's commands (browser/console.py COMMANDS) over one IndexedDB
    connection, by name, their arguments as JSON text, their value as a JSON envelope."""

    def __init__(self, backend: IndexedDBBackend):
        self.backend = backend
        self.rt = open_runtime(backend)

    async def run(self, name: str, arguments_json: str, emit) -> str:
        """Run the command `name` (checked by the client already) with its JSON arguments."""
        try:
            command = console.command_named(name)
            value = await command.run(self.rt, BrowserOutput(emit), *json.loads(arguments_json))
            return _ok(value)
        except Exception as exc:  # the one place errors become console messages
            return _failed(exc)


async def create_service(db_name: str, store_name: str = "collections", encoding: str = "gzip") -> MigrationService:
    # Build the pydantic models now, in the background after boot (~1 s), not inside the first
    # session the user migrates. The JS loader calls this once pydantic is loaded.
    from ..session import models  # noqa: F401

    return MigrationService(await open_backend(db_name, store_name, encoding))
