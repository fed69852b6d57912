import react from "@vitejs/plugin-react";
import taskerinoMigration from "taskerino-migration/vite";
import { defineConfig } from "vite";

// Exactly what the README asks of an app: the plugin line, nothing else.
export default defineConfig({ plugins: [react(), taskerinoMigration()] });
