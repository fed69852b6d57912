// An array record (the app's `sessions`) kept here, in JS, and handed to Python one element at
// a time (StorageBackend.open_array); and the two rewrites of an array's DATA the bridge makes
// (elements removed, elements appended), each async (streamed: array-data.mjs) for a
// compare-and-swap's prepared attempt and synchronous for its last one (compare-and-swap.mjs).
// A raw (structured-clone) array stays raw: each kept element the very value read.

import { ElementCursor, arrayIds, rewriteArrayData, rewriteKnownArrayData } from "./array-data.mjs";
import { elementId } from "./array-scanner.mjs";
import { arrayElementsSync, encodeTextSync, jsonView, requireSyncCodec, sameData } from "./data-forms.mjs";
import { namedError } from "./idb.mjs";
import { features } from "./platform.mjs";

/** `value` when it is an array, else a RecordDecodeError naming `key`. */
export function requireArray(key, value) {
  if (!Array.isArray(value)) {
    throw namedError("RecordDecodeError", `${key} is not an array (found ${value === null ? "null" : typeof value})`);
  }
  return value;
}

/** The `id` of each element of array DATA `data`: one scan of a string, the values of a raw array. */
export async function idsOf(key, data) {
  return typeof data === "string" ? arrayIds(key, data) : requireArray(key, data).map(elementId);
}

/** The elements `{text, value, id}` of array DATA, synchronously (a raw array's `text` is unused). */
function elementsSync(key, data) {
  if (typeof data !== "string") return requireArray(key, data).map((value) => ({ value, id: elementId(value) }));
  try {
    return arrayElementsSync(data);
  } catch (e) {
    throw namedError("RecordDecodeError", `${key} cannot be read as a JSON array: ${e.message}`);
  }
}

/** Array DATA from `kept` elements: raw values stay raw, a string array is re-encoded in `form`. */
function arrayDataSync(raw, kept, form) {
  return raw ? kept.map((e) => e.value) : encodeTextSync(`[${kept.map((e) => e.text).join(",")}]`, form);
}

const NOTHING_REMOVED = { result: { removed: [] } };

/** True when `value`'s JSON text hashes (with `hash`, sync or async) to `expected`. */
function sameHash(expected, value, hash) {
  const { text } = jsonView(value);
  if (text === undefined) return false;
  const actual = hash(text);
  return actual instanceof Promise ? actual.then((hex) => hex === expected) : actual === expected;
}

async function sha256(text) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return features().hex ? digest.toHex() : Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Array DATA `data` without the elements `drop(id, value)` says (async): `{removed: ids, ids:
 * kept ids, data}`, each kept element its very text (a string, streamed) or value (raw).
 */
async function withoutElements(key, data, drop, form) {
  const removed = [], ids = [];
  const keep = async ({ id, value }) => ((await drop(id, value)) ? !removed.push(id) : ids.push(id));
  if (typeof data === "string") return { removed, ids, data: await rewriteArrayData(key, data, form, keep) };
  const kept = [];
  for (const value of requireArray(key, data)) if (await keep({ id: elementId(value), value })) kept.push(value);
  return { removed, ids, data: kept };
}

/**
 * withoutElements for string DATA whose elements' ids are `known` (scanned from this very DATA),
 * dropping those `drop(id)` says (synchronous): nothing is parsed again.
 */
async function withoutKnownElements(key, data, known, drop, form) {
  const removed = [], ids = [];
  const keepId = (id) => (drop(id) ? !removed.push(id) : ids.push(id) > 0);
  return { removed, ids, data: await rewriteKnownArrayData(key, data, known, form, keepId) };
}

/** withoutElements, synchronously, with `drop(id, value)` synchronous. */
function withoutElementsSync(key, data, drop, form) {
  const removed = [], ids = [], kept = [];
  for (const element of elementsSync(key, data)) {
    if (drop(element.id, element.value)) removed.push(element.id);
    else kept.push(element), ids.push(element.id);
  }
  return { removed, ids, data: arrayDataSync(typeof data !== "string", kept, form) };
}

/**
 * Array DATA `data` (undefined: none yet) with some of `elements` appended: `present(id, value)`
 * is told each element there, then `positions()` says which of `elements` ({text, value}) go in.
 * `{appended, data}`.
 */
export async function appendElements(key, data, elements, present, positions, form) {
  let appended = 0;
  const chosen = () => positions().map((i) => elements[i]);
  if (data !== undefined && typeof data !== "string") {
    for (const value of requireArray(key, data)) present(elementId(value), value);
    const added = chosen();
    return { appended: added.length, data: [...data, ...added.map((e) => e.value)] };
  }
  const keep = ({ id, value }) => (present(id, value), true);
  const more = () => chosen().map((e) => (appended++, e.text));
  const rewritten = await rewriteArrayData(key, data, form, keep, more);
  return { appended, data: rewritten };
}

/** appendElements, synchronously. */
export function appendElementsSync(key, data, elements, present, positions, form) {
  const there = data === undefined ? [] : elementsSync(key, data);
  for (const { id, value } of there) present(id, value);
  const added = positions().map((i) => elements[i]);
  return { appended: added.length, data: arrayDataSync(data !== undefined && typeof data !== "string", [...there, ...added], form) };
}

/**
 * The elements of an array record, handed to Python one at a time. A string DATA is never parsed
 * whole: its ids come from one scan, its elements from another read in order (ElementCursor).
 * `read()`: the record's DATA now; `swap(change)`: compareAndSwap on this record's store.
 */
export class ArrayRecord {
  constructor(key, data, ids, { read, swap, form }) {
    Object.assign(this, { key, data, ids, read, swap, form }); // data: the DATA the ids were read from
    this.cursor = typeof data === "string" ? new ElementCursor(key, data) : null;
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
    const hashes = this.handedOver;
    const { removed, rewrite } = await this.swap({
      guarded: [this.key],
      prepare: async (current) => {
        const data = current.get(this.key);
        if (data === undefined) return NOTHING_REMOVED;
        const whole = this.unchangedSince(data, wanted);
        if (whole && typeof data === "string") {
          return this.removal(await withoutKnownElements(this.key, data, this.ids, (id) => wanted.has(id), this.form));
        }
        const drop = async (id, value) => wanted.has(id) && (whole || (await sameHash(hashes.get(id), value, sha256)));
        return this.removal(await withoutElements(this.key, data, drop, this.form));
      },
      prepareSync: (current) => {
        const data = current.get(this.key);
        if (data === undefined) return NOTHING_REMOVED;
        const whole = this.unchangedSince(data, wanted), { sha256: hash } = requireSyncCodec();
        const drop = (id, value) => wanted.has(id) && (whole || sameHash(hashes.get(id), value, hash));
        return this.removal(withoutElementsSync(this.key, data, drop, this.form));
      },
    });
    if (removed.length) this.written = rewrite;
    return removed;
  }

  /** The writes of a rewrite `{removed, ids, data}` (none when nothing was removed). */
  removal(rewrite) {
    return { puts: rewrite.removed.length ? [[this.key, rewrite.data]] : [], result: { removed: rewrite.removed, rewrite } };
  }

  /**
   * True when `data` is still exactly the DATA the elements were handed over from, and each of
   * `wanted` names one element: then each is as handed over, with no need to hash it again.
   */
  unchangedSince(data, wanted) {
    return sameData(data, this.data) && this.uniqueIds(wanted);
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
      if (!ids.has(id)) continue;
      if (seen.has(id)) return false;
      seen.add(id);
    }
    return true;
  }
}
