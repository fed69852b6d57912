// A broken deploy: one wheel missing (a 404, or the SPA fallback's index.html in its place).
// `ready` and every call reject with a MigrationError naming the wheel's URL; never a traceback,
// and no unhandled rejection, since the app handles `ready`.
import { expect, test } from "./fixtures";

const MISSING = process.env.MISSING_FILE ?? "";

test("a missing wheel rejects ready and every call with a MigrationError naming its URL", async ({ page, seen, db }) => {
  expect(MISSING).not.toBe("");
  await page.goto(`/?db=${db}`);
  const boot = page.getByTestId("boot");
  await expect(boot).toContainText("MigrationBootError (boot)", { timeout: 120_000 });
  await expect(boot).toContainText(`/taskerino-migration/${MISSING}`);
  await page.getByRole("button", { name: "Migrate sessions" }).click();
  await expect(page.getByTestId("migrate-error")).toContainText(`MigrationBootError: `);
  await expect(page.getByTestId("migrate-error")).toContainText(MISSING);
  await page.getByLabel("Session id").fill("session-1");
  await page.getByRole("button", { name: "Open session" }).click();
  await expect(page.getByTestId("session-error")).toContainText(MISSING);
  for (const text of [await boot.textContent(), await page.getByTestId("migrate-error").textContent()]) {
    expect(text).not.toContain("Traceback");
  }
  expect(seen.errors).toEqual([]);
  expect(seen.console.filter((m) => m.text().includes("unhandledrejection"))).toEqual([]);
});
