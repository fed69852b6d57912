// The migration page's rendering: plain DOM building, no framework.
//
// Everything that comes from the database (session names and ids, backup paths, warnings, error
// messages) goes into the page as text only: createElement + textContent, never innerHTML, so
// a session named `<img onerror=…>` shows as those characters and runs nothing.

const $ = (id) => document.getElementById(id);

/** createElement with text and a few properties; children are nodes or strings (as text). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "className") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "onClick") node.addEventListener("click", value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
  return node;
}

// ------------------------------------------------------------------ long tables

export const ROWS_PER_TASK = 50;
const owner = new WeakMap(); // table body -> the fill now writing it

/** Let the browser run (paint, input) between two slices of work: no task of ours grows long. */
const nextTask = () => (globalThis.scheduler?.yield ? globalThis.scheduler.yield() : new Promise((r) => setTimeout(r, 0)));

/**
 * Fill `body` with makeRow(item) for each item, ROWS_PER_TASK rows per task, so a table of
 * 500 sessions never freezes the page. A newer fill of the same body stops an older one.
 * Resolves true once every row is in (false: superseded).
 */
export async function fillRows(body, items, makeRow) {
  const fill = {};
  owner.set(body, fill);
  body.replaceChildren();
  body.dataset.filling = "true";
  for (let start = 0; start < items.length; start += ROWS_PER_TASK) {
    if (start) await nextTask();
    if (owner.get(body) !== fill) return false;
    body.append(...items.slice(start, start + ROWS_PER_TASK).map(makeRow));
  }
  delete body.dataset.filling;
  return true;
}

// ------------------------------------------------------------------ formatting

