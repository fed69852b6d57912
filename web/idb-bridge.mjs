// The bridge between Python and Taskerino's IndexedDB, in the app's own format.
//
// Database `taskerino-db` version 1 (never bumped: the app opens version 1), store
// `collections`, records `{name, data, timestamp}`. DATA is "GZIP_V1:" + base64(gzip(JSON)),
// a JSON string, or (old data) the raw value.
//
// Every exported operation is one whole transaction: all requests are issued inside JS and
// the promise settles on the transaction's `complete` (or `abort`). Python awaits only these
// calls — a Python `await` inside a transaction would let it auto-commit half done.

import { GZIP_PREFIX } from "./gzip-codec.mjs";

const DB_VERSION = 1;
const INDEX_KEY = "session-index";
const CONFLICT = Symbol("conflict");
/** Records written as plain JSON even when encoding is "gzip": sessions' metadata. */
const PLAIN_KEY = /^sessions\/[^/]+\/metadata$/;

/** Open (or create, with the app's two stores) a Taskerino database at version 1. */
export function openDatabase(name = "taskerino-db") {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, DB_VERSION);
    request.onupgradeneeded = () => {
      // Only reached when the database does not exist yet: create what the app would.
      const db = request.result;
      if (!db.objectStoreNames.contains("collections")) {
        db.createObjectStore("collections", { keyPath: "name" }).createIndex("timestamp", "timestamp");
      }
      if (!db.objectStoreNames.contains("backups")) {
        db.createObjectStore("backups", { keyPath: "id" });
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => {
      const err = request.error;
      reject(err?.name === "VersionError"
        ? new Error(`database ${name} has a version above ${DB_VERSION}; this tool only opens Taskerino's version ${DB_VERSION}`)
        : err);
    };
    request.onblocked = () => reject(new Error(`database ${name} is blocked by another tab upgrading it`));
  });
}

/**
 * A plain Error with the same name and message. Python awaits our promises through Pyodide,
 * and Pyodide 314 never resumes a coroutine whose promise rejected with Chromium's
 * QuotaExceededError object (a DOMException subclass): so nothing else ever crosses the bridge.
 */
function plainError(e) {
  if (e instanceof Error && e.constructor === Error) return e;
  const error = new Error(e?.message || String(e?.name ?? e));
  error.name = e?.name ?? "Error";
  return error;
}

/** Each bridge method rejects with plain Errors only (see plainError). */
function plainErrors(methods) {
  for (const [name, fn] of Object.entries(methods)) {
    if (typeof fn === "function") {
      methods[name] = async (...args) => {
        try {
          return await fn(...args);
        } catch (e) {
          throw plainError(e);
        }
      };
    }
  }
  return methods;
}

/** Settle when the transaction ends: resolve on complete, reject with its error on abort. */
function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new DOMException("transaction aborted", "AbortError"));
  });
}

// ------------------------------------------------------------------ DATA forms

// Gzip runs through web/codec-pool.mjs (on workers where a core is spare), imported on first
// use so the page's globals don't wait for it.
let workerCount; // undefined: the pool's default
let codecPool = null;

function codec() {
  codecPool ??= import("./codec-pool.mjs").then(({ CodecPool }) => new CodecPool(workerCount), (e) => {
    codecPool = null; // a failed load is retried by the next call, not kept
    throw e;
  });
  return codecPool;
}

/**
 * How many codec workers gzip runs on (0: on the main thread). The default: none on 2 cores or
 * fewer, else cores - 1, at most 3. Resolves to how many were running before.
 */
export async function setCodecWorkers(count) {
  const pool = codecPool && (await codecPool);
  const before = pool ? pool.running : 0;
  pool?.terminate();
  workerCount = count;
  codecPool = null;
  return before;
}

/** GZIP_V1 DATA for a JSON text, compressed natively (CompressionStream), like the app's fflate. */
async function gzipData(text) {
  return (await codec()).gzip(text);
}

/** The JSON value types only; anything else (Date, undefined, Map, NaN...) can't be kept losslessly. */
function nonJsonPath(value, path = "") {
  if (value === null || typeof value === "string" || typeof value === "boolean") return null;
  if (typeof value === "number") return Number.isFinite(value) ? null : `${path || "value"} is ${value}`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return `${path}[${i}] is a hole`;
      const bad = nonJsonPath(value[i], `${path}[${i}]`);
      if (bad) return bad;
    }
    return null;
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) {
      const bad = nonJsonPath(v, path ? `${path}.${k}` : k);
      if (bad) return bad;
    }
    return null;
  }
  const kind = value === undefined ? "undefined" : (value?.constructor?.name ?? typeof value);
  return `${path || "value"} is ${kind}`;
}

