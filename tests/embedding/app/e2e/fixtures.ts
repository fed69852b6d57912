import { test as base, expect, type ConsoleMessage } from "@playwright/test";

/** Every page of these tests: console messages, page errors and unhandled rejections recorded;
 *  any request off this host blocked and recorded (nothing comes from a CDN). */
export const test = base.extend<{ seen: { console: ConsoleMessage[]; errors: string[]; offsite: string[] }; db: string }>({
  seen: async ({ page, baseURL }, use) => {
    const seen = { console: [] as ConsoleMessage[], errors: [] as string[], offsite: [] as string[] };
    const origin = new URL(baseURL!).origin;
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
      seen.offsite.push(url);
      return route.abort();
    });
    page.on("console", (m) => seen.console.push(m));
    page.on("pageerror", (e) => seen.errors.push(`pageerror: ${e.message}`));
    await page.addInitScript(() => addEventListener("unhandledrejection", (e) => console.error(`unhandledrejection: ${e.reason}`)));
    await use(seen);
    expect(seen.offsite).toEqual([]);
  },
  db: async ({}, use, info) => use(`e2e-${info.testId}-${Date.now()}`),
});
export { expect };

/** The dev server's own lines (Vite's HMR client, React's DevTools hint): not the app's, not ours. */
const DEV_TOOLING = [/^\[vite\] /, /React DevTools/];

/** What the page printed, as "type: text", without the dev tooling's lines. */
export const printed = (messages: ConsoleMessage[]) =>
  messages.map((m) => `${m.type()}: ${m.text()}`).filter((line) => !DEV_TOOLING.some((re) => re.test(line.slice(line.indexOf(": ") + 2))));