export function formatBytes(bytes) {
  if (typeof bytes !== "number" || !Number.isFinite(bytes)) return "—";
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} KB`;
  return `${(bytes / 1_000_000).toFixed(2)} MB`;
}

export function formatMs(ms) {
  if (typeof ms !== "number" || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

// Made on first use: building them loads the locale's data, ~30 ms of the page's first task.
let dateFormat, relativeFormat;
const formatDate = (date) =>
  (dateFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" })).format(date);
const formatRelative = (days) => (relativeFormat ??= new Intl.RelativeTimeFormat(undefined, { numeric: "auto" })).format(days, "day");

/** A <time> for an ISO timestamp, readable and local; the exact value in its tooltip. */
export function timeNode(iso, { relative = false, now = Date.now() } = {}) {
  if (!iso) return el("span", { className: "muted", text: "—" });
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return el("span", { text: String(iso) });
  const node = el("time", { datetime: date.toISOString(), title: String(iso), text: formatDate(date) });
  if (!relative) return node;
  const days = Math.round((date.getTime() - now) / 86_400_000);
  const expired = date.getTime() <= now;
  return el("span", { className: "when" }, node,
    el("span", { className: expired ? "tag tag-bad" : "tag", text: expired ? "expired" : formatRelative(days) }));
}

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One line of a long message: a Python traceback's "SomeError: why" line, or the first line. */
export function briefError(message) {
  const lines = String(message).split("\n").map((l) => l.trim()).filter(Boolean);
  const raised = lines.filter((l) => /^[A-Za-z_.]*(Error|Exception|Interrupt)\b.*:/.test(l));
  return raised.length ? raised[raised.length - 1] : (lines[0] ?? "");
}

// ------------------------------------------------------------------ boot

export function setBoot(state, text) {
  document.body.dataset.boot = state;
  $("boot-status").textContent = text;
}

// ------------------------------------------------------------------ alerts and notices

export function showAlert(title, message) {
  $("alert-title").textContent = title;
  $("alert-message").textContent = message;
  $("alert").hidden = false;
}

export function hideAlert() {
  $("alert").hidden = true;
}

export function showNotice(text) {
  $("notice").textContent = text;
  $("notice").hidden = !text;
}

// ------------------------------------------------------------------ status

export function renderStatus(status) {
  const total = status.total ?? 0;
  const percentage = Math.max(0, Math.min(100, Number(status.percentage) || 0));
  $("status-total").textContent = String(total);
  $("status-chunked").textContent = String(status.chunked ?? 0);
  $("status-legacy").textContent = String(status.legacy ?? 0);
  $("status-backups").textContent = String((status.backups || []).length);
  $("status-percentage").textContent = total ? `${percentage}%` : "–";
  const ring = $("status-ring");
  ring.style.setProperty("--p", String(percentage));
  ring.setAttribute("aria-label", total ? `${percentage}% of ${plural(total, "session")} migrated` : "No sessions");
  ring.dataset.complete = String(total > 0 && status.legacy === 0);
  $("status-panel").setAttribute("aria-busy", "false");
  const note = $("status-note");
  note.hidden = false;
  note.dataset.kind = !total ? "empty" : status.legacy ? "todo" : "done";
  note.textContent = !total ? "This database holds no sessions."
    : status.legacy ? `${plural(status.legacy, "session")} still in the old single-record layout.`
    : `All ${plural(total, "session")} are in chunked storage.`;

  const problems = status.problems || [];
  const details = $("status-problems");
  details.hidden = problems.length === 0;
  $("status-problems-summary").textContent = `${plural(problems.length, "record")} could not be read`;
  $("status-problems-list").replaceChildren(...problems.map((p) => el("li", { text: p })));
}

// ------------------------------------------------------------------ progress

export function setProgress(message, percent) {
  const p = Math.max(0, Math.min(100, Math.round(Number(percent) || 0)));
  $("progress-area").hidden = false;
  if (message !== undefined && message !== null) $("progress-message").textContent = String(message);
  $("progress-percent").textContent = `${p}%`;
  $("progress-bar").style.width = `${p}%`;
  const bar = $("progress");
  bar.setAttribute("aria-valuenow", String(p));
  bar.dataset.percent = String(p);
}

export function setProgressState(state) {
  $("progress-area").dataset.state = state; // running | done | warn (finished, with problems) | failed
}

// ------------------------------------------------------------------ results

/** [icon, label, kind] for one session's result. */
// Glyphs from ordinary text fonts (not emoji), so they render on machines without an emoji font.
export function outcome(r) {
  if (r.error || r.success === false) return ["✕", "Failed", "bad"];
  if (r.skipped) return ["↷", "Already chunked", "skip"];
  if (r.dryRun) return ["✓", "Would migrate", "good"];
  if (r.resumed) return ["✓", "Finished", "good"];
  return ["✓", "Migrated", "good"];
}

function chunkCell(r) {
  const counts = r.chunkCounts || {};
  const entries = Object.entries(counts);
  if (!entries.length) return el("td", { className: "num muted", text: "—" });
  const total = entries.reduce((sum, [, n]) => sum + (Number(n) || 0), 0);
  return el("td", { className: "num", title: entries.map(([k, n]) => `${k}: ${n}`).join("\n"), text: String(total) });
}

function sizeCell(r) {
  if (!r.bytesBefore && !r.bytesAfter) return el("td", { className: "num muted", text: "—" });
  return el("td", { className: "num nowrap" }, formatBytes(r.bytesBefore), el("span", { className: "arrow", text: " → " }), formatBytes(r.bytesAfter));
}

function warningsCell(r) {
  const warnings = r.warnings || [];
  if (!warnings.length) return el("td", { className: "num muted", text: "0" });
  return el("td", { className: "num" },
    el("details", { className: "warnings" },
      el("summary", { className: "tag tag-warn", text: String(warnings.length) }),
      el("ul", {}, warnings.map((w) => el("li", { text: String(w) })))));
}

export function sessionCell(name, id) {
  const cell = el("td", { className: "session" });
  cell.append(el("span", { className: "session-name", text: name ? String(name) : String(id ?? "(no id)") }));
  if (name && id) cell.append(el("span", { className: "session-id mono", text: String(id) }));
  return cell;
}

export function renderResults(batch) {
  const results = batch.results || [];
  $("results").dataset.errors = String(results.some((r) => r.error)); // the Error column only when needed
  $("results-note").hidden = !results.some((r) => (r.warnings || []).length);
  $("results-caption").textContent = `${batch.dryRun ? "Dry run" : "Migration"} · ${plural(results.length, "session")}`;
  $("results-panel").hidden = false;
  return fillRows($("results-body"), results, (r) => {
    const [icon, label, kind] = outcome(r);
    return el("tr", { dataset: { outcome: kind, sessionId: r.sessionId ?? "" } },
      sessionCell(r.name, r.sessionId),
      el("td", { className: "nowrap" }, el("span", { className: `outcome outcome-${kind}` },
        el("span", { className: "outcome-icon", "aria-hidden": "true", text: icon }), label)),
      chunkCell(r),
      sizeCell(r),
      el("td", { className: "num nowrap", text: formatMs(r.durationMs) }),
      warningsCell(r),
      el("td", { className: "error-text", text: r.error ? String(r.error) : "" }));
  });
}

export function renderRunSummary(batch) {
  const box = $("run-summary");
  const ok = batch.success && !batch.stopped;
  box.dataset.kind = ok ? "good" : batch.errorCount || batch.stopped ? "bad" : "warn";
  const headline = batch.dryRun
    ? (ok ? "Dry run passed — nothing was written." : "Dry run found problems — nothing was written.")
    : (ok ? "Migration complete." : "Migration finished with problems.");
  const verb = batch.dryRun ? "would be migrated" : "migrated";
  const parts = [
    `${plural(batch.migrated ?? 0, "session")} ${verb}`,
    `${batch.skipped ?? 0} already chunked`,
    plural(batch.errorCount ?? 0, "error"),
    formatMs(batch.durationMs),
  ];
  const children = [el("strong", { text: headline }), el("span", { text: parts.join(" · ") })];
  if (batch.stopped) children.push(el("span", { className: "error-text", text: `Stopped early: ${batch.stopped}` }));
  if (batch.dryRun && ok && batch.migrated) children.push(el("span", { className: "muted", text: "Press Migrate to apply it." }));
  if (!batch.dryRun && batch.migrated) children.push(el("span", { className: "muted", text: "A backup of each original is listed under Backups." }));
  if (batch.errorCount) children.push(el("span", { className: "muted", text: "Failed sessions were left exactly as they were; run again after fixing, or leave them." }));
  box.replaceChildren(...children);
  box.hidden = false;
}

// ------------------------------------------------------------------ backups

export function renderBackups(backups, names, onRollback) {
  const list = backups || [];
  $("backups-empty").hidden = list.length > 0;
  $("backups-wrap").hidden = list.length === 0;
  $("backups-caption").textContent = list.length ? plural(list.length, "backup") : "";
  const now = Date.now();
  return fillRows($("backups-body"), list, (b) => el("tr", { dataset: { sessionId: b.sessionId ?? "", path: b.path ?? "" } },
    sessionCell(names.get(b.sessionId), b.sessionId),
    el("td", { className: "mono path", text: String(b.path ?? "") }),
    el("td", { className: "nowrap" }, timeNode(b.createdAt)),
    el("td", { className: "nowrap" }, timeNode(b.expiresAt, { relative: true, now })),
    el("td", { className: "row-action" },
      el("button", { type: "button", className: "btn btn-small rollback", "data-action": "rollback",
        "aria-label": `Roll back ${names.get(b.sessionId) || b.sessionId}`, text: "Roll back",
        onClick: () => onRollback(b) }))));
}

export function renderCleanupResult(kind, headline, paths = []) {
  const box = $("cleanup-result");
  box.dataset.kind = kind;
  const children = [el("p", { text: headline })];
  if (paths.length) children.push(el("ul", { className: "paths mono" }, paths.map((p) => el("li", { text: String(p) }))));
  box.replaceChildren(...children);
  box.hidden = false;
}

// ------------------------------------------------------------------ confirm dialog

/**
 * Ask in the page's <dialog>: resolves true for the confirm button, false for Cancel or Escape.
 * `body` is a list of nodes or strings (strings become paragraphs of text).
 */
export function confirmDialog({ title, body = [], confirmLabel = "Confirm", danger = true }) {
  const dialog = $("confirm-dialog");
  $("confirm-title").textContent = title;
  $("confirm-body").replaceChildren(...body.map((part) => (typeof part === "string" ? el("p", { text: part }) : part)));
  const ok = $("confirm-ok");
  ok.textContent = confirmLabel;
  ok.className = danger ? "btn btn-danger" : "btn btn-primary";
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
    dialog.showModal();
    $("confirm-cancel").focus();
  });
}
