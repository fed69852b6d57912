// Embedding module: the chunked-storage migration (Python, in Pyodide) for a page or an app.
//
//   import { loadChunkedMigration } from "./taskerino-migration.mjs";
//   const api = loadChunkedMigration({ dbName: "taskerino-db" });
//   const status = await api.showMigrationStatus();   // waits for the boot by itself
//
// `loadChunkedMigration` returns at once; Python boots in the background, in a Web Worker
// (web/lib/migration-worker.mjs): the page's main thread keeps only this thin client, which
// checks arguments, prints the console output and passes calls on. Every function waits for
// what it needs, so it can be called (or typed in the console) before the boot finished.

import { checkBoolean, checkDays, checkOptions, checkSessionId, UsageError } from "./console-args.mjs";
import { createReporter, safeText } from "./console-report.mjs";

// Where the Pyodide bundle is served. A bundler plugin (taskerino-migration/vite) rewrites this
// line to the folder it serves, since after bundling import.meta.url points at /assets/.
const BUNDLED_INDEX_URL = undefined;
const MIGRATION_OPTIONS = {
  dryRun: "boolean", verbose: "boolean", onProgress: "function",
  skipVerification: "boolean", skipBackup: "boolean", backupRetentionDays: "days",
};
const SINGLE_OPTIONS = { ...MIGRATION_OPTIONS };
delete SINGLE_OPTIONS.onProgress;

/**
 * How many codec workers gzip runs on inside each migration worker of this page (0: in the
 * migration worker itself); resolves to how many ran before (in the first).
 */
export async function setCodecWorkers(count) {
  const before = await Promise.all([...workers.values()].map((w) => w.request({ op: "setCodecWorkers", count })));
  defaultCodecWorkers = count;
  return before[0] ?? 0;
}
let defaultCodecWorkers; // for workers started later

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
 * @param {boolean} [options.log=false]  print the seed-style console output from the api's calls
 *   (the console globals always print: a person typed them)
 * @param {string} [options.indexURL]  where the Pyodide bundle lives: an absolute URL, or one relative
 *   to document.baseURI (default: where the Vite plugin serves it, else ../build/pyodide/ from lib/)
 */
export function loadChunkedMigration({
  dbName = "taskerino-db",
  storeName = "collections",
  encoding = "gzip",
  installGlobals = false,
  log = false,
  indexURL = undefined,
} = {}) {
  const worker = migrationWorker(indexURL);
  const api = {
    dbName,
    storeName,
    encoding,
    /** The page's migration worker, shared by every loader of this page with this indexURL. */
    worker: worker.worker,
    /** True once Python is booted (in the worker). */
    isReady: false,
    /** Milliseconds from navigation start to the end of each boot phase. */
    timings: {},
    /** The optional platform APIs the worker found (web/lib/platform.mjs), once `ready`. */
    features: null,
    /** Resolves when Python is booted and the storage layer is importable. */
    ready: null,
    /** Resolves when pydantic (session validation) is loaded too; it loads right after `ready`. */
    validationReady: null,
  };
  api.ready = worker.ready.then(({ timings, features }) => {
    Object.assign(api.timings, timings);
    api.features = features;
    api.isReady = true;
    return api;
  });
  api.validationReady = worker.validationReady.then((timings) => {
    Object.assign(api.timings, timings);
  });
  const service = worker.request({ op: "open", dbName, storeName, encoding });
  for (const promise of [api.ready, api.validationReady, service]) promise.catch(() => {}); // each call rejects with it

  /**
   * Stop the page's migration worker at once (every loader of this page shares it): calls in
   * flight reject, and the next loader starts a new one. Safe at any moment: every session is
   * whole in its legacy or its chunked form, and a rerun finishes the work.
   */
  api.terminate = () => worker.terminate();

  /** Run Python in the worker; its last expression, converted (tests and debugging). */
  api.runPython = async (code) => (await api.ready, worker.request({ op: "python", code }));
  /** Write a file into Python's file system in the worker (tests and debugging). */
  api.writeFile = async (path, text) => (await api.ready, worker.request({ op: "writeFile", path, text }));

  const legacyRead = readerModule();
  const onDemand = onDemandMigrations((sessionId) => rawCall("migrate_single", sessionId, "{}"), log);

  /** Call a MigrationService method, after the migrations loadSession started (so it sees them done). */
  async function call(method, ...args) {
    await onDemand.settled();
    return rawCall(method, ...args);
  }

  /** Call a MigrationService method; unwrap its JSON envelope into a value or a thrown Error. */
  async function rawCall(method, ...args) {
    const onProgress = typeof args.at(-1) === "function" ? args.pop() : undefined;
    const text = await worker.request({ op: "call", service: await service, method, args }, onProgress);
    const envelope = JSON.parse(text);
    if (envelope.ok) return envelope.value;
    if (envelope.traceback && log) console.debug(envelope.traceback);
    throw new MigrationError(envelope.error, envelope.kind);
  }

  /** The status, without printing (for pages and apps). */
  api.getMigrationStatus = () => call("status");

  Object.assign(api, printingCommands(call, createReporter(log ? console : SILENT)));

  /**
   * On-demand migration: returns the session. A legacy one is returned as soon as JS has read it
   * (legacy-read.mjs, when that can't differ from Python's answer) and migrated right after, in
   * the worker, as migrateSingleSession does; otherwise Python loads it (migrating it first).
   */
  api.loadSession = async (sessionId) => {
    checkSessionId(sessionId, "loadSession(sessionId)");
    const reader = await legacyRead.catch(() => null); // without it, Python answers alone
    const session = reader && (await reader.readLegacySession(dbName, storeName, sessionId));
    if (!session) return call("load_session", sessionId);
    onDemand.start(sessionId);
    return session;
  };

  /** Resolves once every migration loadSession started has finished (to their results). */
  api.onDemandSettled = () => onDemand.settled();

  /** Fill the database with `count` generated legacy sessions (for demos). */
  api.fillDemo = async (count = 20) => call("fill_demo", checkDays(count, "fillDemo(count)", "count"));

  if (installGlobals) {
    globalThis.chunkedMigration = api;
    // A global is typed by a person in the console: it prints, whatever `log` says.
    Object.assign(globalThis, printingCommands(call, createReporter(console)));
  }
  return api;
}

