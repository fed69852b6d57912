// Compare-and-swap writes: a write computed from records as read commits only if those records
// are still exactly as read, so another writer's change to them (the app's `sessions` array,
// the `session-index`) is never lost (docs/design.md, invariant 7).
//
// The new DATA is prepared first, outside any transaction (reads, gunzip, gzip: async work),
// then written in one short readwrite transaction that reads the guarded records again and
// writes only when each is unchanged (`readThenWrite`): nothing is awaited while it is open.
// After a conflict it is prepared again. An app that writes the same record again and again
// can win every such race; so after OPTIMISTIC_ATTEMPTS conflicts one last attempt holds the
// store for synchronous work only: inside its transaction, a record found changed is prepared
// again by `change.prepareSync` (the synchronous codec: Python's zlib) from the DATA just read
// there, and written at once; no other writer can come between, so it cannot conflict.

import { getValues, readThenWrite } from "./idb.mjs";
import { sameData } from "./data-forms.mjs";

const OPTIMISTIC_ATTEMPTS = 4;
const CONFLICT = Symbol("conflict");

/** How many writes this realm made, and how many of them needed the held last attempt (observed by tests). */
export const swapCounts = { writes: 0, held: 0 };

/**
 * Write `change` without losing another writer's work; resolves to its prepared `result`.
 * `change.guarded`: the keys it reads and may rewrite. `change.prepare(current)`: from the DATA
 * of each guarded key (a Map; undefined: absent) the writes, async: `{puts: [[key, DATA]],
 * deletes: [keys], result}`. `change.prepareSync(current)`: the same, synchronously.
 */
export async function compareAndSwap(db, storeName, change) {
  swapCounts.writes++;
  for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
    // After a conflict, back off a random while (up to 2^attempt ms): a busy writer gets ahead.
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** attempt));
    const read = await readCurrent(db, storeName, change.guarded);
    const writes = await change.prepare(read);
    const outcome = await readThenWrite(db, storeName, change.guarded, (store, values) =>
      unchanged(change.guarded, read, values) ? issue(store, writes) : CONFLICT);
    if (outcome !== CONFLICT) return outcome;
  }
  swapCounts.held++;
  const read = await readCurrent(db, storeName, change.guarded);
  const prepared = await change.prepare(read);
  return readThenWrite(db, storeName, change.guarded, (store, values) => issue(store,
    unchanged(change.guarded, read, values) ? prepared : change.prepareSync(currentOf(change.guarded, values))));
}

/** The DATA of each of `keys` now (a Map; undefined: absent), from one readonly transaction. */
const readCurrent = async (db, storeName, keys) => currentOf(keys, keys.length ? await getValues(db, storeName, keys) : []);

const currentOf = (keys, values) => new Map(keys.map((key, i) => [key, values[i]?.data]));

const unchanged = (keys, read, values) => keys.every((key, i) => sameData(values[i]?.data, read.get(key)));

/** Deletes, then puts, with one timestamp; resolves the write's result. */
function issue(store, { puts = [], deletes = [], result }) {
  const timestamp = Date.now();
  for (const key of deletes) store.delete(key);
  for (const [name, data] of puts) store.put({ name, data, timestamp });
  return result;
}
