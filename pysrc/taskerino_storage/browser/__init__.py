"""The browser edge: indexeddb (the storage port over web/lib/bridge.mjs), service (what
web/lib/taskerino-migration.mjs calls) and gzip_fallback import `js` or `pyodide`, so only
Pyodide imports them; console (every console command, declared once, and the client's
generated copy of that table) is plain Python, run by the generator and the tests in CPython
too. They hold no rule of the domain."""
