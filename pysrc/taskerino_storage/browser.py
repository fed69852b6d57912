"""The browser edge: what web/taskerino-migration.mjs calls into. Importable only in Pyodide.

JS registers web/idb-bridge.mjs as the module `taskerino_bridge` before importing this.
"""
from __future__ import annotations

import taskerino_bridge  # type: ignore[import-not-found]  # registered by the JS loader

from .indexeddb import IndexedDBBackend


async def open_backend(db_name: str = "taskerino-db", store_name: str = "collections",
                       encoding: str = "gzip") -> IndexedDBBackend:
    """An IndexedDB backend on its own connection to `db_name`."""
    from pyodide.ffi import to_js  # type: ignore[import-not-found]
    from js import Object  # type: ignore[import-not-found]

    options = to_js({"storeName": store_name, "encoding": encoding}, dict_converter=Object.fromEntries)
    return IndexedDBBackend(await taskerino_bridge.openBridge(db_name, options))
