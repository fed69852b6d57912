// The elements of an array record's string DATA (GZIP_V1 or JSON text), streamed both ways:
// read through the scanner (web/lib/array-scanner.mjs) and written back re-encoded on the fly,
// so that neither the array's text nor its values are ever held whole. What is held is the
// stored DATA itself, the DATA being written, and the elements in flight.

import { scanArray, slices } from "./array-scanner.mjs";
import { GZIP_PREFIX, GzipWriter, gunzipChunks } from "./gzip-codec.mjs";

function decodeError(key, e) {
  const error = new Error(`${key} cannot be read as a JSON array: ${e?.message ?? e}`);
  error.name = "RecordDecodeError";
  return error;
}

/** The JSON text of string DATA in chunks: gunzipped as it is read, or the text itself in slices. */
const textChunks = (data) => (data.startsWith(GZIP_PREFIX) ? gunzipChunks(data) : slices(data));

/**
 * Each element `{text, value, id, index}` of array DATA `data`, in order; a RecordDecodeError
 * naming `key` when the DATA can't be decoded or is not a whole JSON array — after the elements
 * before the fault, so act only on a scan that has finished.
 */
export async function* scanArrayData(key, data, options = undefined) {
  try {
    yield* scanArray(textChunks(data), options);
  } catch (e) {
    throw decodeError(key, e);
  }
}

/** The `id` of each element of array DATA `data` (undefined for one without a string id), in one scan. */
export async function arrayIds(key, data) {
  const ids = [];
  for await (const { id } of scanArrayData(key, data)) ids.push(id);
  return ids;
}

/** Builds array DATA in `form` ("gzip" | "json") from element texts written one by one. */
class ArrayWriter {
  constructor(form) {
    this.gzip = form === "json" ? null : new GzipWriter();
    this.pieces = [];
    this.count = 0;
  }

  async add(text) {
    const piece = (this.count++ ? "," : "[") + text;
    if (this.gzip) await this.gzip.write(piece);
    else this.pieces.push(piece);
  }

  async close() {
    const end = this.count ? "]" : "[]";
    if (this.gzip) {
      await this.gzip.write(end);
      return this.gzip.close();
    }
    this.pieces.push(end);
    return this.pieces.join("");
  }
}

/**
 * New DATA in `form` for the array in DATA `data` (undefined: none yet): the elements `keep(element)`
 * says to keep, each as its very text, then the texts `more()` returns once the scan is done.
 * `scan`: the scanner's options (ArrayScanner). Throws like scanArrayData, or as keep and more
 * do; then nothing is returned.
 */
export async function rewriteArrayData(key, data, form, keep, more = () => [], scan = undefined) {
  const out = new ArrayWriter(form);
  try {
    if (data !== undefined) {
      for await (const element of scanArrayData(key, data, scan)) if (await keep(element)) await out.add(element.text);
    }
    for (const text of await more()) await out.add(text);
    return await out.close();
  } catch (e) {
    out.gzip?.abort();
    throw e;
  }
}

/**
 * rewriteArrayData for DATA whose elements were scanned and checked before (the very same text)
 * with ids `ids`: `keepId(id)` (synchronous, once per element in order) says which stay. An
 * element is not parsed again, one dropped is never put together as text, and when none stays
 * nothing is read: the array's rewrite at a batch's end drops every session, and reading them
 * all again (a whole gunzip, every element parsed) was the batch's memory peak.
 */
export function rewriteKnownArrayData(key, data, ids, form, keepId) {
  const kept = ids.map(keepId);
  if (!kept.includes(true)) return rewriteArrayData(key, undefined, form, () => false); // nothing to read
  let count = 0;
  const textOf = (index) => {
    if (index >= ids.length) throw new Error(`it has more elements than the ${ids.length} scanned before`);
    return kept[index];
  };
  const keep = ({ text }) => (count++, text !== undefined);
  const checkCount = () => {
    if (count !== ids.length) throw decodeError(key, new Error(`it has ${count} elements, not the ${ids.length} scanned before`));
    return [];
  };
  return rewriteArrayData(key, data, form, keep, checkCount, { parse: false, textOf });
}

const WINDOW = 4; // elements kept after they were scanned: the pipeline asks for two at a time

/**
 * Element i of array DATA `data` on request, read in order by one scan of it: Python asks for
 * them in storage order (two in flight). One asked for behind the scan, and no longer in the
 * window, starts a new scan — slower, never different.
 */
export class ElementCursor {
  constructor(key, data) {
    this.key = key;
    this.data = data;
    this.scan = null;
    this.next = 0; // index of the next element the scan yields
    this.window = new Map(); // index -> element, the last WINDOW scanned
    this.queue = Promise.resolve();
  }

  /** Element `index` as `{text, value, id, index}`; requests run one after another. */
  at(index) {
    const run = this.queue.then(() => this.take(index));
    this.queue = run.catch(() => {});
    return run;
  }

  async take(index) {
    if (this.window.has(index)) {
      const { text, id } = this.window.get(index);
      return { text, value: JSON.parse(text), id, index }; // parsed again, as the scan did
    }
    if (this.scan === null || index < this.next) {
      await this.scan?.return();
      this.scan = scanArrayData(this.key, this.data);
      this.next = 0;
    }
    for (;;) {
      const step = await this.scan.next();
      if (step.done) throw decodeError(this.key, new Error(`it has no element ${index}`));
      this.next++;
      // The window keeps texts, not values: a value held this long outlives the young
      // generation, and every session's would then wait for a full collection.
      const { text, id } = step.value;
      this.window.set(step.value.index, { text, id });
      if (this.window.size > WINDOW) this.window.delete(this.window.keys().next().value);
      if (step.value.index === index) return step.value;
    }
  }

  async close() {
    await this.queue;
    await this.scan?.return();
    this.scan = null;
    this.window.clear();
  }
}
