// Types resolve through the package's `exports` under moduleResolution node16 too.
import { loadChunkedMigration, MigrationError, setCodecWorkers, type BatchMigrationResult } from "taskerino-migration";
import taskerinoMigration from "taskerino-migration/vite";
import { generateSessions, readChunkedSession, seedLegacySessions, waitForMigrationReady } from "taskerino-migration/playwright";

const api = loadChunkedMigration({ dbName: "taskerino-db" });
const result: Promise<BatchMigrationResult> = api.runChunkedMigration({ dryRun: true });
const workers: Promise<number> = setCodecWorkers(2);
const error: MigrationError = new MigrationError("x");
const kind: string = error.kind;
const plugin: { name: string } = taskerinoMigration();
const sessions: { id: string }[] = generateSessions(2);
export { result, workers, kind, plugin, sessions, readChunkedSession, seedLegacySessions, waitForMigrationReady };
