// Locks across tabs for a browser without Web Locks (navigator.locks): a lease record per lock
// name in an IndexedDB database of its own. Taking a lease is one readwrite transaction (read
// the record; write ours only if there is none or it has expired), and IndexedDB runs
// readwrite transactions on one store one at a time, so two tabs can't both take it. The
// holder renews its lease while it holds it; a tab that closes or crashes without releasing
// blocks the name until its lease expires. The cost, said in the status (platform.mjs limits):
// a tab frozen longer than a lease loses it.

const DB_NAME = "taskerino-migration-locks";
const STORE = "leases";
export const LEASE_MS = 30_000;
const RENEW_MS = 5_000;
const POLL_MS = 200; // how often a waiting request tries again

let opened = null;

function openLeases() {
  opened ??= openWithStore().catch((e) => {
    opened = null; // retried by the next request
    throw e;
  });
  return opened;
}

/**
 * The leases database with its store. Opened at whatever version it has: another opener (a
 * devtools user, a test polling it) may have created it empty first; then it is upgraded once
 * more to add the store, instead of failing every lease with NotFoundError.
 */
function openWithStore(version = undefined) {
  return new Promise((resolve, reject) => {
    const request = version === undefined ? indexedDB.open(DB_NAME) : indexedDB.open(DB_NAME, version);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE, { keyPath: "name" });
    };
    request.onsuccess = () => {
      const db = request.result;
      db.onversionchange = () => { // another tab adds the store: step aside, reopen on next use
        db.close();
        opened = null;
      };
      if (db.objectStoreNames.contains(STORE)) return resolve(db);
      db.close();
      resolve(openWithStore(db.version + 1));
    };
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error(`database ${DB_NAME} is blocked by another tab`));
  });
}

/**
 * In one transaction: read `name`'s lease and, when `decide(lease, now)` returns a record,
 * write it (or delete the lease for `null`). Resolves to whether anything was written.
 */
async function update(name, decide) {
  const db = await openLeases();
  const tx = db.transaction(STORE, "readwrite");
  const store = tx.objectStore(STORE);
  let changed = false;
  store.get(name).onsuccess = (event) => {
    const next = decide(event.target.result, Date.now());
    if (next === undefined) return;
    changed = true;
    if (next === null) store.delete(name);
    else store.put(next);
  };
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onabort = () => reject(tx.error ?? new Error("lease transaction aborted"));
  });
  return changed;
}

function ownerId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const take = (name, owner) => update(name, (lease, now) =>
  (!lease || lease.expires <= now ? { name, owner, expires: now + LEASE_MS } : undefined));

const renew = (name, owner) => update(name, (lease, now) =>
  (lease?.owner === owner ? { name, owner, expires: now + LEASE_MS } : undefined));

const drop = (name, owner) => update(name, (lease) => (lease?.owner === owner ? null : undefined));

/**
 * Take the lease `name`, waiting until it is free (or, with `ifAvailable`, resolving to
 * undefined at once when another holder has it). Resolves to `{release()}`, like the Web
 * Locks path of the bridge.
 */
export async function acquireLease(name, ifAvailable = false) {
  const owner = ownerId();
  while (!(await take(name, owner))) {
    if (ifAvailable) return undefined;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const timer = setInterval(() => renew(name, owner).catch(() => {}), RENEW_MS);
  return {
    release() {
      clearInterval(timer);
      return drop(name, owner).then(() => undefined);
    },
  };
}
