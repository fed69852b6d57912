// The migration page: start Python in the background, install the console globals at once,
// then drive the same five functions the console has from buttons. Rendering is in page.mjs.
//
//   index.html?db=NAME   work on IndexedDB database NAME (default taskerino-db)
//   index.html?demo=N    when that database holds no sessions, fill it with N generated ones
import { loadChunkedMigration } from "../lib/taskerino-migration.mjs";
import * as ui from "./page.mjs";

const params = new URLSearchParams(location.search);
const api = loadChunkedMigration({ dbName: params.get("db") || "taskerino-db", installGlobals: true, log: true });
api.timings.globalsInstalled = performance.now();

const $ = (id) => document.getElementById(id);
const names = new Map(); // sessionId -> name, learned from migration results
let ready = false;
let busy = false;

$("db-name").textContent = api.dbName;
document.title = `${api.dbName} — Taskerino chunked storage migration`;

function updateButtons() {
  const off = !ready || busy;
  for (const id of ["dry-run", "migrate", "cleanup", "refresh"]) $(id).disabled = off;
  for (const button of document.querySelectorAll("#backups-body button.rollback")) button.disabled = off;
  document.body.dataset.busy = String(busy);
}

/** Run one action at a time; its error goes to the alert box under `title`. */
async function exclusive(title, action) {
  if (busy) return undefined;
  busy = true;
  updateButtons();
  ui.hideAlert();
  try {
    return await action();
  } catch (error) {
    console.error(error);
    ui.showAlert(title, error?.message || String(error));
    return undefined;
  } finally {
    busy = false;
    updateButtons();
  }
}

async function refreshStatus() {
  // Quietly: the page refreshes after every action; the console banner is for people typing.
  const status = await api.getMigrationStatus();
  ui.renderStatus(status);
  await ui.renderBackups(status.backups, names, askRollback);
  updateButtons();
  return status;
}

function readDays(id, what) {
  const input = $(id);
  const days = Number(input.value);
  if (input.value.trim() === "" || !Number.isInteger(days) || days < 0) {
    input.focus();
    throw new Error(`${what} must be a whole number of days (0 or more), not "${input.value}".`);
  }
  return days;
}

// ------------------------------------------------------------------ migrate / dry run

async function migrate(dryRun) {
  await exclusive(dryRun ? "The dry run did not complete" : "The migration did not complete", async () => {
    const backupRetentionDays = readDays("migrate-retention", "Backup retention");
    $("run-summary").hidden = true;
    ui.setProgressState("running");
    ui.setProgress(dryRun ? "Starting dry run…" : "Starting migration…", 0);
    let batch;
    try {
      batch = await api.runChunkedMigration({
        dryRun, backupRetentionDays, onProgress: (message, percent) => ui.setProgress(message, percent),
      });
    } catch (error) {
      ui.setProgressState("failed");
      ui.setProgress(`Stopped: ${error?.message || error}`);
      await refreshStatus().catch(() => {});
      throw error;
    }
    for (const r of batch.results || []) if (r.sessionId && r.name) names.set(r.sessionId, r.name);
    ui.setProgressState(batch.success && !batch.stopped ? "done" : "warn");
    ui.setProgress(`Complete: ${batch.migrated} ${dryRun ? "would be migrated" : "migrated"}, ` +
      `${batch.skipped} skipped, ${batch.errorCount} errors`, 100);
    ui.renderRunSummary(batch);
    await Promise.all([ui.renderResults(batch), refreshStatus()]);
  });
}

// ------------------------------------------------------------------ rollback

async function askRollback(backup) {
  if (busy) return;
  const name = names.get(backup.sessionId);
  const confirmed = await ui.confirmDialog({
    title: "Roll back this session?",
    body: [
      ui.el("p", {}, "This restores the original of ", ui.el("strong", { text: name || backup.sessionId }),
        " from its backup and deletes its chunked copy. Changes made to the session since the migration are lost."),
      ui.el("dl", { className: "dialog-facts" },
        ui.el("dt", { text: "Session" }), ui.el("dd", { className: "mono", text: backup.sessionId }),
        ui.el("dt", { text: "Backup" }), ui.el("dd", { className: "mono", text: backup.path })),
    ],
    confirmLabel: "Roll back",
  });
  if (!confirmed) return;
  await exclusive("The rollback did not complete", async () => {
    const done = await api.rollbackSession(backup.sessionId, backup.path, true);
    ui.showNotice(done ? `Rolled back ${name || backup.sessionId}: its original is restored.` : "Nothing was rolled back.");
    await refreshStatus();
  });
}

// ------------------------------------------------------------------ cleanup

async function cleanup() {
  let days;
  const preview = await exclusive("Could not check the backups", async () => {
    days = readDays("retention-days", "Retention");
    return api.cleanupBackups(days, false);
  });
  if (!preview) return;
  const kept = `${preview.kept} kept`;
  if (!preview.deleted.length) {
    ui.renderCleanupResult("good", `No backups are older than ${days} days — nothing to delete (${kept}).`);
    return;
  }
  ui.renderCleanupResult("warn", `${preview.deleted.length} backup(s) older than ${days} days would be deleted (${kept}):`, preview.deleted);
  const confirmed = await ui.confirmDialog({
    title: `Delete ${preview.deleted.length} expired backup(s)?`,
    body: [
      `These backups are older than ${days} days. Once deleted, their sessions can no longer be rolled back.`,
      ui.el("ul", { className: "paths mono" }, preview.deleted.map((p) => ui.el("li", { text: p }))),
    ],
    confirmLabel: "Delete backups",
  });
  if (!confirmed) {
    ui.renderCleanupResult("good", "Cancelled — no backups were deleted.");
    return;
  }
  await exclusive("The cleanup did not complete", async () => {
    const done = await api.cleanupBackups(days, true);
    ui.renderCleanupResult("good", `Deleted ${done.deleted.length} backup(s), ${done.kept} kept.`, done.deleted);
    await refreshStatus();
  });
}

// ------------------------------------------------------------------ wiring and boot

$("dry-run").addEventListener("click", () => migrate(true));
$("migrate").addEventListener("click", () => migrate(false));
$("cleanup").addEventListener("click", cleanup);
$("refresh").addEventListener("click", () => exclusive("Could not read the migration status", refreshStatus));
$("alert-close").addEventListener("click", ui.hideAlert);
updateButtons();

api.ready.then(
  async () => {
    ui.setBoot("ready", `Python ready in ${(api.timings.pythonReady / 1000).toFixed(1)} s`);
    ready = true;
    await exclusive("Could not read the migration status", async () => {
      const status = await refreshStatus();
      const demo = Number.parseInt(params.get("demo") ?? "", 10);
      if (demo > 0 && status.total === 0) {
        const count = Math.min(demo, 1000);
        ui.showNotice(`Adding ${count} generated demo sessions…`);
        const { created } = await api.fillDemo(count);
        ui.showNotice(`Added ${created} generated demo sessions to ${api.dbName} (a few with the defects old app versions left). Try a dry run.`);
        await refreshStatus();
      }
    });
  },
  (error) => {
    const message = String(error?.message || error);
    ui.setBoot("failed", `Python failed to start: ${ui.briefError(message)}`);
    ui.showAlert("The migration engine could not start — nothing was read or changed", message);
    console.error(error);
  },
);
