// The bridge between Python (browser/indexeddb.py) and Taskerino's IndexedDB, in the app's own
// format: database `taskerino-db` as the app creates it (app-database.mjs), store
// `collections`, records `{name, data, timestamp}` (DATA forms: data-forms.mjs).
//
// Every operation is one whole transaction (idb.mjs), or a compare-and-swap
// (compare-and-swap.mjs) whose prepared write is one short transaction: Python awaits only these
// calls, never inside a transaction. The bridge holds no rule of the domain: which elements go
// in an array and how the session-index changes are Python's answers, asked for inside the
// write (`planAppend`, `indexEdit`), and the keys are Python's too.

import { ArrayRecord, appendElements, appendElementsSync, idsOf } from "./array-record.mjs";
import { compareAndSwap } from "./compare-and-swap.mjs";
import { decodeData, decodeDataSync, encodeText, encodeTextSync, jsonView } from "./data-forms.mjs";
import { openAppDatabase } from "./app-database.mjs";
import { getKeys, getValues, namedError, plainError, plainErrors } from "./idb.mjs";
import { acquireLease } from "./lease-lock.mjs";
import { features, limits } from "./platform.mjs";

export { swapCounts } from "./compare-and-swap.mjs";
export { setCodecWorkers, setSyncCodec } from "./data-forms.mjs";

/** Open the database and return its bridge. */
export async function openBridge(dbName = "taskerino-db", options = {}) {
  try {
    return createBridge(await openAppDatabase(dbName), options);
  } catch (e) {
    throw plainError(e);
  }
}

/**
 * The new text of a record Python edits (`edit(text) -> ["ok", new text or undefined] |
 * ["error", name, message]`) from its decoded DATA: undefined when unchanged.
 */
function editedText(key, edit, decoded) {
  if (decoded?.error !== undefined) throw namedError("IndexNotArrayError", `${key} cannot be decoded: ${decoded.error}`);
  const [status, value, message] = edit(typeof decoded === "object" ? decoded.text : decoded);
  if (status !== "ok") throw namedError(value, message);
  return value ?? undefined;
}

/** Bridge over one database's store. `encoding`: "gzip" (the app's default) or "json" for records written. */
export function createBridge(db, options) {
  return plainErrors(new Bridge(db, options));
}

/** Every operation of the bridge; Python calls these (browser/indexeddb.py). */
class Bridge {
  #serial = Promise.resolve(); // this bridge's guarded writes, one after another
  #knownIds = new Map(); // array record key -> {data, ids}: its string DATA last scanned (openArray)

  constructor(db, { storeName = "collections", encoding = "gzip" } = {}) {
    if (!db.objectStoreNames.contains(storeName)) throw new Error(`database ${db.name} has no object store ${storeName}`);
    Object.assign(this, { db, dbName: db.name, storeName, encoding });
  }

  /**
   * Read many records in one transaction. Returns one entry per key, in order: the JSON text,
   * `undefined` when absent, `{text, absent}` (raw data, see jsonView), or `{error}`.
   */
  async getMany(keys) {
    const records = await getValues(this.db, this.storeName, keys);
    // Decompression is async: it runs after the transaction has completed, never inside it.
    return Promise.all(records.map((r) => (r === undefined ? undefined : decodeData(r.data))));
  }

  /**
   * The migration's read-back (StorageBackend.read_back): read `keys` again in one transaction
   * and return those whose DATA does not decode to exactly `texts[i]`. Strings compared here:
   * Python parses nothing back (docs/design.md, "Verification").
   */
  async readBack(keys, texts) {
    keys = Array.from(keys);
    texts = Array.from(texts);
    const records = await getValues(this.db, this.storeName, keys);
    const same = await Promise.all(records.map(async (r, i) =>
      r !== undefined && (await decodeData(r.data).catch(() => null)) === texts[i]));
    return keys.filter((_, i) => !same[i]);
  }

