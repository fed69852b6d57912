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
//
// The commands are not written here: each is an entry of COMMANDS (commands.generated.mjs,
// generated from the Python table browser/console.py), which gives its name, its arguments and
// their checks, and the lines it prints at once; Python prints the rest, and this client prints
// what it is sent, one console.log per line.

import { COMMANDS } from "./commands.generated.mjs";
import { checkArguments } from "./console-args.mjs";
import { MigrationBootError, MigrationError } from "./errors.mjs";
import { bootAfterReads, onDemandLoad, onDemandMigrations } from "./on-demand.mjs";

export { MigrationBootError, MigrationError, UsageError } from "./errors.mjs";

// Where the Pyodide bundle is served. A bundler plugin (taskerino-migration/vite) rewrites this
// line to the folder it serves, since after bundling import.meta.url points at /assets/.
const BUNDLED_INDEX_URL = undefined;

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
    dbName, storeName, encoding,
    /**
     * The page's migration worker, shared by every loader of this page with this indexURL; null
     * until it starts, right after the page's first task (or its first session read in JS).
     */
    get worker() { return worker.worker; },
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

  const rawCall = commandCaller(worker, service, log);
  const migrations = onDemandMigrations(commandMethods(rawCall, false).migrateSingleSession, log);
  // Every command waits for the migrations loadSession started, so it sees them done.
  const call = async (...args) => (await migrations.settled(), rawCall(...args));
  // Every command is a method; it prints only with `log` (the non-printing ones print nothing).
  Object.assign(api, commandMethods(call, log));
  // On-demand migration: a legacy session is returned as soon as JS has read it, then migrated.
  api.loadSession = onDemandLoad({ dbName, storeName, load: api.loadSession, migrations });
  /** Resolves once every migration loadSession started has finished, to their results. */
  api.onDemandSettled = () => migrations.settled();
  if (installGlobals) {
    globalThis.chunkedMigration = api;
    // A global is typed by a person in the console: it prints, whatever `log` says.
    const printing = commandMethods(call, true);
    for (const command of COMMANDS.filter((c) => c.console)) globalThis[command.name] = printing[command.name];
  }
  return api;
}

/** Runs a command in Python; unwraps its JSON envelope into a value or a thrown MigrationError. */
function commandCaller(worker, service, log) {
  return async (name, args, onEvent) => {
    const text = await worker.request({ op: "call", service: await service, name, args: JSON.stringify(args) }, onEvent);
    const envelope = JSON.parse(text);
    if (envelope.ok) return envelope.value;
    if (envelope.traceback && log) console.debug(envelope.traceback);
    throw new MigrationError(envelope.error, envelope.kind);
  };
}

/** A method per command of COMMANDS: check the arguments, print, run it in Python, print. */
function commandMethods(call, print) {
  const methods = {};
  const out = (lines) => { if (print) for (const line of lines) console.log(line); };
  for (const command of COMMANDS) {
    methods[command.name] = async (...given) => {
      const args = checkArguments(command, given);
      const opening = command.opening;
      if (opening) out(args.find((a) => a?.[opening.option]) ? opening.whenTrue : opening.whenFalse);
      const onProgress = args.find((a) => typeof a?.onProgress === "function")?.onProgress;
      const value = await call(command.name, args, (event) => {
        out(event.lines);
        if (event.progress) onProgress?.(...event.progress);
      });
      if (print && command.table && value[command.table].length) console.table(value[command.table]);
      return value;
    };
  }
  return methods;
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
  let worker = null; // created once a session opened at the page's start has been read in JS
  const pending = new Map(); // id -> {resolve, reject, onEvent, op}
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
  const onmessage = ({ data }) => {
    if (data.id === 0) {
      if (data.validationError) return failAll(new MigrationBootError(data.validationError));
      return markValidated.resolve(data.validationReady);
    }
    const waiting = pending.get(data.id);
    if (!waiting) return;
    if ("event" in data) return waiting.onEvent?.(JSON.parse(data.event)); // lines printed, progress
    pending.delete(data.id);
    // Python's own failures come back inside the envelope (MigrationError); an error here is
    // the worker's: a boot (or opening the database) that failed, or a debugging call's.
    if ("error" in data) waiting.reject(new (STARTING.has(waiting.op) ? MigrationBootError : Error)(data.error));
    else waiting.resolve(data.value);
  };
  const onerror = (event) => {
    event.preventDefault?.();
    failAll(new MigrationBootError(`the migration worker failed (${event.message || "its script could not be loaded: is the package's lib/migration-worker.mjs served?"})`));
  };
  const onmessageerror = () => failAll(new MigrationBootError("the migration worker sent a message that could not be read"));

  // The worker starts, and the messages go out in order, once no session opened at the page's
  // start is being read in JS: a worker starting (and then Python's boot, which compiles its
  // wasm on every core) slowed that read by a third (on-demand.mjs bootAfterReads).
  const started = bootAfterReads().then(() => {
    if (failed) return;
    try {
      // Written inline, so bundlers (Vite) emit the worker as a file of its own.
      worker = new Worker(new URL("./migration-worker.mjs", import.meta.url), { type: "module", name: "taskerino-migration" });
    } catch (e) { // a SecurityError, say: the module was loaded from another origin than the page's
      return failAll(new MigrationBootError(`the migration worker could not be created (${e.name}: ${e.message})`));
    }
    Object.assign(worker, { onmessage, onerror, onmessageerror });
  });

  function request(message, onEvent) {
    if (failed) return Promise.reject(failed);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject, onEvent, op: message.op });
      started.then(() => worker?.postMessage({ ...message, id }));
    });
  }
  function terminate() {
    worker?.terminate();
    if (workers.get(base) === client) workers.delete(base);
    failAll(new MigrationBootError("the migration worker was stopped (terminate()); run again to finish"));
  }
  const ready = request({ op: "boot", indexURL: base, pageOrigin: performance.timeOrigin });
  ready.catch(failAll);
  if (defaultCodecWorkers !== undefined) request({ op: "setCodecWorkers", count: defaultCodecWorkers }).catch(() => {});
  const client = { get worker() { return worker; }, ready, validationReady, request, terminate };
  return client;
}
