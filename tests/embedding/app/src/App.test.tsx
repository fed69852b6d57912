// A component test, as Taskerino's run under Vitest + jsdom: importing the app (and the
// package) starts nothing; mounting it shows why the migration can't run here, no unhandled
// rejection, and the run exits 0.
import { act } from "react";
import { createRoot } from "react-dom/client";
import { expect, test } from "vitest";
import { App } from "./App";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

test("the app mounts under jsdom and says why the migration can't run", async () => {
  expect(typeof indexedDB).toBe("undefined");
  const root = document.createElement("div");
  document.body.append(root);
  await act(async () => createRoot(root).render(<App />));
  await act(async () => new Promise((r) => setTimeout(r, 50)));
  const boot = root.querySelector("[data-testid=boot]")!.textContent!;
  expect(boot).toContain("MigrationBootError (boot)");
  expect(boot).toContain("there is no IndexedDB here");
});
