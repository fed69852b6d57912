// GZIP_V1 DATA <-> JSON text: the one implementation, used by the codec workers
// (web/lib/codec-worker.mjs) and, where no worker runs, by the bridge itself. Natively
// (CompressionStream) where the browser has it; else through the fallback the migration worker
// gives (`setFallbackGzip`: Python's zlib in Pyodide). Either way the bytes are a standard gzip
// member, which the app's fflate and every DecompressionStream read.

import { features } from "./platform.mjs";

export const GZIP_PREFIX = "GZIP_V1:";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

let fallback = null; // {gzip(bytes) -> bytes, gunzip(bytes) -> bytes} (may return promises)

/** Gzip for a realm without CompressionStream (the migration worker sets Python's zlib here). */
export function setFallbackGzip(codec) {
  fallback = codec;
}

async function streamThrough(bytes, transform) {
  // Written straight into the transform: going through a Blob costs an IPC round trip per
  // record (measured ~10x slower for the small records, 2.5x for a 200 KB chunk). Errors
  // (a broken gzip stream) surface on the readable side, so the writer's are dropped here.
  const writer = transform.writable.getWriter();
  writer.write(bytes).catch(() => {});
  writer.close().catch(() => {});
  return new Uint8Array(await new Response(transform.readable).arrayBuffer());
}

function noGzip() {
  return new Error("this browser has no CompressionStream and no gzip fallback was set (setFallbackGzip)");
}

async function compress(bytes) {
  if (features().compressionStreams) return streamThrough(bytes, new CompressionStream("gzip"));
  if (fallback) return fallback.gzip(bytes);
  throw noGzip();
}

async function decompress(bytes) {
  if (features().compressionStreams) return streamThrough(bytes, new DecompressionStream("gzip"));
  if (fallback) return fallback.gunzip(bytes);
  throw noGzip();
}

// Base64 through btoa/atob where Uint8Array.toBase64/fromBase64 are missing (new in 2025).
// Both refuse a character outside the alphabet and take missing padding alike.
const CHUNK = 0x8000;

export function toBase64(bytes) {
  if (features().base64) return bytes.toBase64();
  let binary = "";
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

export function fromBase64(text) {
  if (features().base64) return Uint8Array.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** GZIP_V1 DATA for a JSON text, like the app's fflate writes (any gzip decoder reads it). */
export async function gzipText(text) {
  return GZIP_PREFIX + toBase64(await compress(new TextEncoder().encode(text)));
}

/** The JSON text of GZIP_V1 DATA, or `{error}` naming what is wrong. Never guesses, never repairs. */
export async function gunzipData(data) {
  let packed;
  try {
    packed = fromBase64(data.slice(GZIP_PREFIX.length));
  } catch (e) {
    return { error: `GZIP_V1 payload is not valid base64 (${e.message})` };
  }
  try {
    return strictUtf8.decode(await decompress(packed));
  } catch (e) {
    return { error: `GZIP_V1 payload is not a complete gzip stream of UTF-8 text (${e.message})` };
  }
}

// ---- streamed: for the `sessions` array, whose text must never be held whole (docs/design.md).
// Without CompressionStream the fallback gzips and gunzips whole payloads: correct, not bounded.

const BASE64_SLICE = 1 << 20; // characters of base64 decoded at a time (a multiple of 4)

/** The bytes of a base64 payload, a slice at a time (whole when it holds whitespace, which breaks slicing). */
function* base64Slices(payload) {
  if (/\s/.test(payload)) {
    yield fromBase64(payload);
    return;
  }
  for (let i = 0; i < payload.length; i += BASE64_SLICE) yield fromBase64(payload.slice(i, i + BASE64_SLICE));
}

/**
 * The JSON text of GZIP_V1 DATA in chunks, decompressed as they are read. Throws (after the
 * chunks before it) when the payload is not base64, not a complete gzip stream, or not UTF-8:
 * a reader acts only once it has read to the end.
 */
export async function* gunzipChunks(data) {
  if (!features().compressionStreams) { // the fallback (Python's zlib) takes the payload whole
    const text = await gunzipData(data);
    if (typeof text !== "string") throw new Error(text.error);
    yield text;
    return;
  }
  const bytes = base64Slices(data.slice(GZIP_PREFIX.length));
  const source = new ReadableStream({
    pull(controller) {
      let next;
      try {
        next = bytes.next();
      } catch (e) {
        throw new Error(`GZIP_V1 payload is not valid base64 (${e.message})`);
      }
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  }, { highWaterMark: 0 });
  const reader = source.pipeThrough(new DecompressionStream("gzip"))
    .pipeThrough(new TextDecoderStream("utf-8", { fatal: true })).getReader();
  try {
    for (;;) {
      let step;
      try {
        step = await reader.read();
      } catch (e) {
        throw new Error(e.message.startsWith("GZIP_V1") ? e.message
          : `GZIP_V1 payload is not a complete gzip stream of UTF-8 text (${e.message})`);
      }
      if (step.done) return;
      yield step.value;
    }
  } finally {
    reader.cancel().catch(() => {}); // a reader that stops early frees the stream
  }
}

/** Builds GZIP_V1 DATA from text written piece by piece, compressed as it comes. */
export class GzipWriter {
  constructor() {
    if (!features().compressionStreams) { // the fallback (Python's zlib) takes the text whole
      this.pieces = [];
      return;
    }
    const stream = new CompressionStream("gzip");
    this.writer = stream.writable.getWriter();
    this.encoder = new TextEncoder();
    this.packed = new Response(stream.readable).arrayBuffer(); // drained as it is written
  }

  async write(text) {
    if (this.pieces) return void this.pieces.push(text);
    await this.writer.ready;
    await this.writer.write(this.encoder.encode(text));
  }

  /** The DATA of everything written. */
  async close() {
    if (this.pieces) return gzipText(this.pieces.join(""));
    await this.writer.close();
    return GZIP_PREFIX + toBase64(new Uint8Array(await this.packed));
  }

  abort() {
    if (this.pieces) return void (this.pieces = []);
    this.writer.abort().catch(() => {});
    this.packed.catch(() => {});
  }
}
