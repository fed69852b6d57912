"""The browser edge: the only modules that import `js` or `pyodide` (so only Pyodide imports
them): indexeddb (the storage port over web/lib/idb-bridge.mjs) and service (what
web/lib/taskerino-migration.mjs calls). They hold no rule of the domain."""
