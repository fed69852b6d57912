// The migration's worker: Pyodide, the Python package, the IndexedDB bridge and gzip all run
// here, off the host page's main thread (docs/design.md, "Threads"). The page talks to it
// through web/lib/taskerino-migration.mjs with messages:
//
//   {id, op: "boot", indexURL}                      -> {id, value: {timings, features}} once Python is up,
//                                                      then {id: 0, validationReady: timings}
//   {id, op: "open", dbName, storeName, encoding}   -> {id, value: service number}
//   {id, op: "call", service, name, args}           -> {id, value: JSON envelope text}
//                                                      ({id, event: JSON text} before: lines, progress)
//   {id, op: "python", code}                        -> {id, value}   (tests and debugging)
//   {id, op: "writeFile", path, text}               -> {id}
//   {id, op: "setCodecWorkers", count}              -> {id, value: how many ran before}
//
// A failure is {id, error: message}. Nothing here holds a rule of the domain: it boots, routes
// and converts.

import * as bridgeModule from "./bridge.mjs";
import { setFallbackGzip } from "./gzip-codec.mjs";
import { features, missingRequired } from "./platform.mjs";

let pyodide = null;
let booted = null; // the boot: every other operation waits for it (and fails with it)
let validation = null; // resolves once pydantic is loaded: services are created after it
const services = [];

/** ms since the page's navigation start (the worker has its own time origin). */
const pageTime = (origin) => performance.timeOrigin + performance.now() - origin;

/** Python's zlib and hashlib, synchronous (browser/gzip_fallback.py): gzip, gunzip, sha256. */
function pythonCodec() {
  const module = pyodide.pyimport("taskerino_storage.browser.gzip_fallback");
  // A Python exception's message is its whole traceback: its last line says what went wrong.
  const call = (fn) => (bytes) => {
    try {
      return fn(bytes);
    } catch (e) {
      throw new Error(String(e?.message ?? e).trim().split("\n").at(-1));
    }
  };
  return { gzip: call(module.gzip), gunzip: call(module.gunzip), sha256: call(module.sha256) };
}

async function boot({ indexURL, pageOrigin }) {
  const missing = missingRequired();
  if (missing.length) throw new Error(`this browser lacks ${missing.join(", ")}, which the migration needs`);
  const base = indexURL.endsWith("/") ? indexURL : indexURL + "/";
  const lock = await fetchLockFile(new URL("taskerino-lock.json", base).href);
  // Every wheel is looked at now, beside the boot, so a missing one rejects `ready` (not a
  // later call, with a traceback): a 404, or an SPA fallback's index.html in its place.
  const wheelsServed = Promise.all(Object.values(lock.packages).map((p) => checkServed(new URL(p.file_name, base).href, "zip")));
  wheelsServed.catch(() => {}); // awaited below; until then its failure must not count as unhandled
  const moduleURL = new URL("pyodide.mjs", base).href;
  let loadPyodide;
  try {
    ({ loadPyodide } = await import(/* @vite-ignore */ moduleURL));
  } catch (e) {
    throw new Error(await explain(`the Pyodide runtime could not be loaded from ${moduleURL}`, e, [[moduleURL, "js"]]));
  }
  try {
    pyodide = await loadPyodide({ indexURL: base, lockFileContents: lock, packageBaseUrl: base, stdout: quiet, stderr: quiet });
  } catch (e) {
    const files = [["pyodide.asm.mjs", "js"], ["pyodide.asm.wasm", "wasm"], ["python_stdlib.zip", "zip"]];
    throw new Error(await explain(`Python could not start from ${base}`, e, files.map(([f, kind]) => [new URL(f, base).href, kind])));
  }
  await wheelsServed;
  await loadWheels(lock, base, "taskerino-storage");
  const timings = { pyodideReady: pageTime(pageOrigin) };
  pyodide.registerJsModule("taskerino_bridge", bridgeModule);
  pyodide.pyimport("taskerino_storage.browser.indexeddb");
  const codec = pythonCodec();
  bridgeModule.setSyncCodec(codec); // the compare-and-swap's last attempt: synchronous work only
  if (!features().compressionStreams) setFallbackGzip(codec);
  timings.pythonReady = pageTime(pageOrigin);
  validation = loadWheels(lock, base, "pydantic").then(() => {
    // The pydantic models are built here, in the background, not inside the first session.
    pyodide.pyimport("taskerino_storage.session.models");
    return { validationReady: pageTime(pageOrigin) };
  });
  validation.then((t) => postMessage({ id: 0, validationReady: t }), (e) => postMessage({ id: 0, validationError: e.message }));
  return { timings, features: features() };
}

const quiet = () => {}; // Python's own prints (none expected) don't reach the host app's console

async function fetchLockFile(url) {
  await checkServed(url, "json");
  try {
    return await (await fetch(url)).json();
  } catch (e) {
    throw new Error(`the lock file ${url} could not be read (${e?.message ?? e})`);
  }
}

/** Load a wheel and what it depends on; a failure names the wheel's URL and why. */
async function loadWheels(lock, base, name) {
  const errors = [];
  await pyodide.loadPackage(name, { messageCallback: quiet, errorCallback: (m) => errors.push(m) });
  const loaded = (n) => n in pyodide.loadedPackages || lock.packages[n].name in pyodide.loadedPackages;
  const missing = wanted(lock, name).filter((n) => !loaded(n));
  if (missing.length === 0) return;
  const urls = missing.map((n) => [new URL(lock.packages[n].file_name, base).href, "zip"]);
  throw new Error(await explain(`the wheel(s) ${missing.join(", ")} could not be loaded`, errors.join("; "), urls));
}

/** `name` and everything it depends on, per the lock file. */
function wanted(lock, name, seen = new Set()) {
  if (seen.has(name) || !lock.packages[name]) return [...seen];
  seen.add(name);
  for (const dependency of lock.packages[name].depends) wanted(lock, dependency, seen);
  return [...seen];
}

/** `what` failed: name the first of `files` that is not served as itself, else give `cause`. */
async function explain(what, cause, files) {
  for (const [url, kind] of files) {
    try {
      await checkServed(url, kind);
    } catch (e) {
      return `${what}: ${e.message}`;
    }
  }
  return `${what} (${cause?.message ?? cause})`;
}

/** Rejects, naming `url`, when it is not served, or served as an HTML page (an SPA fallback). */
async function checkServed(url, kind) {
  let response;
  try {
    response = await fetch(url, { method: "HEAD", cache: "no-store" });
  } catch (e) {
    throw new Error(`${url} could not be fetched (${e?.message ?? e})`);
  }
  if (!response.ok) throw new Error(`${url} is not served (HTTP ${response.status}): deploy the package's files with the app`);
  if (/text\/html/i.test(response.headers.get("content-type") ?? "")) {
    throw new Error(`${url} is answered with an HTML page, not the ${kind} file (an SPA fallback for a file that is not deployed?)`);
  }
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
  async call({ id, service, name, args }) {
    await booted;
    const emit = (event) => postMessage({ id, event }); // JSON text: lines printed, progress
    return services[service].run(name, args, emit);
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
