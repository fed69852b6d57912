// taskerino-migration/vite: a Vite plugin that serves the migration's Pyodide bundle (runtime,
// wheels, lock file) beside the app, in dev, build and preview, with no other configuration:
//
//   import taskerinoMigration from "taskerino-migration/vite";
//   export default defineConfig({ plugins: [react(), taskerinoMigration()] });
//
// Why each part is needed (a bundled app has no folder layout to rely on):
// - the bundle's files are emitted unhashed under `<base>taskerino-migration/` (Pyodide finds
//   its own files by name, beside pyodide.mjs) and served from the package in dev;
// - the client's default bundle URL is rewritten to that folder: once bundled, its
//   import.meta.url points at /assets/, not at the package;
// - the package is kept out of the dev dependency optimizer, which would break import.meta.url;
// - workers are built as ES modules: the migration worker imports modules and starts workers.
import { createReadStream, readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";

const BUNDLE_DIR = fileURLToPath(new URL("./build/pyodide/", import.meta.url));
const CLIENT = fileURLToPath(new URL("./lib/taskerino-migration.mjs", import.meta.url));
const MARKER = "const BUNDLED_INDEX_URL = undefined;";
const TYPES = { ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json", ".zip": "application/zip", ".whl": "application/zip" };

/** @param {{ folder?: string }} [options] where the bundle goes under the app's base (default "taskerino-migration/") */
export default function taskerinoMigration({ folder = "taskerino-migration/" } = {}) {
  const dir = folder.replace(/^\/+|\/+$/g, "") + "/";
  const files = readdirSync(BUNDLE_DIR).filter((name) => extname(name) in TYPES);
  let base = "/";
  return {
    name: "taskerino-migration",
    enforce: "pre", // before Vite's own handling of `new URL(…, import.meta.url)`
    config() {
      return { optimizeDeps: { exclude: ["taskerino-migration"] }, worker: { format: "es" } };
    },
    configResolved(config) {
      base = config.base;
    },
    transform(code, id) {
      if (id.split("?")[0] !== CLIENT) return null;
      if (!code.includes(MARKER)) this.error(`taskerino-migration: ${CLIENT} has no "${MARKER}" line to point at the bundle`);
      return { code: code.replace(MARKER, `const BUNDLED_INDEX_URL = ${JSON.stringify(base + dir)};`), map: null };
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = decodeURIComponent((req.url ?? "").split("?")[0]);
        if (!path.startsWith(base + dir)) return next();
        const name = path.slice((base + dir).length);
        if (!files.includes(name) || !["GET", "HEAD"].includes(req.method)) {
          res.statusCode = 404; // not the SPA fallback: a missing file must look missing
          return res.end(`taskerino-migration: no file ${name} in the bundle`);
        }
        res.setHeader("Content-Type", TYPES[extname(name)]);
        if (req.method === "HEAD") return res.end();
        createReadStream(join(BUNDLE_DIR, name)).pipe(res);
      });
    },
    generateBundle() {
      for (const name of files) this.emitFile({ type: "asset", fileName: dir + name, source: readFileSync(join(BUNDLE_DIR, name)) });
    },
  };
}