/** DATA → JSON text, or an `{error}` naming what is wrong. Never guesses, never repairs. */
async function decodeData(data) {
  if (typeof data === "string") {
    return data.startsWith(GZIP_PREFIX) ? (await codec()).gunzip(data) : data;
  }
  const bad = nonJsonPath(data);
  if (bad) return { error: `raw stored value is not JSON: ${bad}` };
  return JSON.stringify(data);
}

// ------------------------------------------------------------------ array records

function namedError(name, message) {
  const error = new Error(message);
  error.name = name;
  return error;
}

async function readData(db, storeName, key) {
  const tx = db.transaction(storeName, "readonly");
  const request = tx.objectStore(storeName).get(key);
  await done(tx);
  return request.result?.data;
}

/** The array a record's JSON text (or `{error}`) holds; `errorName` names the Error thrown otherwise. */
function parseArray(key, text, errorName = "RecordDecodeError") {
  if (typeof text !== "string") throw namedError(errorName, `${key} cannot be decoded: ${text.error}`);
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw namedError(errorName, `${key} is not valid JSON (${e.message})`);
  }
  if (!Array.isArray(value)) throw namedError(errorName, `${key} is not an array (found ${value === null ? "null" : typeof value})`);
  return value;
}

/** Refuse to rewrite array `key` holding an element JSON.stringify would silently change (Infinity → null). */
function requireWritable(key, elements) {
  const bad = nonJsonPath(elements);
  if (bad) {
    throw namedError("NonJsonElementError", `${key} holds an element that JSON can't (${key}${bad}); rewriting ` +
      `${key} would change it, so ${key} was left as it is. Fix or remove that element, then run again`);
  }
}

const elementId = (e) => (e && typeof e === "object" && !Array.isArray(e) && typeof e.id === "string" ? e.id : undefined);
const sameData = (a, b) => (typeof a === "string" || typeof b === "string" ? a === b : JSON.stringify(a) === JSON.stringify(b));

async function sha256(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return new Uint8Array(digest).toHex();
}

/** The elements of an array record, handed to Python one at a time (see StorageBackend.open_array). */
class ArrayRecord {
  constructor(key, elements, rewrite, data = undefined) {
    this.key = key;
    this.data = data; // the DATA the elements were parsed from
    this.ids = elements.map(elementId);
    this.elements = elements;
    this.rewrite = rewrite;
    this.handedOver = new Map(); // id -> sha256 of the element's JSON text as handed over
  }

  /** Element i as JSON text, or `{error}` when it holds a value JSON can't (1e400 parsed as Infinity). */
  async item(i) {
    const bad = nonJsonPath(this.elements[i]);
    if (bad) return { error: `element ${i} is not JSON: ${bad}` };
    const text = JSON.stringify(this.elements[i]);
    const id = this.ids[i];
    if (id !== undefined) this.handedOver.set(id, await sha256(text));
    return text;
  }

  /** Remove the elements with these ids that are still exactly as handed over; returns the ids removed. */
  async removeItems(ids) {
    const wanted = new Set(Array.from(ids).filter((id) => this.handedOver.has(id)));
    if (wanted.size === 0) return [];
    const rewrite = this.rewrite(async (data, load) => {
      const removed = [];
      const kept = [];
      if (this.elements && typeof data === "string" && data === this.data && this.uniqueIds(wanted)) {
        // The record is still exactly the DATA the elements were handed over from: each wanted
        // element is as handed over, by construction; no need to parse and hash it all again.
        for (const element of this.elements) {
          const id = elementId(element);
          if (wanted.has(id)) removed.push(id);
          else kept.push(element);
        }
        return { removed, kept };
      }
      const current = await load();
      for (const element of current) {
        const id = elementId(element);
        if (wanted.has(id) && (await sha256(JSON.stringify(element))) === this.handedOver.get(id)) removed.push(id);
        else kept.push(element);
      }
      return { removed, kept };
    });
    return rewrite.catch((e) => Promise.reject(plainError(e)));
  }

  /** True when each of `ids` names one element only. */
  uniqueIds(ids) {
    const seen = new Set();
    for (const id of this.ids) {
      if (ids.has(id)) {
        if (seen.has(id)) return false;
        seen.add(id);
      }
    }
    return true;
  }

  release() {
    this.elements = null;
  }
}

// ------------------------------------------------------------------ the bridge

/**
 * Bridge over one database's `collections` store.
 * `encoding`: "gzip" (the app's default) or "json" for newly written records.
 */