const SILENT = { log() {}, table() {} };

let reader = null;

/**
 * loadSession's reader (legacy-read.mjs), loaded once per page beside the boot, not at the first
 * call. Every module it imports is asked for at once: served unbundled, each level of imports
 * would otherwise cost a round trip before the next is even requested (tests/test_js_contract.py
 * checks this list is its imports, all of them).
 */
function readerModule() {
  if (reader) return reader;
  reader = import("./legacy-read.mjs");
  const imports = [import("./array-data.mjs"), import("./array-scanner.mjs"), import("./gzip-codec.mjs"),
    import("./idb-bridge.mjs"), import("./lease-lock.mjs"), import("./platform.mjs"), import("./session-keys.mjs")];
  for (const promise of [reader, ...imports]) promise.catch(() => {}); // awaited (reader) or only warming
  return reader;
}

/**
 * The migrations loadSession starts after answering from JS: `start(id)` runs `migrate(id)` (a
 * SessionMigrationResult), `settled()` resolves once all started so far have finished. A failed
 * one changed nothing (the legacy copy stays, the next load or batch retries); `log` prints it.
 */
function onDemandMigrations(migrate, log) {
  let running = [];
  return {
    start(sessionId) {
      const run = migrate(sessionId).then((result) => {
        if (result.error && log) console.warn(`loadSession(${sessionId}): the migration that followed failed: ${result.error}`);
        return result;
      }, (e) => {
        if (log) console.warn(`loadSession(${sessionId}): the migration that followed failed: ${e.message}`);
        return { sessionId, success: false, error: e.message };
      });
      running.push(run);
    },
    async settled() {
      if (running.length === 0) return [];
      const now = running;
      const results = await Promise.all(now);
      running = running.filter((r) => !now.includes(r));
      return results;
    },
  };
}

/** The five console commands, printing the seed's output to `out`. */
function printingCommands(call, out) {
  const api = {};
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
  return api;
}

/**
 * The migration can't run here (no IndexedDB or Worker), or its worker could not start or was
 * stopped: every call rejects with it, naming the URL or the cause. A MigrationError, kind "boot".
 */
export class MigrationBootError extends MigrationError {
  constructor(message) {
    super(message, "boot");
    this.name = "MigrationBootError";
  }
}

// One worker (one Python) per page and bundle, however many loaders (one per database, say)
// use it: a boot costs ~3 s and ~45 MB of wasm memory. A failed boot is forgotten, so a later
// loader starts a new worker and retries.
const workers = new Map();
const STARTING = new Set(["boot", "open"]); // requests whose failure means the worker can't serve

