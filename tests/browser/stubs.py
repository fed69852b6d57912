"""Optional platform APIs taken away in real Chromium, to prove each fallback (web/lib/platform.mjs).

The deletions run inside the page's workers (where the migration uses these APIs) before any of
our modules: the worker scripts are served with a first import of a module that deletes them
(a module's imports run in order, before its own code). Routed per page, so another page of the
same context shares the database with every API present."""
from __future__ import annotations

# Each as another engine lacks it: WebKitGTK has no navigator.storage; only Chromium has the
# transaction's durability; and so on. Deleted from the prototypes, so `in` says absent too.
REMOVE = {
    "storageEstimate": "delete Object.getPrototypeOf(navigator).storage;",
    "webLocks": "delete Object.getPrototypeOf(navigator).locks;",
    "compressionStreams": "delete globalThis.CompressionStream; delete globalThis.DecompressionStream;",
    "hardwareConcurrency": "delete Object.getPrototypeOf(navigator).hardwareConcurrency;",
    # An engine without the option would ignore it; this one refuses it, so a use would show.
    "strictDurability": """delete IDBTransaction.prototype.durability;
const transaction = IDBDatabase.prototype.transaction;
IDBDatabase.prototype.transaction = function (names, mode, options) {
  if (options && "durability" in options) throw new TypeError("durability is not supported here (stub)");
  return options === undefined ? transaction.call(this, names, mode) : transaction.call(this, names, mode, options);
};""",
    "base64": "delete Uint8Array.fromBase64; delete Uint8Array.prototype.toBase64;",
    "hex": "delete Uint8Array.prototype.toHex;",
}
WORKERS = ("**/lib/migration-worker.mjs", "**/lib/codec-worker.mjs")


def remove_in_workers(page, names) -> None:
    code = "\n".join(REMOVE[name] for name in names) + "\nglobalThis.__removedApis = %r;\n" % sorted(names)
    page.route("**/__remove-apis.mjs", lambda route: route.fulfill(body=code, content_type="text/javascript"))

    def prefixed(route):
        response = route.fetch()
        route.fulfill(response=response, body='import "/__remove-apis.mjs";\n' + response.text())

    for pattern in WORKERS:
        page.route(pattern, prefixed)
