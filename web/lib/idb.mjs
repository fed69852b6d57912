// IndexedDB as promises, in idb's style (jakearchibald/idb): one transaction per call, settled
// on `complete` (tx.done), and nothing awaited between its start and its end. No domain here:
// stores and keys are the caller's.

import { features } from "./platform.mjs";

/** Options of every readwrite transaction: strict durability where the engine has it (Chromium). */
export const writeOptions = () => (features().strictDurability ? { durability: "strict" } : undefined);

/** Settle when the transaction ends: resolve on complete, reject with its error on abort. */
export function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new DOMException("transaction aborted", "AbortError"));
  });
}

/** Open database `name` at `version`; `upgrade(db)` runs when it must be created or upgraded. */
export function openDatabase(name, version, upgrade) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, version);
    request.onupgradeneeded = () => upgrade(request.result);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error?.name === "VersionError"
      ? new Error(`database ${name} has a version above ${version}; only version ${version} is opened`)
      : request.error);
    request.onblocked = () => reject(new Error(`database ${name} is blocked by another tab upgrading it`));
  });
}

/** The values at `keys` (undefined where absent), read in one readonly transaction. */
export async function getValues(db, storeName, keys) {
  const tx = db.transaction(storeName, "readonly");
  const store = tx.objectStore(storeName);
  const requests = Array.from(keys, (key) => store.get(key));
  await done(tx);
  return requests.map((request) => request.result);
}

/** Every string key starting with `prefix`, from one readonly transaction. */
export async function getKeys(db, storeName, prefix = "") {
  const tx = db.transaction(storeName, "readonly");
  const range = prefix ? IDBKeyRange.bound(prefix, prefix + "\uffff") : undefined;
  const request = tx.objectStore(storeName).getAllKeys(range);
  await done(tx);
  return request.result.filter((k) => typeof k === "string" && k.startsWith(prefix));
}

/**
 * One readwrite transaction: `keys` are read, then `write(store, values)` runs synchronously in
 * the last read's callback (it may issue requests, or throw to abort). Resolves with its
 * return value once the transaction has committed; rejects with what it threw, or the abort.
 */
export async function readThenWrite(db, storeName, keys, write) {
  const tx = db.transaction(storeName, "readwrite", writeOptions());
  const finished = done(tx);
  const store = tx.objectStore(storeName);
  let outcome, thrown;
  const run = (values) => {
    try {
      outcome = write(store, values);
    } catch (e) {
      thrown = { error: e };
      tx.abort();
    }
  };
  const requests = keys.map((key) => store.get(key));
  if (requests.length === 0) run([]);
  else requests.at(-1).onsuccess = () => run(requests.map((r) => r.result)); // requests complete in order
  try {
    await finished;
  } catch (e) {
    throw thrown ? thrown.error : e;
  }
  return outcome;
}

/** A plain Error with `name` and `message`. */
export function namedError(name, message) {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * A plain Error with the same name and message. Python awaits our promises through Pyodide,
 * and Pyodide 314 never resumes a coroutine whose promise rejected with Chromium's
 * QuotaExceededError object (a DOMException subclass): so nothing else crosses to Python.
 */
export function plainError(e) {
  if (e instanceof Error && e.constructor === Error) return e;
  return namedError(e?.name ?? "Error", e?.message || String(e?.name ?? e));
}

/** `object` with each method of its class rejecting with plain Errors only (see plainError). */
export function plainErrors(object) {
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(object))) {
    const fn = object[name];
    if (name === "constructor" || typeof fn !== "function") continue;
    object[name] = async (...args) => {
      try {
        return await fn.apply(object, args);
      } catch (e) {
        throw plainError(e);
      }
    };
  }
  return object;
}
