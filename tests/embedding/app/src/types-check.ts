// Compile-time checks of the package's types (tsc --noEmit): real option and result types.
import { loadChunkedMigration, MigrationError, setCodecWorkers, type MigrationErrorKind } from "taskerino-migration";

export async function typeChecks(): Promise<void> {
  const api = loadChunkedMigration({ dbName: "taskerino-db", log: false });
  // @ts-expect-error a misspelt option is a compile error, so the types can't be `any`
  loadChunkedMigration({ dbname: "taskerino-db" });
  // @ts-expect-error so is a misspelt migration option
  await api.runChunkedMigration({ dryrun: true });
  const result = await api.runChunkedMigration({ dryRun: true, onProgress: (message: string, percent: number) => void [message, percent] });
  const migrated: number = result.migrated;
  // @ts-expect-error results are typed too
  const wrong: string = result.migrated;
  const before: number = await setCodecWorkers(0);
  const kind: MigrationErrorKind = new MigrationError("x").kind;
  void [migrated, wrong, before, kind];
}
