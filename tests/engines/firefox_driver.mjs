// Firefox ESR for the cross-engine suite (tests/engines/drivers.py): puppeteer-core drives
// Debian's firefox-esr through its built-in WebDriver BiDi agent (no geckodriver, which Debian
// does not package). A line protocol on stdin/stdout, so the Python tests drive Firefox like the
// other engines: each request {id, op, ...} gets one line {id, value} or {id, error}.
//
//   {op: "newTab"} -> tab number          {op: "goto", tab, url}
//   {op: "evaluate", tab, fn, arg}  -> what `(fn)(arg)` resolves to (JSON values)
//   {op: "console", tab} -> console lines since the last call       {op: "close"}
//
// Usage: node firefox_driver.mjs FIREFOX_BINARY PROFILE_DIR   (puppeteer-core from NODE_PATH)

import { createRequire } from "node:module";
import readline from "node:readline";

const require = createRequire(import.meta.url);
const puppeteer = require(require.resolve("puppeteer-core", { paths: (process.env.NODE_PATH ?? "").split(":") }));

const [binary, profile] = process.argv.slice(2);
const browser = await puppeteer.launch({
  browser: "firefox",
  protocol: "webDriverBiDi",
  executablePath: binary,
  userDataDir: profile,
  headless: true,
  // Quiet on a closed network: no updates, telemetry, or remote settings fetched at start.
  extraPrefsFirefox: {
    "app.update.enabled": false,
    "datareporting.policy.dataSubmissionEnabled": false,
    "toolkit.telemetry.enabled": false,
    "network.captive-portal-service.enabled": false,
    "browser.safebrowsing.update.enabled": false,
  },
});
const tabs = [];
const consoles = [];

const ops = {
  async newTab() {
    const page = await browser.newPage();
    const lines = [];
    page.on("console", (message) => lines.push(`${message.type()}: ${message.text()}`));
    tabs.push(page);
    consoles.push(lines);
    return tabs.length - 1;
  },
  async goto({ tab, url }) {
    await tabs[tab].goto(url, { waitUntil: "load", timeout: 0 });
  },
  async evaluate({ tab, fn, arg }) {
    // The function's source, called with one JSON argument, awaited in the page.
    return tabs[tab].evaluate(`(${fn})(${JSON.stringify(arg ?? null)})`);
  },
  console({ tab }) {
    return consoles[tab].splice(0);
  },
  async close() {
    await browser.close();
    setTimeout(() => process.exit(0), 10);
  },
};

const send = (reply) => process.stdout.write(JSON.stringify(reply) + "\n");
send({ id: 0, value: await browser.version() });
for await (const line of readline.createInterface({ input: process.stdin })) {
  const request = JSON.parse(line);
  // Requests run concurrently: a tab's long batch must not hold another tab's call back.
  ops[request.op](request).then(
    (value) => send({ id: request.id, value: value ?? null }),
    (e) => send({ id: request.id, error: String(e?.message ?? e) }),
  );
}
