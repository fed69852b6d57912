// loadSession's on-demand migration without waiting for Python (docs/design.md, "On-demand
// loading"): a legacy session is answered as soon as JS has read it (legacy-read.mjs, only where
// that can't differ from Python's answer), then migrated in the worker as migrateSingleSession
// does, under the same locks; anything else is Python's to load (migrating it first).

let reader = null;
let reading = 0; // loadSession reads in JS running now, on this page
let whenIdle = []; // resolvers of bootAfterReads waiting for them

/**
 * Resolves once the task that called it has ended and no loadSession read is running in JS, or
 * `limit` ms later at most. The migration worker starts after it: its start, then Python's boot
 * (which compiles wasm on every core), would slow the read of the session a user has just opened
 * (docs/design.md, "On-demand loading").
 */
export function bootAfterReads(limit = 1000) {
  return new Promise((resolve) => nextTask(() => {
    if (reading === 0) return resolve();
    whenIdle.push(resolve);
    setTimeout(resolve, limit);
  }));
}

/** `run` in a task of its own, soon: a message, which (unlike a timer) a hidden tab does not delay. */
function nextTask(run) {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => (channel.port1.close(), run());
  channel.port2.postMessage(null);
}

/** A read in JS runs `read()`: counted while it runs, so bootAfterReads waits for it. */
async function counted(read) {
  reading++;
  try {
    return await read();
  } finally {
    if (--reading === 0) for (const resolve of whenIdle.splice(0)) resolve();
  }
}

/**
 * The reader (legacy-read.mjs), loaded once per page beside the boot, not at the first call.
 * Every module it imports is asked for at once: served unbundled, each level of imports would
 * otherwise cost a round trip before the next is even requested (tests/test_js_contract.py
 * checks this list is its imports, all of them).
 */
export function readerModule() {
  if (reader) return reader;
  reader = import("./legacy-read.mjs");
  const imports = [import("./app-database.mjs"), import("./array-data.mjs"), import("./array-scanner.mjs"),
    import("./data-forms.mjs"), import("./gzip-codec.mjs"), import("./idb.mjs"), import("./platform.mjs"),
    import("./session-keys.mjs")];
  for (const promise of [reader, ...imports]) promise.catch(() => {}); // awaited (reader) or only warming
  return reader;
}

/**
 * The migrations loadSession starts after answering from JS: `start(id)` runs `migrate(id)` (a
 * SessionMigrationResult), `settled()` resolves once all started so far have finished. A failed
 * one changed nothing (the legacy copy stays, the next load or batch retries); `log` prints it.
 */
export function onDemandMigrations(migrate, log) {
  let running = [];
  const failed = (sessionId, error) => {
    if (log) console.warn(`loadSession(${sessionId}): the migration that followed failed: ${error}`);
  };
  return {
    start(sessionId) {
      running.push(migrate(sessionId).then((result) => {
        if (result.error) failed(sessionId, result.error);
        return result;
      }, (e) => {
        failed(sessionId, e.message);
        return { sessionId, success: false, error: e.message };
      }));
    },
    async settled() {
      if (running.length === 0) return [];
      const now = running;
      const results = await Promise.all(now);
      running = running.filter((r) => !now.includes(r));
      return results;
    },
  };
}

/**
 * loadSession(sessionId) answered from JS where it can be: `load` is Python's loadSession (which
 * checks the argument); `migrations` (onDemandMigrations) migrates what JS answered.
 */
export function onDemandLoad({ dbName, storeName, load, migrations }) {
  const legacyRead = readerModule();
  return async (sessionId) => {
    if (typeof sessionId !== "string" || sessionId === "") return load(sessionId); // Python's check refuses it
    const session = await counted(async () => {
      const found = await legacyRead.catch(() => null); // without the reader, Python answers alone
      return found && found.readLegacySession(dbName, storeName, sessionId);
    });
    if (!session) return load(sessionId);
    migrations.start(sessionId);
    return session;
  };
}
