// Embedding module: load the chunked-storage migration (Python, in Pyodide) into a page.
//
//   import { loadChunkedMigration } from "./taskerino-migration.mjs";
//   const api = loadChunkedMigration({ dbName: "taskerino-db" });
//   await api.ready;            // Python is booted and the package imported
//
// `loadChunkedMigration` returns at once; the boot runs in the background.

import * as bridgeModule from "./idb-bridge.mjs";

const HERE = new URL(".", import.meta.url);

/**
 * @param {object} [options]
 * @param {string} [options.dbName="taskerino-db"]  IndexedDB database to work on
 * @param {string} [options.storeName="collections"]
 * @param {"gzip"|"json"} [options.encoding="gzip"]  DATA form for records we write
 * @param {boolean} [options.installGlobals=false]  also install `window.chunkedMigration`
 * @param {string} [options.indexURL]  where the Pyodide bundle lives (default: ./build/pyodide/)
 */
export function loadChunkedMigration({
  dbName = "taskerino-db",
  storeName = "collections",
  encoding = "gzip",
  installGlobals = false,
  indexURL = new URL("build/pyodide/", HERE).href,
} = {}) {
  const api = {
    dbName,
    storeName,
    encoding,
    /** The Pyodide instance once booted (for tests and debugging). */
    pyodide: null,
    /** The Python module `taskerino_storage.browser` once booted. */
    python: null,
    /** Milliseconds from page start to the end of each boot phase. */
    timings: {},
    ready: null,
    /** Resolves when pydantic (session validation) is loaded too; it loads right after `ready`. */
    validationReady: null,
  };
  api.ready = boot(api, indexURL);
  api.validationReady = api.ready.then(async () => {
    await api.pyodide.loadPackage("pydantic", { messageCallback: () => {} });
    api.timings.validationReady = performance.now();
  });
  if (installGlobals) globalThis.chunkedMigration = api;
  return api;
}

async function boot(api, indexURL) {
  const base = indexURL.endsWith("/") ? indexURL : indexURL + "/";
  const { loadPyodide } = await import(new URL("pyodide.mjs", base).href);
  api.pyodide = await loadPyodide({
    indexURL: base,
    lockFileURL: new URL("taskerino-lock.json", base).href,
    packages: ["taskerino-storage"],
  });
  api.timings.pyodideReady = performance.now();
  api.pyodide.registerJsModule("taskerino_bridge", bridgeModule);
  api.python = api.pyodide.pyimport("taskerino_storage.browser");
  api.timings.pythonReady = performance.now();
  return api;
}
