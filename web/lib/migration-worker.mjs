// The migration's worker: Pyodide, the Python package, the IndexedDB bridge and gzip all run
// here, off the host page's main thread (docs/design.md, "Threads"). The page talks to it
// through web/lib/taskerino-migration.mjs with messages:
//
//   {id, op: "boot", indexURL}                      -> {id, value: {timings, features}} once Python is up,
//                                                      then {id: 0, validationReady: timings}
//   {id, op: "open", dbName, storeName, encoding}   -> {id, value: service number}
//   {id, op: "call", service, method, args}         -> {id, value: JSON envelope text}
//                                                      ({id, progress: [message, percent]} before)
//   {id, op: "python", code}                        -> {id, value}   (tests and debugging)
//   {id, op: "writeFile", path, text}               -> {id}
//   {id, op: "setCodecWorkers", count}              -> {id, value: how many ran before}
//
// A failure is {id, error: message}. Nothing here holds a rule of the domain: it boots, routes
// and converts.

import * as bridgeModule from "./idb-bridge.mjs";
import { setFallbackGzip } from "./gzip-codec.mjs";
import { features, missingRequired } from "./platform.mjs";

let pyodide = null;
let booted = null; // the boot: every other operation waits for it (and fails with it)
let validation = null; // resolves once pydantic is loaded: services are created after it
const services = [];

/** ms since the page's navigation start (the worker has its own time origin). */
const pageTime = (origin) => performance.timeOrigin + performance.now() - origin;

/** Python's zlib as the gzip of a browser without CompressionStream (browser/gzip_fallback.py). */
function pythonGzip() {
  const module = pyodide.pyimport("taskerino_storage.browser.gzip_fallback");
  // A Python exception's message is its whole traceback: its last line says what went wrong.
  const call = (fn) => (bytes) => {
    try {
      return fn(bytes);
    } catch (e) {
      throw new Error(String(e?.message ?? e).trim().split("\n").at(-1));
    }
  };
  return { gzip: call(module.gzip), gunzip: call(module.gunzip) };
}

async function boot({ indexURL, pageOrigin }) {
  const missing = missingRequired();
  if (missing.length) throw new Error(`this browser lacks ${missing.join(", ")}, which the migration needs`);
  const base = indexURL.endsWith("/") ? indexURL : indexURL + "/";
  const moduleURL = new URL("pyodide.mjs", base).href;
  let loadPyodide;
  try {
    ({ loadPyodide } = await import(moduleURL));
  } catch (e) {
    throw new Error(`the Pyodide runtime could not be loaded from ${moduleURL} (${e?.message ?? e})`);
  }
  try {
    pyodide = await loadPyodide({
      indexURL: base,
      lockFileURL: new URL("taskerino-lock.json", base).href,
      packages: ["taskerino-storage"],
    });
  } catch (e) {
    throw new Error(`Python could not start from ${base} (${e?.message ?? e})`);
  }
  const timings = { pyodideReady: pageTime(pageOrigin) };
  pyodide.registerJsModule("taskerino_bridge", bridgeModule);
  pyodide.pyimport("taskerino_storage.browser.indexeddb");
  if (!features().compressionStreams) setFallbackGzip(pythonGzip());
  timings.pythonReady = pageTime(pageOrigin);
  validation = pyodide.loadPackage("pydantic", { messageCallback: () => {} }).then(() => {
    // The pydantic models are built here, in the background, not inside the first session.
    pyodide.pyimport("taskerino_storage.session.models");
    return { validationReady: pageTime(pageOrigin) };
  });
  validation.then((t) => postMessage({ id: 0, validationReady: t }), () => {});
  return { timings, features: features() };
}

const OPS = {
  boot(message) {
    booted ??= boot(message);
    return booted;
  },
  async open({ dbName, storeName, encoding }) {
    await booted;
    await validation;
    const service = await pyodide.pyimport("taskerino_storage.browser.service").create_service(dbName, storeName, encoding);
    services.push(service);
    return services.length - 1;
  },
  async call({ id, service, method, args }) {
    await booted;
    const progress = (message, percent) => postMessage({ id, progress: [message, percent] });
    const extra = method === "run_migration" ? [progress] : [];
    return services[service][method](...args, ...extra);
  },
  async python({ code }) {
    await booted;
    const result = await pyodide.runPythonAsync(code);
    if (!(result instanceof pyodide.ffi.PyProxy)) return result;
    try {
      const value = result.toJs({ dict_converter: Object.fromEntries });
      // A Python object with no JS form (a backend, say) can't cross: its repr does.
      return value instanceof pyodide.ffi.PyProxy ? String(value) : value;
    } finally {
      result.destroy();
    }
  },
  async writeFile({ path, text }) {
    await booted;
    pyodide.FS.writeFile(path, text);
  },
  setCodecWorkers({ count }) {
    return bridgeModule.setCodecWorkers(count);
  },
};

onmessage = async ({ data }) => {
  try {
    const value = await OPS[data.op](data);
    postMessage({ id: data.id, value });
  } catch (e) {
    postMessage({ id: data.id, error: e?.message ?? String(e) });
  }
};
