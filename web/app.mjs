// The migration page's boot: start Python in the background and install the global at once.
import { loadChunkedMigration } from "./taskerino-migration.mjs";

const params = new URLSearchParams(location.search);
const api = loadChunkedMigration({ dbName: params.get("db") || "taskerino-db", installGlobals: true });
api.timings.globalsInstalled = performance.now();

const status = document.getElementById("boot-status");
api.ready.then(
  () => { status.textContent = `Python ready in ${(api.timings.pythonReady / 1000).toFixed(1)} s — database ${api.dbName}`; },
  (error) => { status.textContent = `Python failed to start: ${error.message}`; console.error(error); },
);
