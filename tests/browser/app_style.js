// Taskerino's own IndexedDB adapter, reimplemented independently of web/lib/bridge.mjs
// (atob/btoa, its own transactions), so tests can write records as the app writes them and
// read ours back as the app reads them. Installed as an init script: globalThis.appStore (the
// storage contract also installs it in the migration worker, where Python runs).
(() => {
  const open = (db) => new Promise((resolve, reject) => {
    const req = indexedDB.open(db, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore("collections", { keyPath: "name" }).createIndex("timestamp", "timestamp");
      req.result.createObjectStore("backups", { keyPath: "id" });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const request = (db, mode, fn) => open(db).then((conn) => new Promise((resolve, reject) => {
    const tx = conn.transaction("collections", mode);
    const req = fn(tx.objectStore("collections"));
    tx.oncomplete = () => { conn.close(); resolve(req.result); };
    tx.onabort = () => { conn.close(); reject(tx.error); };
  }));
  const pipe = async (bytes, stream) =>
    new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(stream)).arrayBuffer());
  const gzip = async (text) => {
    const bytes = await pipe(new TextEncoder().encode(text), new CompressionStream("gzip"));
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return "GZIP_V1:" + btoa(binary);
  };
  const gunzip = async (data) => {
    const binary = atob(data.slice(8));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder().decode(await pipe(bytes, new DecompressionStream("gzip")));
  };
  const put = (db, name, data) => request(db, "readwrite", (s) => s.put({ name, data, timestamp: Date.now() }));

  globalThis.appStore = {
    /** Save like the app: form "gzip" (default), "json", or "object" (old raw data). */
    async save(db, key, jsonText, form = "gzip") {
      const data = form === "gzip" ? await gzip(jsonText) : form === "json" ? jsonText : JSON.parse(jsonText);
      await put(db, key, data);
    },
    async saveValue(db, key, value) { await put(db, key, value); },
    async saveRawText(db, key, text) { await put(db, key, text); },
    /** Load like the app; returns JSON text (or undefined when absent). */
    async load(db, key) {
      const record = await request(db, "readonly", (s) => s.get(key));
      if (record === undefined) return undefined;
      const { data } = record;
      const value = typeof data !== "string" ? data : data.startsWith("GZIP_V1:") ? JSON.parse(await gunzip(data)) : JSON.parse(data);
      return JSON.stringify(value);
    },
    async record(db, key) { return request(db, "readonly", (s) => s.get(key)); },
    async keys(db) { return request(db, "readonly", (s) => s.getAllKeys()); },
  };
})();
