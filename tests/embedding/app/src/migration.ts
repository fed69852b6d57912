// The app's one loader, started on first use (as Taskerino would, from its storage layer).
import { loadChunkedMigration, type ChunkedMigrationApi } from "taskerino-migration";

let migration: ChunkedMigrationApi | null = null;

export function getMigration(): ChunkedMigrationApi {
  const params = new URLSearchParams(globalThis.location?.search ?? "");
  migration ??= loadChunkedMigration({
    dbName: params.get("db") ?? "taskerino-db",
    installGlobals: true, // the five console functions, for support sessions
    indexURL: params.get("indexURL") ?? undefined,
  });
  return migration;
}
