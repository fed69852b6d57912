// Taskerino's database as the app creates it: version 1 (never bumped: the app opens version 1),
// stores `collections` and `backups`. Opened by the bridge (bridge.mjs) and by loadSession's
// first read on the page's thread (legacy-read.mjs), so both create exactly what the app would.

import { openDatabase } from "./idb.mjs";

const DB_VERSION = 1;

/** Create what the app would, when the database does not exist yet. */
function createAppStores(db) {
  if (!db.objectStoreNames.contains("collections")) {
    db.createObjectStore("collections", { keyPath: "name" }).createIndex("timestamp", "timestamp");
  }
  if (!db.objectStoreNames.contains("backups")) db.createObjectStore("backups", { keyPath: "id" });
}

/** Open (or create, as the app would) Taskerino's database `name`. */
export const openAppDatabase = (name) => openDatabase(name, DB_VERSION, createAppStores);
