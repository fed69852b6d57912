import type { Plugin } from "vite";

export interface TaskerinoMigrationPluginOptions {
  /** Folder under the app's `base` where the Pyodide bundle is served and emitted (default "taskerino-migration/"). */
  folder?: string;
}

/** The Vite plugin: serves and emits the migration's Pyodide bundle, in dev, build and preview. */
export default function taskerinoMigration(options?: TaskerinoMigrationPluginOptions): Plugin;
