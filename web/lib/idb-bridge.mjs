// The bridge between Python and Taskerino's IndexedDB, in the app's own format.
//
// Database `taskerino-db` version 1 (never bumped: the app opens version 1), store
// `collections`, records `{name, data, timestamp}`. DATA is "GZIP_V1:" + base64(gzip(JSON)),
// a JSON string, or (old data) the raw value.
//
// Every exported operation is one whole transaction: all requests are issued inside JS and
// the promise settles on the transaction's `complete` (or `abort`). Python awaits only these
// calls — a Python `await` inside a transaction would let it auto-commit half done.

import { ElementCursor, arrayIds, rewriteArrayData } from "./array-data.mjs";
import { elementId } from "./array-scanner.mjs";
import { GZIP_PREFIX } from "./gzip-codec.mjs";
import { acquireLease } from "./lease-lock.mjs";
import { features, limits } from "./platform.mjs";

const DB_VERSION = 1;
const INDEX_KEY = "session-index"; // read and written only as Python's index edit says (IndexChange.edit)
const CONFLICT = Symbol("conflict");
const OPTIMISTIC_ATTEMPTS = 4; // then writeGuarded holds the store for one attempt that can't conflict

/** Options of every readwrite transaction: strict durability where the engine has it (Chromium). */
const writeOptions = () => (features().strictDurability ? { durability: "strict" } : undefined);

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

/**
 * A stored (structured-clone) value read as JSON: `{text, absent}`, or `{error}` naming the first
 * value JSON can't hold. An object property holding `undefined` is left out and its path listed
 * in `absent`: the app means it absent (its types mark such fields optional, and its own save,
 * JSON.stringify, drops them). Anything else — `undefined` or a hole inside an array, a Date, a
 * Map, NaN, a class instance — is refused: no meaning is guessed. Python's codec.json_view is
 * the same rule, for the memory backend.
 */
export function jsonView(value) {
  const absent = [];
  const bad = nonJsonPath(value, "", absent);
  return bad ? { error: bad } : { text: JSON.stringify(value), absent };
}

/** The path of the first value in `value` JSON can't hold, or null; `absent` collects undefined properties. */
function nonJsonPath(value, path = "", absent = null) {
  if (value === null || typeof value === "string" || typeof value === "boolean") return null;
  if (typeof value === "number") return Number.isFinite(value) ? null : `${path || "value"} is ${value}`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return `${path}[${i}] is a hole`;
      const bad = nonJsonPath(value[i], `${path}[${i}]`, absent);
      if (bad) return bad;
    }
    return null;
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) {
      const inner = path ? `${path}.${k}` : k;
      if (v === undefined && absent) {
        absent.push(inner);
        continue;
      }
      const bad = nonJsonPath(v, inner, absent);
      if (bad) return bad;
    }
    return null;
  }
  const kind = value === undefined ? "undefined" : (value?.constructor?.name ?? typeof value);
  return `${path || "value"} is ${kind}`;
}

/**
 * DATA → its JSON text; `{text, absent}` for raw data with properties read as absent (see
 * jsonView); or `{error}` naming what is wrong. Never guesses, never repairs.
 */
async function decodeData(data) {
  if (typeof data === "string") {
    return data.startsWith(GZIP_PREFIX) ? (await codec()).gunzip(data) : data;
  }
  const view = jsonView(data);
  if (view.error) return { error: `raw stored value is not JSON: ${view.error}` };
  return view.absent.length ? view : view.text;
}

/**
 * True when two stored DATA values are the same: strings by value, raw (structured-clone)
 * values by structure — so a compare-and-swap sees any change, also to a value JSON can't hold
 * (a Date, an `undefined` property) or to one JSON would flatten (a Date against its string).
 */
function sameData(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const kind = Object.prototype.toString.call(a);
  if (kind !== Object.prototype.toString.call(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date) return Object.is(a.getTime(), b.getTime());
  if (a instanceof RegExp) return a.source === b.source && a.flags === b.flags;
  if (a instanceof Map || a instanceof Set) {
    if (a.size !== b.size) return false;
    const as = [...a.entries()], bs = [...b.entries()];
    return as.every(([k, v], i) => sameData(k, bs[i][0]) && sameData(v, bs[i][1]));
  }
  if (ArrayBuffer.isView(a) || a instanceof ArrayBuffer) {
    const x = new Uint8Array(a.buffer ?? a, a.byteOffset ?? 0, a.byteLength), y = new Uint8Array(b.buffer ?? b, b.byteOffset ?? 0, b.byteLength);
    return x.length === y.length && x.every((byte, i) => byte === y[i]);
  }
  if (a instanceof Blob) return false; // can't be compared at once: taken as changed
  const keys = Reflect.ownKeys(a);
  if (keys.length !== Reflect.ownKeys(b).length) return false;
  return keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameData(a[k], b[k]));
}