function bundleURL(indexURL) {
  const base = globalThis.document?.baseURI ?? globalThis.location?.href;
  try {
    if (indexURL !== undefined) return new URL(indexURL, base).href.replace(/\/?$/, "/");
    if (BUNDLED_INDEX_URL !== undefined) return new URL(BUNDLED_INDEX_URL, base).href;
    return new URL(/* @vite-ignore */ "../build/pyodide/", import.meta.url).href; // unbundled: beside lib/
  } catch {
    throw new MigrationBootError(`indexURL ${JSON.stringify(indexURL)} is not a URL (absolute, or relative to the page's base ${base})`);
  }
}

/** Why the migration can't run in this environment (jsdom, Node, an old browser), or null. */
function missingPlatform() {
  if (typeof indexedDB === "undefined") return "there is no IndexedDB here (the migration needs a browser page: not Node, jsdom or an SSR pass)";
  if (typeof Worker === "undefined") return "Web Workers are not available here (the migration runs Python in a module worker)";
  return null;
}

/** A client whose every request rejects with `error`: nothing is started. */
function failedClient(error) {
  const rejected = () => {
    const promise = Promise.reject(error);
    promise.catch(() => {}); // the caller's promise derived from it is the one that matters
    return promise;
  };
  return { worker: null, ready: rejected(), validationReady: rejected(), request: rejected, terminate() {} };
}

function migrationWorker(indexURL) {
  let base;
  try {
    const missing = missingPlatform();
    if (missing) throw new MigrationBootError(`the migration can't run: ${missing}`);
    base = bundleURL(indexURL);
  } catch (error) {
    return failedClient(error);
  }
  if (!workers.has(base)) {
    const client = startWorker(base);
    client.ready.catch(() => {
      if (workers.get(base) === client) workers.delete(base);
    });
    workers.set(base, client);
  }
  return workers.get(base);
}

function startWorker(base) {
  // Written inline, so bundlers (Vite) emit the worker as a file of its own.
  const worker = new Worker(new URL("./migration-worker.mjs", import.meta.url), { type: "module", name: "taskerino-migration" });
  const pending = new Map(); // id -> {resolve, reject, onProgress, op}
  let nextId = 1;
  let failed = null;
  let markValidated;
  const validationReady = new Promise((resolve, reject) => { markValidated = { resolve, reject }; });
  validationReady.catch(() => {}); // each loader's validationReady carries it

  const failAll = (error) => {
    failed ??= error;
    for (const { reject } of pending.values()) reject(failed);
    pending.clear();
    markValidated.reject(failed);
  };
  worker.onmessage = ({ data }) => {
    if (data.id === 0) {
      if (data.validationError) return failAll(new MigrationBootError(data.validationError));
      return markValidated.resolve(data.validationReady);
    }
    const waiting = pending.get(data.id);
    if (!waiting) return;
    if (data.progress) return waiting.onProgress?.(...data.progress);
    pending.delete(data.id);
    // Python's own failures come back inside the envelope (MigrationError); an error here is
    // the worker's: a boot (or opening the database) that failed, or a debugging call's.
    if ("error" in data) waiting.reject(new (STARTING.has(waiting.op) ? MigrationBootError : Error)(data.error));
    else waiting.resolve(data.value);
  };
  worker.onerror = (event) => {
    event.preventDefault?.();
    failAll(new MigrationBootError(`the migration worker failed (${event.message || "its script could not be loaded: is the package's lib/migration-worker.mjs served?"})`));
  };
  worker.onmessageerror = () => failAll(new MigrationBootError("the migration worker sent a message that could not be read"));

  function request(message, onProgress) {
    if (failed) return Promise.reject(failed);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject, onProgress, op: message.op });
      worker.postMessage({ ...message, id });
    });
  }
  function terminate() {
    worker.terminate();
    if (workers.get(base) === client) workers.delete(base);
    failAll(new MigrationBootError("the migration worker was stopped (terminate()); run again to finish"));
  }
  const ready = request({ op: "boot", indexURL: base, pageOrigin: performance.timeOrigin });
  ready.catch(failAll);
  if (defaultCodecWorkers !== undefined) request({ op: "setCodecWorkers", count: defaultCodecWorkers }).catch(() => {});
  const client = { worker, ready, validationReady, request, terminate };
  return client;
}
