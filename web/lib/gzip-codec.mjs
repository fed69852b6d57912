// GZIP_V1 DATA <-> JSON text, natively (CompressionStream): the one implementation, used by the
// codec workers (web/codec-worker.mjs) and, where no worker can start, by the bridge itself.

export const GZIP_PREFIX = "GZIP_V1:";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

async function streamThrough(bytes, transform) {
  // Written straight into the transform: going through a Blob costs an IPC round trip per
  // record (measured ~10x slower for the small records, 2.5x for a 200 KB chunk). Errors
  // (a broken gzip stream) surface on the readable side, so the writer's are dropped here.
  const writer = transform.writable.getWriter();
  writer.write(bytes).catch(() => {});
  writer.close().catch(() => {});
  return new Uint8Array(await new Response(transform.readable).arrayBuffer());
}

/** GZIP_V1 DATA for a JSON text, like the app's fflate writes (any gzip decoder reads it). */
export async function gzipText(text) {
  const packed = await streamThrough(new TextEncoder().encode(text), new CompressionStream("gzip"));
  return GZIP_PREFIX + packed.toBase64();
}

/** The JSON text of GZIP_V1 DATA, or `{error}` naming what is wrong. Never guesses, never repairs. */
export async function gunzipData(data) {
  let packed;
  try {
    packed = Uint8Array.fromBase64(data.slice(GZIP_PREFIX.length));
  } catch (e) {
    return { error: `GZIP_V1 payload is not valid base64 (${e.message})` };
  }
  try {
    return strictUtf8.decode(await streamThrough(packed, new DecompressionStream("gzip")));
  } catch (e) {
    return { error: `GZIP_V1 payload is not a complete gzip stream of UTF-8 text (${e.message})` };
  }
}
