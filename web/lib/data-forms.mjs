// The DATA forms of a record of the app's `collections` store: "GZIP_V1:" + base64(gzip(JSON)),
// a JSON string, or (old data) the raw structured-clone value — decoded to JSON text and
// encoded from it. storage/codec.py is the same rule in Python (docs/design.md, "Raw legacy
// data"). Asynchronously (gzip on codec workers where a core is spare: codec-pool.mjs), and
// synchronously for the guarded write's last attempt (compare-and-swap.mjs), through the
// synchronous codec the migration worker sets (Python's zlib and hashlib: setSyncCodec).

import { ArrayScanner } from "./array-scanner.mjs";
import { GZIP_PREFIX, fromBase64, toBase64 } from "./gzip-codec.mjs";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

let workerCount; // undefined: the pool's default
let codecPool = null;

/** The codec pool, imported on first use so the page's globals don't wait for it. */
function pool() {
  codecPool ??= import("./codec-pool.mjs").then(({ CodecPool }) => new CodecPool(workerCount), (e) => {
    codecPool = null; // a failed load is retried by the next call, not kept
    throw e;
  });
  return codecPool;
}

/**
 * How many codec workers gzip runs on (0: in this realm). The default: none on 2 cores or
 * fewer, else cores - 1, at most 3. Resolves to how many were running before.
 */
export async function setCodecWorkers(count) {
  const running = codecPool && (await codecPool);
  const before = running ? running.running : 0;
  running?.terminate();
  workerCount = count;
  codecPool = null;
  return before;
}

let syncCodec = null; // {gzip(bytes) -> bytes, gunzip(bytes) -> bytes, sha256(text) -> hex}

/** The synchronous codec of this realm (the migration worker sets Python's). */
export function setSyncCodec(codec) {
  syncCodec = codec;
}

/** The synchronous codec; a clear Error where none was set. */
export function requireSyncCodec() {
  if (!syncCodec) throw new Error("no synchronous codec was set in this realm (setSyncCodec): the guarded write's last attempt needs one");
  return syncCodec;
}

/** DATA for a JSON text in `form` ("gzip" | "json"). */
export async function encodeText(text, form) {
  return form === "json" ? text : (await pool()).gzip(text);
}

/** encodeText, synchronously. */
export function encodeTextSync(text, form) {
  if (form === "json") return text;
  return GZIP_PREFIX + toBase64(requireSyncCodec().gzip(new TextEncoder().encode(text)));
}

/**
 * DATA → its JSON text; `{text, absent}` for raw data with properties read as absent (see
 * jsonView); or `{error}` naming what is wrong. Never guesses, never repairs.
 */
export async function decodeData(data) {
  if (typeof data !== "string") return rawView(data);
  return data.startsWith(GZIP_PREFIX) ? (await pool()).gunzip(data) : data;
}

/** decodeData, synchronously. */
export function decodeDataSync(data) {
  if (typeof data !== "string") return rawView(data);
  if (!data.startsWith(GZIP_PREFIX)) return data;
  try {
    return strictUtf8.decode(requireSyncCodec().gunzip(fromBase64(data.slice(GZIP_PREFIX.length))));
  } catch (e) {
    return { error: `GZIP_V1 payload is not a complete gzip stream of UTF-8 text (${e.message})` };
  }
}

function rawView(data) {
  const view = jsonView(data);
  if (view.error) return { error: `raw stored value is not JSON: ${view.error}` };
  return view.absent.length ? view : view.text;
}

/** The elements `{text, value}` of the array in string DATA `data`, synchronously; throws when it is not one. */
export function arrayElementsSync(data) {
  const text = decodeDataSync(data);
  if (typeof text !== "string") throw new Error(text.error);
  const scanner = new ArrayScanner();
  const elements = [...scanner.push(text)];
  scanner.end();
  return elements;
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
function nonJsonPath(value, path, absent) {
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
      const bad = v === undefined ? void absent.push(inner) : nonJsonPath(v, inner, absent);
      if (bad) return bad;
    }
    return null;
  }
  const kind = value === undefined ? "undefined" : (value?.constructor?.name ?? typeof value);
  return `${path || "value"} is ${kind}`;
}

/**
 * True when two stored DATA values are the same: strings by value, raw (structured-clone)
 * values by structure — so a compare-and-swap sees any change, also to a value JSON can't hold
 * (a Date, an `undefined` property) or to one JSON would flatten (a Date against its string).
 */
export function sameData(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const kind = Object.prototype.toString.call(a);
  if (kind !== Object.prototype.toString.call(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date) return Object.is(a.getTime(), b.getTime());
  if (a instanceof RegExp) return a.source === b.source && a.flags === b.flags;
  if (a instanceof Map || a instanceof Set) {
    if (a.size !== b.size) return false;
    const bs = [...b.entries()];
    return [...a.entries()].every(([k, v], i) => sameData(k, bs[i][0]) && sameData(v, bs[i][1]));
  }
  if (ArrayBuffer.isView(a) || a instanceof ArrayBuffer) return sameBytes(a, b);
  if (a instanceof Blob) return false; // can't be compared at once: taken as changed
  const keys = Reflect.ownKeys(a);
  if (keys.length !== Reflect.ownKeys(b).length) return false;
  return keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameData(a[k], b[k]));
}

function sameBytes(a, b) {
  const x = new Uint8Array(a.buffer ?? a, a.byteOffset ?? 0, a.byteLength);
  const y = new Uint8Array(b.buffer ?? b, b.byteOffset ?? 0, b.byteLength);
  return x.length === y.length && x.every((byte, i) => byte === y[i]);
}