export function createBridge(db, { storeName = "collections", encoding = "gzip" } = {}) {
  if (!db.objectStoreNames.contains(storeName)) {
    throw new Error(`database ${db.name} has no object store ${storeName}`);
  }
  // A session's metadata record is small (a few KB, gzip saves little) and is what every
  // listing reads, once per session: it is written as plain JSON (a DATA form the app reads),
  // as decompressing it cost ~1 ms per record, 90% of a listing's time.
  const encodeRecord = encoding === "json" ? async (key, text) => text
    : async (key, text) => (PLAIN_KEY.test(key) ? text : gzipData(text));

  /**
   * Rewrite an array record with `change(data, load) -> {removed, kept}` (`data`: the DATA read,
   * `load()`: its elements), keeping concurrent writers' work (writeGuarded). Returns `removed`.
   */
  async function writeRecord(key, change) {
    let removed = [];
    await writeGuarded([], [], undefined, async () => {
      const data0 = await readData(db, storeName, key);
      if (data0 === undefined) return (removed = [], []);
      let kept;
      ({ removed, kept } = await change(data0, async () => parseArray(key, await decodeData(data0))));
      if (removed.length === 0) return [];
      requireWritable(key, kept);
      return [{ key, expected: data0, data: await encodeRecord(key, JSON.stringify(kept)) }];
    });
    return removed;
  }

  /**
   * One strict transaction: deletes, then puts. Each of `guards` {key, expected, data} first
   * checks that record `key`'s DATA is still `expected` (undefined: absent) — when one is not,
   * nothing is written and CONFLICT returned — and writes its new DATA `data` (undefined: leave
   * it) with the rest.
   */
  async function commit(encoded, deletes, guards = []) {
    const tx = db.transaction(storeName, "readwrite", { durability: "strict" });
    const finished = done(tx);
    const store = tx.objectStore(storeName);
    const timestamp = Date.now();
    let conflict = false;
    let issueError;
    const issue = () => {
      try {
        for (const key of deletes) store.delete(key);
        for (const [name, data] of encoded) store.put({ name, data, timestamp });
        for (const { key, data } of guards) if (data !== undefined) store.put({ name: key, data, timestamp });
      } catch (e) {
        // A request that can't even be issued (bad key...) aborts the whole batch.
        issueError = e;
        tx.abort();
      }
    };
    let unchecked = guards.length;
    if (unchecked === 0) issue();
    for (const { key, expected } of guards) {
      store.get(key).onsuccess = (event) => {
        if (conflict) return;
        if (!sameData(event.target.result?.data, expected)) {
          conflict = true;
          tx.abort();
        } else if (--unchecked === 0) {
          issue();
        }
      };
    }
    try {
      await finished;
    } catch (e) {
      if (issueError) throw issueError;
      if (conflict) return CONFLICT;
      throw e;
    }
    return undefined;
  }

  // The session-index as this bridge last read or wrote it: {data, ids}, or null (read it).
  let knownIndex = null;
  let indexChanges = Promise.resolve();

  async function readIndex() {
    const data = await readData(db, storeName, INDEX_KEY);
    if (data === undefined) return { data, ids: [] };
    return { data, ids: parseArray(INDEX_KEY, await decodeData(data), "IndexNotArrayError") };
  }

  /**
   * commit() with the session-index changed by `indexChange` ["add" | "remove", id] (or not) and
   * the guards `moreGuards()` returns, recomputed from fresh reads after each conflict.
   */
  async function writeGuarded(encoded, deletes, indexChange, moreGuards = async () => []) {
    for (let attempt = 0; attempt < 8; attempt++) {
      // After a conflict, back off a random while (up to 2^attempt ms): a busy writer gets ahead.
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** attempt));
      const guards = await moreGuards();
      let base, ids, data;
      if (indexChange) {
        const [op, id] = indexChange;
        base = knownIndex ?? (await readIndex());
        ids = op === "add" ? (base.ids.includes(id) ? null : [...base.ids, id])
          : (base.ids.includes(id) ? base.ids.filter((x) => x !== id) : null);
        if (ids && nonJsonPath(ids)) {
          throw namedError("IndexNotArrayError", `${INDEX_KEY} holds a value JSON can't (${nonJsonPath(ids)}); rewriting it would change it`);
        }
        data = ids ? await encodeRecord(INDEX_KEY, JSON.stringify(ids)) : undefined;
        guards.push({ key: INDEX_KEY, expected: base.data, data });
        knownIndex = null; // until this write is known to have landed
      }
      if ((await commit(encoded, deletes, guards)) !== CONFLICT) {
        if (indexChange) knownIndex = ids ? { data, ids } : base;
        return;
      }
    }
    throw namedError("WriteConflictError", "records kept changing while they were being rewritten; nothing was written");
  }

  /** Encode [key, JSON text] pairs before any transaction opens (encoding is async). */
  const encodePuts = (puts) => Promise.all(Array.from(puts, async ([key, text]) => [key, await encodeRecord(key, text)]));

  /** Index changes of this bridge run one after another (each starts from the index the last wrote). */
  function queued(write) {
    const run = indexChanges.then(write);
    indexChanges = run.catch(() => {});
    return run;
  }

  return plainErrors({
    dbName: db.name,
    storeName,
    encoding,

    /**
     * Read many records in one transaction. Returns one entry per key, in order:
     * the JSON text, `undefined` when absent, or `{error}` when the record can't be decoded.
     */
    async getMany(keys) {
      const tx = db.transaction(storeName, "readonly");
      const store = tx.objectStore(storeName);
      const requests = Array.from(keys, (key) => store.get(key));
      await done(tx);
      // Decompression is async: it runs after the transaction has completed, never inside it.
      return Promise.all(requests.map((r) => (r.result === undefined ? undefined : decodeData(r.result.data))));
    },

    /**
     * Delete, then put, atomically and durably: one transaction with strict durability.
     * `puts` is an array of [key, JSON text]; everything is encoded before the transaction opens.
     * `indexChange` ["add" | "remove", id]: the session-index changes in the same transaction,
     * checked there to be the index it was computed from (else recomputed and retried), so
     * another writer's entries are never dropped.
     */
    async writeBatch(puts, deletes = [], indexChange = undefined) {
      const encoded = await encodePuts(puts);
      deletes = Array.from(deletes);
      if (!indexChange) {
        await commit(encoded, deletes); // one that writes the index itself: the cache fails its next check
        return;
      }
      await queued(() => writeGuarded(encoded, deletes, Array.from(indexChange)));
    },

    /**
     * Append `text` (the JSON of an object with a string id) to the array record `key`, created
     * when absent, with `puts`, `deletes` and `indexChange`, in one strict transaction checked
     * against the array (and index) as they are then: another writer's change is never lost.
     * An element with that id there already: nothing is appended when it is the same JSON
     * (resolves false), and a DuplicateElementError is thrown, nothing written, when it differs.
     */
    async appendToArray(key, text, puts = [], deletes = [], indexChange = undefined) {
      const element = JSON.parse(text);
      const id = elementId(element);
      if (id === undefined) throw new Error(`appendToArray(${key}): the element has no string id`);
      const encoded = await encodePuts(puts);
      deletes = Array.from(deletes);
      let appended;
      const arrayGuard = async () => {
        const data0 = await readData(db, storeName, key);
        const elements = data0 === undefined ? [] : parseArray(key, await decodeData(data0));
        const same = elements.filter((e) => elementId(e) === id);
        if (same.some((e) => JSON.stringify(e) !== JSON.stringify(element))) {
          throw namedError("DuplicateElementError", `${key} already holds a different element with id ${JSON.stringify(id)}`);
        }
        appended = same.length === 0;
        if (!appended) return [{ key, expected: data0, data: undefined }];
        requireWritable(key, elements);
        return [{ key, expected: data0, data: await encodeRecord(key, JSON.stringify([...elements, element])) }];
      };
      await queued(() => writeGuarded(encoded, deletes, indexChange && Array.from(indexChange), arrayGuard));
      return appended;
    },

    /** Every key starting with `prefix`, sorted, from one transaction. */
    async keys(prefix = "") {
      const tx = db.transaction(storeName, "readonly");
      const range = prefix ? IDBKeyRange.bound(prefix, prefix + "\uffff") : undefined;
      const request = tx.objectStore(storeName).getAllKeys(range);
      await done(tx);
      return request.result.filter((k) => typeof k === "string" && k.startsWith(prefix));
    },

    /**
     * Read an array-valued record (the app's `sessions`) once and keep it here, in JS:
     * Python takes one element at a time. Resolves to undefined when the record is absent.
     */
    async openArray(key) {
      const data0 = await readData(db, storeName, key);
      if (data0 === undefined) return undefined;
      return new ArrayRecord(key, parseArray(key, await decodeData(data0)), (change) => writeRecord(key, change), data0);
    },

    /**
     * Hold a Web Lock (navigator.locks) until `release()` is called on the returned handle.
     * With `ifAvailable`, resolves to undefined at once when another tab holds it.
     */
    acquireLock(name, ifAvailable = false) {
      return new Promise((resolve, reject) => {
        const held = navigator.locks.request(name, { ifAvailable }, (lock) => {
          if (!lock) return resolve(undefined);
          // release() settles once the lock is really free again, so a re-acquire can't race it.
          return new Promise((release) => resolve({ release: () => (release(), held) }));
        });
        held.catch(reject);
      });
    },

    /** The origin's usage and quota in bytes. */
    async estimate() {
      const { usage = 0, quota = 0 } = await navigator.storage.estimate();
      return { usage, quota };
    },

    close() {
      db.close();
    },
  });
}

/** Open the database and return its bridge. */
export async function openBridge(dbName = "taskerino-db", options = {}) {
  try {
    return createBridge(await openDatabase(dbName), options);
  } catch (e) {
    throw plainError(e);
  }
}
