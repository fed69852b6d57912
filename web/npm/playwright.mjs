// taskerino-migration/playwright: helpers for the host app's own end-to-end tests
// (@playwright/test). They write and read Taskerino's IndexedDB in the page exactly as the app
// does — database version 1, store `collections`, records {name, data, timestamp}, DATA as
// "GZIP_V1:"+base64(gzip(JSON)), JSON text, or the raw value — independently of the migration.

const LAYOUTS = ["array", "records"];
const ENCODINGS = ["gzip", "json", "raw"];

/**
 * Write legacy sessions into the page's IndexedDB, as the app stored them before chunking:
 * layout "array" (the `sessions` record holds them all; replaces it) or "records" (one
 * `sessions/{id}` record each); encoding "gzip" (the app's default), "json" or "raw".
 */
export async function seedLegacySessions(page, sessions, { dbName = "taskerino-db", layout = "array", encoding = "gzip" } = {}) {
  if (!Array.isArray(sessions)) throw new TypeError(`seedLegacySessions: sessions must be an array of session objects, got ${typeof sessions}`);
  sessions.forEach((s, i) => {
    if (s === null || typeof s !== "object" || typeof s.id !== "string" || s.id === "") {
      throw new TypeError(`seedLegacySessions: sessions[${i}] is not a session object with a non-empty string id`);
    }
  });
  if (!LAYOUTS.includes(layout)) throw new TypeError(`seedLegacySessions: layout must be one of ${LAYOUTS.join(", ")}, got ${JSON.stringify(layout)}`);
  if (!ENCODINGS.includes(encoding)) throw new TypeError(`seedLegacySessions: encoding must be one of ${ENCODINGS.join(", ")}, got ${JSON.stringify(encoding)}`);
  const records = layout === "array"
    ? [["sessions", JSON.stringify(sessions)]]
    : sessions.map((s) => [`sessions/${s.id}`, JSON.stringify(s)]);
  await page.evaluate(IN_PAGE_WRITE, { dbName, records, encoding });
}

/**
 * Read a chunked session back the way Taskerino's ChunkedSessionStorage loads one: its
 * metadata, then each record the metadata names (summary, audio insights, canvas spec,
 * transcription, context items, and the screenshot, audio-segment and video chunks), joined
 * into one Session — plus the metadata's `legacyLayout`, so the result equals the migrated
 * original exactly. Resolves to null when the session has no chunked metadata.
 */
export async function readChunkedSession(page, sessionId, { dbName = "taskerino-db" } = {}) {
  if (typeof sessionId !== "string" || sessionId === "") throw new TypeError("readChunkedSession: sessionId must be a non-empty string");
  const text = await page.evaluate(IN_PAGE_READ, { dbName, sessionId });
  return text === null ? null : JSON.parse(text);
}

/**
 * Wait until the app's migration is ready (Python booted, validation loaded): the app exposes
 * its loader as `window[handle]` (installGlobals: true sets window.chunkedMigration). Throws the
 * MigrationError's message when the boot failed.
 */
export async function waitForMigrationReady(page, { handle = "chunkedMigration", timeout = 60_000 } = {}) {
  const failure = await page.evaluate(async ({ handle, timeout }) => {
    const deadline = Date.now() + timeout;
    while (!globalThis[handle]) {
      if (Date.now() > deadline) return `window.${handle} did not appear within ${timeout} ms (is the migration loaded, with installGlobals or window.${handle} = api?)`;
      await new Promise((r) => setTimeout(r, 50));
    }
    const timer = new Promise((r) => setTimeout(() => r(`the migration was not ready within ${timeout} ms`), Math.max(0, deadline - Date.now())));
    try {
      return await Promise.race([globalThis[handle].validationReady.then(() => null), timer]);
    } catch (e) {
      return `${e?.name ?? "Error"}: ${e?.message ?? e}`;
    }
  }, { handle, timeout });
  if (failure) throw new Error(`waitForMigrationReady: ${failure}`);
}

/**
 * `count` realistic legacy sessions, shaped like Taskerino's Session type (screenshots with AI
 * analysis, audio segments with transcriptions, a video with chunks, a summary, context
 * items). The same (count, options) gives the same sessions.
 */
export function generateSessions(count, { seed = 1, screenshots = 24, audioSegments = 30, videoChunks = 4, idPrefix = "session" } = {}) {
  if (!Number.isInteger(count) || count < 0) throw new TypeError(`generateSessions: count must be a whole number (0 or more), got ${count}`);
  for (const [name, value] of Object.entries({ screenshots, audioSegments, videoChunks })) {
    if (!Number.isInteger(value) || value < 0) throw new TypeError(`generateSessions: ${name} must be a whole number (0 or more), got ${value}`);
  }
  return Array.from({ length: count }, (_, i) => generateSession(i, seed, { screenshots, audioSegments, videoChunks, idPrefix }));
}

