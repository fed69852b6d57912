// The stand-in app, built (or under `vite` dev): its Settings dialog migrates seeded legacy
// sessions losslessly, a component loads one on demand, the console globals print their
// documented output, and the codec workers run when asked for.
import { generateSessions, readChunkedSession, seedLegacySessions, waitForMigrationReady } from "taskerino-migration/playwright";
import { expect, printed, test } from "./fixtures";

test("a Settings button migrates every legacy session with a progress bar, losslessly", async ({ page, seen, db }) => {
  const inArray = generateSessions(5, { seed: 7 });
  const asRecords = generateSessions(2, { seed: 8, idPrefix: "record" });
  const asRaw = generateSessions(1, { seed: 9, idPrefix: "raw", videoChunks: 0 });
  await page.goto(`/?db=${db}`);
  await seedLegacySessions(page, inArray, { dbName: db });                                   // gzip `sessions` array
  await seedLegacySessions(page, asRecords, { dbName: db, layout: "records", encoding: "json" });
  await seedLegacySessions(page, asRaw, { dbName: db, layout: "records", encoding: "raw" });
  await waitForMigrationReady(page);
  await expect(page.getByTestId("boot")).toHaveText("ready");
  await page.getByRole("button", { name: "Migrate sessions" }).click();
  await expect(page.getByTestId("result")).toHaveText("Migrated 8 of 8, 0 errors", { timeout: 120_000 });
  await expect(page.getByTestId("progress")).toHaveAttribute("value", "100");
  for (const session of [...inArray, ...asRecords, ...asRaw]) {
    expect(await readChunkedSession(page, session.id, { dbName: db })).toStrictEqual(session);
  }
  // An app using the API prints nothing; nothing failed or was left unhandled.
  expect(printed(seen.console)).toEqual([]);
  expect(seen.errors).toEqual([]);
});

test("loadSession works on demand from a component", async ({ page, seen, db }) => {
  const [session] = generateSessions(1, { seed: 11, screenshots: 45, audioSegments: 130 }); // several chunks of each
  await page.goto(`/?db=${db}`);
  await seedLegacySessions(page, [session], { dbName: db, layout: "records" });
  await page.getByLabel("Session id").fill(session.id);
  await page.getByRole("button", { name: "Open session" }).click(); // before the boot is done: it waits
  const shown = JSON.parse(await page.getByTestId("session").textContent({ timeout: 120_000 }) ?? "null");
  expect(shown).toStrictEqual(session);
  // Shown at once from the stored copy; the migration that follows is awaited by the app.
  await expect(page.getByTestId("session-migrated")).toHaveText("stored chunked", { timeout: 120_000 });
  expect(await readChunkedSession(page, session.id, { dbName: db })).toStrictEqual(session);
  expect(printed(seen.console)).toEqual([]);
  expect(seen.errors).toEqual([]);
});

test("the five console globals work and print their documented output", async ({ page, seen, db }) => {
  const sessions = generateSessions(3, { seed: 12, screenshots: 3, audioSegments: 2, videoChunks: 1 });
  await page.goto(`/?db=${db}`);
  await seedLegacySessions(page, sessions, { dbName: db });
  await waitForMigrationReady(page);
  const lines = () => seen.console.filter((m) => m.type() === "log").map((m) => m.text());
  const call = (code: string) => page.evaluate(code);

  const status = (await call("showMigrationStatus()")) as { total: number; legacy: number };
  expect([status.total, status.legacy]).toEqual([3, 3]);
  expect(lines()).toContain("   Total sessions: 3");
  const dry = (await call("runChunkedMigration({ dryRun: true })")) as { migrated: number };
  expect(dry.migrated).toBe(3);
  expect(lines()).toContain("⚠️  DRY RUN MODE - No changes will be saved");
  expect(lines()).toContain("✅ Dry run completed successfully!");
  const single = (await call(`migrateSingleSession(${JSON.stringify(sessions[0].id)})`)) as { success: boolean; backupPath: string };
  expect(single.success).toBe(true);
  expect(lines()).toContain(`✅ migrated: ${sessions[0].id} (backup ${single.backupPath})`);
  const batch = (await call("runChunkedMigration()")) as { migrated: number; skipped: number };
  expect([batch.migrated, batch.skipped]).toEqual([2, 1]);
  expect(lines()).toContain("✅ Migration completed successfully!");
  expect(await call(`rollbackSession(${JSON.stringify(sessions[1].id)}, undefined, true)`)).toBe(true);
  expect(lines().some((l) => l.startsWith(`✅ Rolled back ${sessions[1].id} from sessions/${sessions[1].id}.backup-`))).toBe(true);
  const cleanup = (await call("cleanupBackups(30)")) as { dryRun: boolean; deleted: string[] };
  expect([cleanup.dryRun, cleanup.deleted]).toEqual([true, []]);
  expect(lines().some((l) => /^🧹 0 expired backup\(s\) would be deleted, \d+ kept$/.test(l))).toBe(true);
  expect(lines().slice(0, 3)).toEqual(["━".repeat(47), "  Chunked Storage Migration Status", "━".repeat(47)]);
  expect(seen.errors).toEqual([]);
});

test("the codec workers really run when asked for (setCodecWorkers(2))", async ({ page, seen, db }) => {
  await page.goto(`/?db=${db}`);
  await seedLegacySessions(page, generateSessions(3, { seed: 13 }), { dbName: db });
  await waitForMigrationReady(page);
  await page.getByRole("button", { name: "Compress on 2 workers" }).click();
  await expect(page.getByTestId("codec")).toHaveText("running before: 0");
  await page.getByRole("button", { name: "Migrate sessions" }).click(); // gzip goes through the pool
  await expect(page.getByTestId("result")).toHaveText("Migrated 3 of 3, 0 errors", { timeout: 120_000 });
  // Two workers were running after the batch: none failed to load (a failure drops the pool to 0).
  await page.getByRole("button", { name: "Compress on 2 workers" }).click();
  await expect(page.getByTestId("codec")).toHaveText("running before: 2");
  expect(printed(seen.console)).toEqual([]);
  expect(seen.errors).toEqual([]);
});

test("indexURL may be relative to document.baseURI, or an absolute URL", async ({ page, seen, baseURL }) => {
  for (const indexURL of ["taskerino-migration/", "/taskerino-migration", `${baseURL}/taskerino-migration/`]) {
    await page.goto(`/?db=unused&indexURL=${encodeURIComponent(indexURL)}`);
    await waitForMigrationReady(page);
    await expect(page.getByTestId("boot")).toHaveText("ready");
  }
  expect(seen.errors).toEqual([]);
});