// ------------------------------------------------------------------ array records

function namedError(name, message) {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** Record `key`'s DATA (undefined when absent), in a transaction of its own. */
async function readData(db, storeName, key) {
  const tx = db.transaction(storeName, "readonly");
  const request = tx.objectStore(storeName).get(key);
  await done(tx);
  return request.result?.data;
}

/** `value` when it is an array, else a RecordDecodeError naming `key`. */
function requireArray(key, value) {
  if (!Array.isArray(value)) {
    throw namedError("RecordDecodeError", `${key} is not an array (found ${value === null ? "null" : typeof value})`);
  }
  return value;
}

/** The `id` of each element of array DATA `data`: one scan of a string, the values of a raw array. */
async function idsOf(key, data) {
  return typeof data === "string" ? arrayIds(key, data) : requireArray(key, data).map(elementId);
}

/**
 * Array DATA `data` without the elements `drop(id, value)` says (async), in `form` for a string
 * (each kept element its very text, streamed: array-data.mjs); a raw (structured-clone) array
 * stays raw, each kept element the very value read. `{removed: ids, ids: kept ids, data}`.
 */
async function withoutElements(key, data, drop, form) {
  const removed = [], ids = [];
  if (typeof data !== "string") {
    const kept = [];
    for (const element of requireArray(key, data)) {
      const id = elementId(element);
      if (await drop(id, element)) removed.push(id);
      else kept.push(element), ids.push(id);
    }
    return { removed, ids, data: kept };
  }
  const keep = async ({ id, value }) => {
    if (await drop(id, value)) return !removed.push(id);
    return ids.push(id);
  };
  return { removed, ids, data: await rewriteArrayData(key, data, form, keep) };
}

async function sha256(text) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return features().hex ? digest.toHex() : Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The elements of an array record, handed to Python one at a time (see StorageBackend.open_array).
 * A string DATA is never parsed whole: its ids come from one scan, its elements from another
 * read in order (ElementCursor), its rewrite streams. A raw (structured-clone) array is already
 * values when read: those are used as they are, never copied through JSON as a whole.
 */
class ArrayRecord {
  /** `read()`: the record's DATA now; `rewrite(change)`: writeRecord for this record. */
  constructor(key, data, ids, { read, rewrite, form }) {
    this.read = read;
    this.key = key;
    this.data = data; // the DATA the ids were read from
    this.ids = ids;
    this.cursor = typeof data === "string" ? new ElementCursor(key, data) : null;
    this.rewrite = rewrite;
    this.form = form; // the DATA form a rewrite writes a string array in
    this.written = null; // {data, ids} of this record's last rewrite
    this.handedOver = new Map(); // id -> sha256 of the element's JSON text as handed over
  }

  /**
   * Element i as JSON text; `{text, absent}` when properties stored as `undefined` were left out
   * (jsonView); `{error}` when it holds a value JSON can't (a Date, 1e400 parsed as Infinity...).
   * The text is JSON.stringify's of the value JSON.parse gives, as it was from the whole array.
   */
  async item(i) {
    const value = this.cursor ? (await this.cursor.at(i)).value : this.data[i];
    const view = jsonView(value);
    if (view.error) return { error: `element ${i} is not JSON: ${view.error}` };
    const id = this.ids[i];
    if (id !== undefined) this.handedOver.set(id, await sha256(view.text));
    return view.absent.length ? view : view.text;
  }

  /** Remove the elements with these ids that are still exactly as handed over; returns the ids removed. */
  async removeItems(ids) {
    const wanted = new Set(Array.from(ids).filter((id) => this.handedOver.has(id)));
    if (wanted.size === 0) return [];
    let written;
    const rewrite = this.rewrite(async (data) => {
      // Still exactly the DATA the elements were handed over from: each wanted element is as
      // handed over, by construction; no need to hash it again.
      const same = sameData(data, this.data) && this.uniqueIds(wanted);
      const drop = async (id, value) => {
        if (!wanted.has(id)) return false;
        if (same) return true;
        const view = jsonView(value);
        return view.text !== undefined && (await sha256(view.text)) === this.handedOver.get(id);
      };
      written = await withoutElements(this.key, data, drop, this.form);
      return written;
    });
    const removed = await rewrite.catch((e) => Promise.reject(plainError(e)));
    if (removed.length) this.written = written;
    return removed;
  }

  /** Those of `ids` that the record's elements hold now, read again (scanned only when it changed). */
  async presentIds(ids) {
    const data = await this.read();
    let current = [];
    if (sameData(data, this.data)) current = this.ids;
    else if (this.written && sameData(data, this.written.data)) current = this.written.ids;
    else if (data !== undefined) current = await idsOf(this.key, data);
    const now = new Set(current);
    return Array.from(new Set(ids)).filter((id) => now.has(id));
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
    this.cursor?.close();
    this.cursor = null;
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
  /** DATA for a JSON text, in `form` ("gzip" | "json"; the bridge's encoding by default). */
  const encodeRecord = async (text, form = encoding) => (form === "json" ? text : gzipData(text));

  /**
   * Rewrite an array record with `change(data) -> {removed, data}` (`data`: the DATA read; its
   * result: the ids removed and the new DATA), keeping concurrent writers' work (writeGuarded).
   * Returns `removed`.
   */
  async function writeRecord(key, change) {
    let removed = [];
    await writeGuarded([], [], undefined, async (read) => {
      const data0 = await read(key);
      if (data0 === undefined) return (removed = [], []);
      let data;
      ({ removed, data } = await change(data0));
      if (removed.length === 0) return [];
      return [{ key, expected: data0, data }];
    });
    return removed;
  }

  /** Issue the deletes, then the puts (and each guard's new DATA), in `store`'s transaction. */
  function issueWrites(store, encoded, deletes, guards) {
    const timestamp = Date.now();
    for (const key of deletes) store.delete(key);
    for (const [name, data] of encoded) store.put({ name, data, timestamp });
    for (const { key, data } of guards) if (data !== undefined) store.put({ name: key, data, timestamp });
  }

  /**
   * One strict transaction: deletes, then puts. Each of `guards` {key, expected, data} first
   * checks that record `key`'s DATA is still `expected` (undefined: absent) — when one is not,
   * nothing is written and CONFLICT returned — and writes its new DATA `data` (undefined: leave
   * it) with the rest.
   */
  async function commit(encoded, deletes, guards = []) {
    const tx = db.transaction(storeName, "readwrite", writeOptions());
    const finished = done(tx);
    const store = tx.objectStore(storeName);
    let conflict = false;
    let issueError;
    const issue = () => {
      try {
        issueWrites(store, encoded, deletes, guards);
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

  /**
   * A readwrite transaction held open while async work (gunzip, gzip) runs between its read and
   * its write. A transaction stays active only while it has requests pending, and requests can
   * be issued only from its own callbacks: so a cheap read is chained until the work is done,
   * and every read or write is queued and issued from that chain. Meanwhile no other writer can
   * write the store, so what is read in it is still current when it writes: no conflict can
   * happen. The app's own writes wait the few ms the work takes; so it is used only after
   * optimistic attempts kept conflicting (writeGuarded).
   */
  function holdStore() {
    const tx = db.transaction(storeName, "readwrite", writeOptions());
    const finished = done(tx);
    const store = tx.objectStore(storeName);
    const queue = [];
    let open = true;
    const spin = () => {
      while (queue.length) queue.shift()();
      if (open) store.get(INDEX_KEY).onsuccess = spin;
    };
    spin();
    const enqueue = (issue) => new Promise((resolve, reject) => queue.push(() => {
      try {
        resolve(issue());
      } catch (e) {
        reject(e);
      }
    }));
    return {
      read: (key) => enqueue(() => new Promise((resolve) => {
        store.get(key).onsuccess = (event) => resolve(event.target.result?.data);
      })),
      async write(encoded, deletes, guards) {
        await enqueue(() => {
          open = false;
          try {
            issueWrites(store, encoded, deletes, guards);
          } catch (e) {
            tx.abort();
            throw e;
          }
        });
        await finished;
      },
      async abort() {
        await enqueue(() => {
          open = false;
          tx.abort();
        });
        await finished.catch(() => {});
      },
    };
  }

  // The session-index as this bridge last read or wrote it: {data, ids}, or null (read it).
  let knownIndex = null;
  let indexChanges = Promise.resolve();

  const readOutside = (key) => readData(db, storeName, key);
  const knownIds = new Map(); // array record key -> {data, ids}: its string DATA last scanned (openArray)

  /** The session-index as stored: its DATA and JSON text (both undefined when absent). */
  async function readIndex(read) {
    const data = await read(INDEX_KEY);
    if (data === undefined) return { data, text: undefined };
    const decoded = await decodeData(data);
    if (typeof decoded === "string") return { data, text: decoded };
    if (decoded.error === undefined) return { data, text: decoded.text };
    throw namedError("IndexNotArrayError", `${INDEX_KEY} cannot be decoded: ${decoded.error}`);
  }

  /** Python's index edit on the index's text: its new text, or undefined when unchanged. */
  function editIndex(indexEdit, text) {
    const [status, value, message] = indexEdit(text);
    if (status !== "ok") throw namedError(value, message);
    return value ?? undefined;
  }

  /**
   * Deletes and puts with the session-index changed by `indexEdit(text) -> ["ok", new text or
   * undefined] | ["error", name, message]` (Python's rule, IndexChange.edit; or no change) and
   * the guards `moreGuards(read)` returns, computed from records read with `read(key)`,
   * so that another writer's change to them is never lost. First optimistically: computed from
   * plain reads and committed only if those records are still as read (commit), recomputed after
   * each conflict. An app that writes them again and again can win every such race: then one
   * last attempt holds the store (holdStore) and cannot conflict.
   */
  async function writeGuarded(encoded, deletes, indexEdit, moreGuards = async () => []) {
    const indexChange = Boolean(indexEdit);
    const plan = async (read, index) => {
      const guards = await moreGuards(read);
      let text, data;
      if (indexChange) {
        text = editIndex(indexEdit, index.text);
        data = text === undefined ? undefined : await encodeRecord(text);
        guards.push({ key: INDEX_KEY, expected: index.data, data });
      }
      return { guards, landed: text === undefined ? index : { data, text } };
    };
    for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
      // After a conflict, back off a random while (up to 2^attempt ms): a busy writer gets ahead.
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** attempt));
      const index = indexChange ? knownIndex ?? (await readIndex(readOutside)) : null;
      const { guards, landed } = await plan(readOutside, index);
      knownIndex = null; // until this write is known to have landed
      if ((await commit(encoded, deletes, guards)) !== CONFLICT) {
        if (indexChange) knownIndex = landed;
        return;
      }
    }
    const held = holdStore();
    let planned;
    try {
      planned = await plan(held.read, indexChange ? await readIndex(held.read) : null);
    } catch (e) {
      await held.abort();
      throw e;
    }
    await held.write(encoded, deletes, planned.guards);
    if (indexChange) knownIndex = planned.landed;
  }

  /** Encode [key, JSON text, form?] puts before any transaction opens (encoding is async). */
  const encodePuts = (puts) => Promise.all(Array.from(puts, async ([key, text, form]) => [key, await encodeRecord(text, form)]));

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
     * The migration's read-back (StorageBackend.read_back): read `keys` again in one transaction
     * and return those whose DATA does not decode to exactly `texts[i]` (absent, another text,
     * undecodable). Strings compared here: Python parses nothing back (docs/design.md,
     * "Verification").
     */
    async readBack(keys, texts) {
      keys = Array.from(keys);
      texts = Array.from(texts);
      const tx = db.transaction(storeName, "readonly");
      const store = tx.objectStore(storeName);
      const requests = keys.map((key) => store.get(key));
      await done(tx);
      const same = await Promise.all(requests.map(async (request, i) => {
        if (request.result === undefined) return false;
        try {
          return (await decodeData(request.result.data)) === texts[i]; // {error}, {text, absent}: not the same
        } catch {
          return false;
        }
      }));
      return keys.filter((_, i) => !same[i]);
    },

    /**
     * Delete, then put, atomically and durably: one transaction with strict durability.
     * `puts` is an array of [key, JSON text, form ("gzip"/"json"; Python chooses)]; everything is
     * encoded before the transaction opens.
     * `indexEdit` (see writeGuarded): the session-index changes in the same transaction,
     * checked there to be the index it was computed from (else recomputed and retried), so
     * another writer's entries are never dropped.
     */
    async writeBatch(puts, deletes = [], indexEdit = undefined) {
      const encoded = await encodePuts(puts);
      deletes = Array.from(deletes);
      if (!indexEdit) {
        await commit(encoded, deletes); // one that writes the index itself: the cache fails its next check
        return;
      }
      await queued(() => writeGuarded(encoded, deletes, indexEdit));
    },

    /**
     * Append elements to the array record `key` (created when absent), with `puts`, `deletes`
     * and `indexEdit`, in one strict transaction checked against the array (and index) as they
     * are then: another writer's change is never lost. `texts`: the elements' JSON texts, each an
     * object with a string id. Which of them go in is Python's rule (storage/port.py to_append):
     * `planAppend(json)` gets {present: {id: [JSON text (null: not JSON) of each element already
     * there with that id]}, new: [JSON text of each element]} and returns ["ok", positions to
     * append] or ["error", name, message] (then nothing is written). A raw (structured-clone) array stays raw, its elements
     * as they are. Resolves to how many elements were appended.
     */
    async appendToArray(key, texts, planAppend, puts = [], deletes = [], indexEdit = undefined) {
      // Both sides as JSON.stringify writes them, so that texts compare like for like.
      const elements = Array.from(texts, (text) => JSON.parse(text));
      const newTexts = elements.map((e) => JSON.stringify(e));
      const ids = new Set(elements.map(elementId));
      const encoded = await encodePuts(puts);
      deletes = Array.from(deletes);
      let appended;
      const arrayGuard = async (read) => {
        const data0 = await read(key);
        const present = {};
        const note = (id, value) => {
          if (ids.has(id)) (present[id] ??= []).push(jsonView(value).text ?? null);
        };
        const positions = () => {
          const [status, value, message] = planAppend(JSON.stringify({ present, new: newTexts }));
          if (status !== "ok") throw namedError(value, message);
          appended = value.length;
          return Array.from(value);
        };
        let data;
        if (data0 !== undefined && typeof data0 !== "string") {
          // A raw array stays raw: its elements the very values read, the new ones appended.
          const current = requireArray(key, data0);
          for (const e of current) note(elementId(e), e);
          data = [...current, ...positions().map((i) => elements[i])];
        } else {
          // Streamed: each element there kept as its very text, the new ones spliced in before `]`.
          const keep = ({ id, value }) => (note(id, value), true);
          data = await rewriteArrayData(key, data0, encoding, keep, () => positions().map((i) => newTexts[i]));
        }
        return [{ key, expected: data0, data: appended ? data : undefined }];
      };
      await queued(() => writeGuarded(encoded, deletes, indexEdit, arrayGuard));
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
     * Read an array-valued record (the app's `sessions`) once and keep its DATA here, in JS:
     * its ids from one scan now, then Python takes one element at a time. Resolves to undefined
     * when the record is absent; rejects (RecordDecodeError) when it is not a whole JSON array.
     */
    async openArray(key) {
      let data0 = await readData(db, storeName, key);
      if (data0 === undefined) return undefined;
      // The ids of a string DATA scanned before are kept against that DATA: the same text again
      // (compared whole: exact, and far cheaper than a scan) has the same ids, broken ones included.
      // The text already held is used, not the copy just read: an earlier handle (the status's)
      // and this one then share one string, where they held two copies of the record.
      const known = knownIds.get(key);
      const same = known !== undefined && Object.is(known.data, data0);
      if (same) data0 = known.data;
      const ids = same ? known.ids : await idsOf(key, data0);
      if (typeof data0 === "string") knownIds.set(key, { data: data0, ids });
      return new ArrayRecord(key, data0, ids,
        { read: () => readOutside(key), rewrite: (change) => writeRecord(key, change), form: encoding });
    },

    /**
     * Hold a Web Lock (navigator.locks) until `release()` is called on the returned handle.
     * With `ifAvailable`, resolves to undefined at once when another tab holds it. Without Web
     * Locks, a lease in IndexedDB (lease-lock.mjs) does the same job.
     */
    acquireLock(name, ifAvailable = false) {
      if (!features().webLocks) return acquireLease(name, ifAvailable);
      return new Promise((resolve, reject) => {
        const held = navigator.locks.request(name, { ifAvailable }, (lock) => {
          if (!lock) return resolve(undefined);
          // release() settles once the lock is really free again, so a re-acquire can't race it.
          return new Promise((release) => resolve({ release: () => (release(), held) }));
        });
        held.catch(reject);
      });
    },

    /** The origin's usage and quota in bytes; undefined where the browser can't tell (no StorageManager). */
    async estimate() {
      if (!features().storageEstimate) return undefined;
      const { usage = 0, quota = 0 } = await navigator.storage.estimate();
      return { usage, quota };
    },

    /** What this browser's missing APIs cost the guarantees, one line each (platform.mjs). */
    limits() {
      return limits();
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
