// Embedding module: the chunked-storage migration (Python, in Pyodide) for a page or an app.
//
//   import { loadChunkedMigration } from "./taskerino-migration.mjs";
//   const api = loadChunkedMigration({ dbName: "taskerino-db" });
//   const status = await api.showMigrationStatus();   // waits for the boot by itself
//
// `loadChunkedMigration` returns at once; Python boots in the background. Every function waits
// for what it needs, so it can be called (or typed in the console) before the boot finished.

import * as bridgeModule from "./idb-bridge.mjs";
import { checkBoolean, checkDays, checkOptions, checkSessionId, UsageError } from "./console-args.mjs";
import { createReporter, safeText } from "./console-report.mjs";

const HERE = new URL(".", import.meta.url);
const GLOBALS = ["runChunkedMigration", "showMigrationStatus", "migrateSingleSession", "rollbackSession", "cleanupBackups"];
const MIGRATION_OPTIONS = {
  dryRun: "boolean", verbose: "boolean", onProgress: "function",
  skipVerification: "boolean", skipBackup: "boolean", backupRetentionDays: "days",
};
const SINGLE_OPTIONS = { ...MIGRATION_OPTIONS };
delete SINGLE_OPTIONS.onProgress;

/** How many workers gzip runs on (0: the main thread); resolves to how many ran before. */
export const { setCodecWorkers } = bridgeModule;

/** A failure from the Python side, as a readable JS Error (never a traceback). */
export class MigrationError extends Error {
  constructor(message, kind) {
    super(message);
    this.name = "MigrationError";
    this.kind = kind;
  }
}

/**
 * @param {object} [options]
 * @param {string} [options.dbName="taskerino-db"]  IndexedDB database to work on
 * @param {string} [options.storeName="collections"]
 * @param {"gzip"|"json"} [options.encoding="gzip"]  DATA form for records we write
 * @param {boolean} [options.installGlobals=false]  install window.chunkedMigration and the five console functions
 * @param {boolean} [options.log=true]  print the seed-style console output
 * @param {string} [options.indexURL]  where the Pyodide bundle lives (default: web/build/pyodide/, beside lib/)
 */