// ---------------------------------------------------------------- generated sessions

const ACTIVITIES = ["coding", "code review", "writing docs", "email", "design review", "debugging", "planning"];
const TOPICS = ["chunked storage", "sync engine", "onboarding flow", "billing", "search index", "release notes"];
const SENTENCES = ["Let me check the failing test first.", "This should be a separate ticket.", "Okay, the migration ran cleanly.",
  "We need to ask Dana about the quota.", "Über-long names break the layout — 日本語 too.", "Pushing the fix now."];

function random(seed) {
  let a = seed >>> 0; // mulberry32: small, deterministic, good enough for test data
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generateSession(index, seed, { screenshots, audioSegments, videoChunks, idPrefix }) {
  const rnd = random(seed * 100_003 + index);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const hex = (n) => Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join("");
  const id = `${idPrefix}-${seed}-${index}-${hex(8)}`;
  const start = Date.UTC(2025, 0, 6) + Math.floor(rnd() * 300) * 86_400_000 + 9 * 3_600_000;
  const span = (screenshots + 1) * 120_000;
  const iso = (ms) => new Date(ms).toISOString();
  const shots = Array.from({ length: screenshots }, (_, i) => ({
    id: `screenshot-${start + i * 120_000}-${hex(10)}`, sessionId: id, timestamp: iso(start + i * 120_000),
    attachmentId: `attachment-${hex(12)}`, analysisStatus: "complete",
    aiAnalysis: {
      summary: `Working on ${pick(TOPICS)}: ${pick(SENTENCES)}`, detectedActivity: pick(ACTIVITIES),
      extractedText: `${pick(SENTENCES)}\n${pick(SENTENCES)}`, keyElements: [pick(TOPICS), pick(ACTIVITIES)],
      suggestedActions: rnd() < 0.5 ? [`Follow up on ${pick(TOPICS)}`] : [], confidence: Math.round((0.55 + 0.44 * rnd()) * 100) / 100,
      curiosity: Math.round(rnd() * 100) / 100,
      progressIndicators: { achievements: rnd() < 0.3 ? ["Tests green"] : [], blockers: [], insights: [] },
    },
    ...(rnd() < 0.1 ? { userComment: "Remember this one", flagged: true } : {}),
  }));
  const segments = Array.from({ length: audioSegments }, (_, i) => ({
    id: `segment-${start + i * 60_000}-${hex(8)}`, sessionId: id, timestamp: iso(start + i * 60_000),
    duration: Math.round((10 + 50 * rnd()) * 10) / 10, transcription: `${pick(SENTENCES)} ${pick(SENTENCES)}`,
    attachmentId: `attachment-${hex(12)}`, mode: "transcription",
  }));
  const session = {
    id, name: `${pick(["Deep work", "Standup prep", "Bug bash"])}: ${pick(TOPICS)} #${index + 1}`,
    description: "Generated by taskerino-migration/playwright", status: "completed",
    startTime: iso(start), endTime: iso(start + span), screenshotInterval: 2, autoAnalysis: true,
    enableScreenshots: true, audioRecording: audioSegments > 0, audioMode: audioSegments > 0 ? "transcription" : "off",
    screenshots: shots, audioSegments: segments, extractedTaskIds: [`task-${hex(12)}`], extractedNoteIds: [],
    tags: [pick(TOPICS)], category: pick(ACTIVITIES),
    contextItems: [{ id: `context-${hex(8)}`, sessionId: id, timestamp: iso(start + 60_000), type: "note", content: pick(SENTENCES) }],
    summary: { narrative: `${pick(SENTENCES)} ${pick(SENTENCES)}`, achievements: ["Shipped the fix"], blockers: [], recommendedTasks: [], keyInsights: [] },
    fullTranscription: segments.map((s) => s.transcription).join(" "),
    endedWith: null, // an explicit null survives the migration as null
  };
  if (videoChunks > 0) {
    const videoId = `video-${hex(12)}`;
    session.video = {
      id: videoId, sessionId: id, fullVideoAttachmentId: `attachment-${hex(12)}`, duration: span / 1000,
      chunkingStatus: "complete",
      chunks: Array.from({ length: videoChunks }, (_, i) => ({
        id: `chunk-${hex(10)}`, videoId, sessionId: id, attachmentId: `attachment-${hex(12)}`,
        startTime: (i * span) / videoChunks / 1000, endTime: ((i + 1) * span) / videoChunks / 1000, topic: pick(TOPICS),
      })),
    };
  }
  return session;
}

// ---------------------------------------------------------------- in the page
// Playwright sends these functions' source to the page: each is self-contained.

async function IN_PAGE_WRITE({ dbName, records, encoding }) {
  const pipe = async (bytes, stream) => new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(stream)).arrayBuffer());
  const gzip = async (text) => {
    const bytes = await pipe(new TextEncoder().encode(text), new CompressionStream("gzip"));
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return "GZIP_V1:" + btoa(binary);
  };
  const data = [];
  for (const [name, text] of records) {
    data.push({ name, data: encoding === "gzip" ? await gzip(text) : encoding === "json" ? text : JSON.parse(text), timestamp: Date.now() });
  }
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open(dbName, 1);
    request.onupgradeneeded = () => { // a new database gets the app's two stores, as the app creates them
      request.result.createObjectStore("collections", { keyPath: "name" }).createIndex("timestamp", "timestamp");
      request.result.createObjectStore("backups", { keyPath: "id" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  await new Promise((resolve, reject) => {
    const tx = db.transaction("collections", "readwrite", { durability: "strict" });
    for (const record of data) tx.objectStore("collections").put(record);
    tx.oncomplete = resolve;
    tx.onabort = () => reject(tx.error);
  });
  db.close();
}

async function IN_PAGE_READ({ dbName, sessionId }) {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open(dbName);
    request.onupgradeneeded = () => request.transaction.abort(); // no such database: create nothing
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => (request.error?.name === "AbortError" ? resolve(null) : reject(request.error));
  });
  if (db === null) return null;
  const get = (keys) => new Promise((resolve, reject) => {
    const tx = db.transaction("collections", "readonly");
    const requests = keys.map((key) => tx.objectStore("collections").get(key));
    tx.oncomplete = () => resolve(requests.map((r) => r.result));
    tx.onabort = () => reject(tx.error);
  });
  const decode = async (record) => {
    if (record === undefined) return undefined;
    const { data } = record;
    if (typeof data !== "string") return data;
    if (!data.startsWith("GZIP_V1:")) return JSON.parse(data);
    const bytes = Uint8Array.from(atob(data.slice(8)), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return JSON.parse(await new Response(stream).text());
  };
  try {
    const prefix = `sessions/${sessionId}`;
    const [metadata] = await Promise.all((await get([`${prefix}/metadata`])).map(decode));
    if (metadata === undefined) return null;
    const parts = [["summary", "summary", "hasSummary"], ["audioInsights", "audio-insights", "hasAudioInsights"],
      ["canvasSpec", "canvas-spec", "hasCanvasSpec"], ["fullTranscription", "transcription", "hasTranscription"],
      ["contextItems", "context-items", null]].filter(([, , flag]) => flag === null || metadata[flag] !== false);
    const lists = [["screenshots", "screenshots", "screenshots", "screenshots"], ["audioSegments", "audioSegments", "audio-segments", "segments"],
      ["video.chunks", "videoChunks", "video-chunks", "chunks"]];
    const chunkKeys = lists.map(([, manifest, folder]) => Array.from({ length: metadata.chunks?.[manifest]?.chunkCount ?? 0 },
      (_, i) => `${prefix}/${folder}/chunk-${String(i).padStart(3, "0")}`));
    const values = await Promise.all((await get([...parts.map(([, key]) => `${prefix}/${key}`), ...chunkKeys.flat()])).map(decode));
    const OWN = ["chunks", "hasSummary", "hasAudioInsights", "hasCanvasSpec", "hasTranscription", "hasVideo", "hasFullAudio",
      "storageVersion", "createdAt", "updatedAt", "legacyLayout"];
    const session = Object.fromEntries(Object.entries(metadata).filter(([k]) => !OWN.includes(k)));
    parts.forEach(([field], i) => { if (values[i] !== undefined) session[field] = values[i]; });
    let at = parts.length;
    const joined = chunkKeys.map((keys, l) => keys.flatMap(() => values[at++]?.[lists[l][3]] ?? []));
    session.screenshots = joined[0];
    session.audioSegments = joined[1];
    if (session.video && typeof session.video === "object") session.video = { ...session.video, chunks: joined[2] };
    const { absent = [], inline = {} } = metadata.legacyLayout ?? {};
    for (const field of absent) {
      if (field === "video.chunks") delete session.video?.chunks;
      else delete session[field];
    }
    Object.assign(session, inline);
    return JSON.stringify(session);
  } finally {
    db.close();
  }
}