  /**
   * Delete, then put, atomically and durably. `puts`: [key, JSON text, form ("gzip"/"json"),
   * Python's choice], encoded before the transaction opens. With `indexEdit`, record
   * `indexKey` changes as Python's edit of its text says, in the same transaction, guarded
   * (compare-and-swap): another writer's entries are never dropped.
   */
  async writeBatch(puts, deletes = [], indexKey = undefined, indexEdit = undefined) {
    const encoded = await this.#encodePuts(puts);
    deletes = Array.from(deletes);
    await this.#swap({
      guarded: indexEdit ? [indexKey] : [],
      prepare: async (current) => ({ deletes, puts: [...encoded, ...(await this.#edited(indexKey, indexEdit, current))] }),
      prepareSync: (current) => ({ deletes, puts: [...encoded, ...this.#editedSync(indexKey, indexEdit, current)] }),
    });
  }

  /**
   * Append elements to the array record `key` (created when absent), with `puts`, `deletes`
   * and the index edit (as writeBatch), in one compare-and-swap on the array (and index).
   * `texts`: the elements' JSON texts. Which go in is Python's rule: `planAppend(json)` gets
   * {present: {id: [JSON text (null: not JSON) of each element there with that id]}, new:
   * [JSON text of each]} and returns ["ok", positions to append] or ["error", name, message].
   * Resolves to how many elements were appended.
   */
  async appendToArray(key, texts, planAppend, puts = [], deletes = [], indexKey = undefined, indexEdit = undefined) {
    const elements = Array.from(texts, (text) => ({ value: JSON.parse(text) }));
    for (const e of elements) e.text = JSON.stringify(e.value); // as JSON.stringify writes what is there
    const encoded = await this.#encodePuts(puts);
    deletes = Array.from(deletes);
    const writes = ({ appended, data }, index) =>
      ({ deletes, puts: [...encoded, ...(appended ? [[key, data]] : []), ...index], result: appended });
    const args = (current) => [key, current.get(key), elements, ...appendPlan(elements, planAppend), this.encoding];
    return this.#swap({
      guarded: indexEdit ? [key, indexKey] : [key],
      prepare: async (current) => writes(await appendElements(...args(current)), await this.#edited(indexKey, indexEdit, current)),
      prepareSync: (current) => writes(appendElementsSync(...args(current)), this.#editedSync(indexKey, indexEdit, current)),
    });
  }

  /** Every key starting with `prefix`, from one transaction. */
  keys(prefix = "") {
    return getKeys(this.db, this.storeName, prefix);
  }

  /**
   * Read an array-valued record (the app's `sessions`) once and keep its DATA here, in JS:
   * its ids from one scan now, then Python takes one element at a time. Resolves to undefined
   * when the record is absent; rejects (RecordDecodeError) when it is not a whole JSON array.
   */
  async openArray(key) {
    let data = await this.#read(key);
    if (data === undefined) return undefined;
    // The ids of a string DATA scanned before are kept against that DATA: the same text again
    // (compared whole: exact, and far cheaper than a scan) has the same ids, broken ones included.
    // The text already held is used, not the copy just read: an earlier handle (the status's)
    // and this one then share one string, where they held two copies of the record.
    const known = this.#knownIds.get(key);
    const same = known !== undefined && known.data === data;
    if (same) data = known.data;
    const ids = same ? known.ids : await idsOf(key, data);
    if (typeof data === "string") this.#knownIds.set(key, { data, ids });
    const swap = (change) => this.#swap(change).catch((e) => Promise.reject(plainError(e)));
    return new ArrayRecord(key, data, ids, { read: () => this.#read(key), swap, form: this.encoding });
  }

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
  }

  /** The origin's usage and quota in bytes; undefined where the browser can't tell (no StorageManager). */
  async estimate() {
    if (!features().storageEstimate) return undefined;
    const { usage = 0, quota = 0 } = await navigator.storage.estimate();
    return { usage, quota };
  }

  /** What this browser's missing APIs cost the guarantees, one line each (platform.mjs). */
  limits() {
    return limits();
  }

  close() {
    this.db.close();
  }

  // -- helpers of the operations above

  /** A compare-and-swap write (compare-and-swap.mjs), after this bridge's earlier ones. */
  #swap(change) {
    const run = this.#serial.then(() => compareAndSwap(this.db, this.storeName, change));
    this.#serial = run.catch(() => {});
    return run;
  }

  /** Record `key`'s DATA (undefined when absent), from a transaction of its own. */
  async #read(key) {
    return (await getValues(this.db, this.storeName, [key]))[0]?.data;
  }

  /** [key, JSON text, form] puts encoded, before any transaction opens (encoding is async). */
  #encodePuts(puts) {
    return Promise.all(Array.from(puts, async ([key, text, form]) => [key, await encodeText(text, form ?? this.encoding)]));
  }

  /** The puts of Python's edit of record `key` (none without one), from its current DATA. */
  async #edited(key, edit, current) {
    if (!edit) return [];
    const data = current.get(key);
    const text = editedText(key, edit, data === undefined ? undefined : await decodeData(data));
    return text === undefined ? [] : [[key, await encodeText(text, this.encoding)]];
  }

  /** edited, synchronously. */
  #editedSync(key, edit, current) {
    if (!edit) return [];
    const data = current.get(key);
    const text = editedText(key, edit, data === undefined ? undefined : decodeDataSync(data));
    return text === undefined ? [] : [[key, encodeTextSync(text, this.encoding)]];
  }
}

/**
 * The two callbacks an append gives appendElements for Python's rule `planAppend`: `present(id,
 * value)` notes each element already there with one of the new ids, `positions()` asks which
 * of `elements` go in. Fresh for each attempt.
 */
function appendPlan(elements, planAppend) {
  const ids = new Set(elements.map((e) => e.value.id));
  const present = {};
  const note = (id, value) => ids.has(id) && (present[id] ??= []).push(jsonView(value).text ?? null);
  const positions = () => {
    const [status, value, message] = planAppend(JSON.stringify({ present, new: elements.map((e) => e.text) }));
    if (status !== "ok") throw namedError(value, message);
    return Array.from(value);
  };
  return [note, positions];
}