export function loadChunkedMigration({
  dbName = "taskerino-db",
  storeName = "collections",
  encoding = "gzip",
  installGlobals = false,
  log = true,
  indexURL = new URL("../build/pyodide/", HERE).href,
} = {}) {
  const out = createReporter(log ? console : { log() {}, table() {} });
  const api = {
    dbName,
    storeName,
    encoding,
    /** The Pyodide instance once booted, shared by every loader of this page (tests, debugging). */
    pyodide: null,
    /** Milliseconds from navigation start to the end of each boot phase. */
    timings: {},
    /** Resolves when Python is booted and the storage layer is importable. */
    ready: null,
    /** Resolves when pydantic (session validation) is loaded too; it loads right after `ready`. */
    validationReady: null,
  };
  api.ready = python(indexURL).then(({ pyodide, timings }) => {
    api.pyodide = pyodide;
    Object.assign(api.timings, timings);
    return api;
  });
  api.validationReady = api.ready.then(async () => {
    await api.pyodide.loadPackage("pydantic", { messageCallback: () => {} });
    api.timings.validationReady = performance.now();
  });
  const service = api.validationReady.then(async () => {
    const browser = api.pyodide.pyimport("taskerino_storage.browser.service");
    return browser.create_service(dbName, storeName, encoding);
  });

  /** Call a MigrationService method; unwrap its JSON envelope into a value or a thrown Error. */
  async function call(method, ...args) {
    const envelope = JSON.parse(await (await service)[method](...args));
    if (envelope.ok) return envelope.value;
    if (envelope.traceback) console.debug(envelope.traceback);
    throw new MigrationError(envelope.error, envelope.kind);
  }

  /** The status, without printing (for pages and apps). */
  api.getMigrationStatus = () => call("status");

  api.showMigrationStatus = async () => {
    const status = await call("status");
    out.banner("Chunked Storage Migration Status");
    out.status(status, "📊 Migration status");
    if (status.backups.length) out.table(status.backups);
    return status;
  };

  api.runChunkedMigration = async (options = {}) => {
    const { onProgress, ...rest } = checkOptions(options, MIGRATION_OPTIONS, "runChunkedMigration(options)");
    out.banner("Chunked Storage Migration");
    if (rest.dryRun) out.line("⚠️  DRY RUN MODE - No changes will be saved"), out.line();
    out.status(await call("status"));
    out.line("🚀 Starting migration...");
    out.line();
    const printProgress = out.progressPrinter(Boolean(rest.verbose));
    const progress = (message, percent) => {
      printProgress(message, percent);
      if (onProgress) onProgress(message, percent);
    };
    const result = await call("run_migration", JSON.stringify(rest), progress); // BatchMigrationResult, as Python made it
    out.results({ ...result, retentionDays: rest.backupRetentionDays ?? 30 });
    return result;
  };

  api.migrateSingleSession = async (sessionId, options = {}) => {
    checkSessionId(sessionId, "migrateSingleSession(sessionId, options)");
    const checked = checkOptions(options, SINGLE_OPTIONS, "migrateSingleSession(sessionId, options)");
    const r = await call("migrate_single", sessionId, JSON.stringify(checked)); // SessionMigrationResult
    const verdict = r.error ? `❌ ${r.error}` : r.skipped ? "⏭  already chunked" : r.dryRun ? "✅ would migrate (dry run)" : "✅ migrated";
    out.line(`${verdict}: ${r.sessionId}${r.backupPath ? ` (backup ${r.backupPath})` : ""}`);
    return r;
  };

  api.rollbackSession = async (sessionId, backupPath, confirm, { force = false } = {}) => {
    const where = "rollbackSession(sessionId, backupPath, confirm)";
    checkSessionId(sessionId, where);
    if (typeof backupPath === "boolean" && confirm === undefined) [backupPath, confirm] = [undefined, backupPath];
    if (backupPath !== undefined && backupPath !== null && typeof backupPath !== "string") {
      throw new UsageError(`${where}: backupPath must be a backup path string (see showMigrationStatus()), or omitted for the newest`);
    }
    checkBoolean(force, where, "force");
    if (confirm !== true) {
      out.line(`⚠️  Rollback not done: it restores the original of ${sessionId} and deletes its chunked copy.`);
      out.line(`   To confirm: rollbackSession('${sessionId}', ${backupPath ? `'${backupPath}'` : "undefined"}, true)`);
      return false;
    }
    const r = await call("rollback", sessionId, backupPath ?? undefined, force); // JS null would arrive as jsnull
    out.line(`✅ Rolled back ${r.sessionId} from ${r.backupPath} (restored to ${r.restoredTo})`);
    return true;
  };

  api.cleanupBackups = async (retentionDays = 30, confirm = false) => {
    checkDays(retentionDays, "cleanupBackups(retentionDays, confirm)");
    checkBoolean(confirm, "cleanupBackups(retentionDays, confirm)", "confirm");
    const r = await call("cleanup", retentionDays, confirm);
    const verb = r.dryRun ? "would be deleted" : "deleted";
    out.line(`🧹 ${r.deleted.length} expired backup(s) ${verb}, ${r.kept} kept`);
    for (const path of r.deleted) out.line(`   - ${path}`);
    if (r.dryRun && r.deleted.length) out.line(`💡 To delete them: cleanupBackups(${retentionDays}, true)`);
    for (const { path, reason } of r.keptExpired) out.line(`   ⏸ ${safeText(path)}: ${safeText(reason)}`);
    return r;
  };

  /** On-demand migration: a legacy session is migrated first; returns the session. */
  api.loadSession = async (sessionId) => call("load_session", checkSessionId(sessionId, "loadSession(sessionId)"));

  /** Fill the database with `count` generated legacy sessions (for demos). */
  api.fillDemo = async (count = 20) => call("fill_demo", checkDays(count, "fillDemo(count)", "count"));

  if (installGlobals) {
    globalThis.chunkedMigration = api;
    for (const name of GLOBALS) globalThis[name] = api[name];
  }
  return api;
}

// One Python per page and bundle, however many loaders (one per database, say) use it: a boot
// costs ~3 s and ~45 MB of wasm memory. A failed boot is forgotten, so a later loader retries.
const pythons = new Map();

function python(indexURL) {
  const base = indexURL.endsWith("/") ? indexURL : indexURL + "/";
  if (!pythons.has(base)) {
    pythons.set(base, boot(base).catch((e) => {
      pythons.delete(base);
      throw e;
    }));
  }
  return pythons.get(base);
}

async function boot(base) {
  const { loadPyodide } = await import(new URL("pyodide.mjs", base).href);
  const pyodide = await loadPyodide({
    indexURL: base,
    lockFileURL: new URL("taskerino-lock.json", base).href,
    packages: ["taskerino-storage"],
  });
  const timings = { pyodideReady: performance.now() };
  pyodide.registerJsModule("taskerino_bridge", bridgeModule);
  pyodide.pyimport("taskerino_storage.browser.indexeddb");
  timings.pythonReady = performance.now();
  return { pyodide, timings };
}
