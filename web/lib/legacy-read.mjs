// loadSession's first answer, in plain JS: a legacy session read as it is stored, without
// waiting for Python (docs/design.md, "On-demand loading"). It answers only where Python's
// single.load_session can return nothing else — exactly one legacy copy of the id (one array
// element, or the `sessions/{id}` record), nothing stored under `sessions/{id}/`, a value JSON
// holds (jsonView: `undefined` properties read as absent) that is an object with that id — and
// returns null for everything else (chunked, duplicated, undecodable, unknown...): those are
// Python's to load or to refuse. Which copy is the session, and what is wrong with the others,
// stays Python's rule; this only recognises the one case where there is nothing to decide.

import { scanArrayData } from "./array-data.mjs";
import { elementId } from "./array-scanner.mjs";
import { GZIP_PREFIX, gunzipData } from "./gzip-codec.mjs";
import { openAppDatabase } from "./app-database.mjs";
import { jsonView } from "./data-forms.mjs";
import { done } from "./idb.mjs";
import { LEGACY_SESSIONS_KEY, isBackupKey, legacySessionKey, sessionPrefix } from "./session-keys.mjs";

/** The stored records a decision needs, from one readonly transaction (one consistent view). */
async function readRecords(db, storeName, sessionId) {
  const tx = db.transaction(storeName, "readonly");
  const store = tx.objectStore(storeName);
  const prefix = sessionPrefix(sessionId);
  const array = store.get(LEGACY_SESSIONS_KEY);
  const key = legacySessionKey(sessionId);
  const record = isBackupKey(key) ? null : store.get(key); // a backup's key is no legacy session to Python
  const own = store.count(IDBKeyRange.bound(prefix, prefix + "\uffff"));
  await done(tx);
  return { array: array.result?.data, record: record?.result, own: own.result };
}

/** The values of the array DATA's elements with id `sessionId` (all of them: a duplicate is Python's). */
async function elementsWithId(data, sessionId) {
  if (typeof data !== "string") {
    if (!Array.isArray(data)) return null; // not an array: Python reports it
    return data.filter((e) => elementId(e) === sessionId);
  }
  const found = [];
  for await (const { id, value } of scanArrayData(LEGACY_SESSIONS_KEY, data)) if (id === sessionId) found.push(value);
  return found; // the scan ran to the end: the array is whole
}

/** A stored value as the JSON value Python reads (jsonView), or null when it can't be one. */
function asJson(value) {
  const view = jsonView(value);
  return view.error ? null : JSON.parse(view.text);
}

/**
 * The `sessions/{id}` record's DATA as a JSON value, or null when it does not decode to one.
 * Python reads a text record's own text (so -0 stays -0: the value itself is returned, not
 * re-stringified), and refuses one holding a number JSON.parse reads as ±Infinity.
 */
async function recordValue(data) {
  if (typeof data !== "string") return asJson(data);
  const text = data.startsWith(GZIP_PREFIX) ? await gunzipData(data) : data;
  if (typeof text !== "string") return null;
  const value = JSON.parse(text);
  return jsonView(value).error ? null : value;
}

/**
 * Session `sessionId` as Python's load_session would return it, when it is stored as exactly
 * one legacy copy with nothing under `sessions/{id}/`; null when Python must decide (or the
 * database can't be read here). Never writes.
 */
export async function readLegacySession(dbName, storeName, sessionId) {
  if (sessionId.includes("/")) return null; // not an id Python accepts
  let db;
  try {
    db = await openAppDatabase(dbName);
    const { array, record, own } = await readRecords(db, storeName, sessionId);
    if (own > 0) return null; // chunked, or records Python must look at
    const elements = array === undefined ? [] : await elementsWithId(array, sessionId);
    if (elements === null || elements.length + (record ? 1 : 0) !== 1) return null;
    const value = elements.length ? asJson(elements[0]) : await recordValue(record.data);
    const isSession = value !== null && typeof value === "object" && !Array.isArray(value) && value.id === sessionId;
    return isSession ? value : null;
  } catch {
    return null; // an array that does not decode, a text JSON refuses...: Python says what is wrong
  } finally {
    db?.close();
  }
}
