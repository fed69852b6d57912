// Feature detection of every optional platform API the migration uses (docs/design.md,
// "Feature detection"). Detected once per realm, at first use, never assumed: Taskerino runs
// in Chromium, WebKit (Safari, Tauri's WKWebView and WebKitGTK) and Firefox, and each lacks
// some of these. Every use site asks here and has a fallback; a missing API that weakens a
// guarantee is reported by `limits()` (the status's `problems`, and the console).

/** What this realm (a worker or a page) offers; true means "present and usable as we call it". */
export function detectFeatures(scope = globalThis) {
  const nav = scope.navigator;
  const u8 = scope.Uint8Array;
  return {
    storageEstimate: typeof nav?.storage?.estimate === "function",
    // An engine without it ignores the option (an unknown dictionary member): detected so the
    // status can say the browser's default durability applies, and the option is not sent.
    strictDurability: typeof scope.IDBTransaction === "function" && "durability" in scope.IDBTransaction.prototype,
    webLocks: typeof nav?.locks?.request === "function",
    compressionStreams: typeof scope.CompressionStream === "function" && typeof scope.DecompressionStream === "function",
    hardwareConcurrency: Number.isInteger(nav?.hardwareConcurrency) && nav.hardwareConcurrency > 0,
    base64: typeof u8?.fromBase64 === "function" && typeof u8?.prototype?.toBase64 === "function",
    hex: typeof u8?.prototype?.toHex === "function",
  };
}

let detected = null;

/** This realm's features, detected on first call. */
export function features() {
  detected ??= detectFeatures();
  return detected;
}

// What each missing API costs, in the words the status and the console print. Only the APIs a
// guarantee depends on are here; the others have exact fallbacks that cost only speed.
const LIMITS = {
  storageEstimate: "This browser has no navigator.storage.estimate(): free space is not checked before each " +
    "session's write. A write the browser refuses for space (QuotaExceededError) still writes nothing and " +
    "stops the batch cleanly; nothing is lost.",
  strictDurability: "This browser has no IndexedDB durability \"strict\": writes use its default durability, so " +
    "a power cut just after a write may undo it. Keep the machine powered during a migration.",
  webLocks: "This browser has no Web Locks (navigator.locks): one migration at a time across tabs is kept by a " +
    "lease record in IndexedDB (database taskerino-migration-locks) instead. A tab that is frozen or closed " +
    "mid-batch keeps its lease for up to 30 s, and a tab frozen longer than that loses it.",
};

/** One line per missing API that weakens a guarantee (empty where none is missing). */
export function limits(found = features()) {
  return Object.keys(LIMITS).filter((name) => !found[name]).map((name) => LIMITS[name]);
}

// The APIs without which nothing can run: checked at the worker's boot, so their absence is
// one clear error naming them, not a TypeError later.
export function missingRequired(scope = globalThis) {
  const required = {
    WebAssembly: typeof scope.WebAssembly === "object",
    indexedDB: typeof scope.indexedDB === "object" && scope.indexedDB !== null,
    "crypto.subtle": typeof scope.crypto?.subtle?.digest === "function",
    TextEncoder: typeof scope.TextEncoder === "function",
    TextDecoder: typeof scope.TextDecoder === "function",
  };
  return Object.keys(required).filter((name) => !required[name]);
}
