import type { Page } from "@playwright/test";

/** A Taskerino Session, exactly as stored (unknown fields included). */
export type Session = { id: string; [field: string]: unknown };

export interface SeedOptions {
  /** IndexedDB database (default "taskerino-db"). */
  dbName?: string;
  /** "array": the app's `sessions` record holds them all (replaced); "records": one `sessions/{id}` record each. Default "array". */
  layout?: "array" | "records";
  /** DATA form: "gzip" ("GZIP_V1:"+base64, the app's default), "json" (JSON text) or "raw" (the value itself, old app versions). */
  encoding?: "gzip" | "json" | "raw";
}

export interface GenerateOptions {
  /** Same seed, same sessions (default 1). */
  seed?: number;
  /** Per session (defaults 24, 30, 4; 0 for none). */
  screenshots?: number;
  audioSegments?: number;
  videoChunks?: number;
  /** Session ids are `${idPrefix}-${seed}-${index}-…` (default "session"). */
  idPrefix?: string;
}

export interface WaitOptions {
  /** The window property holding the app's loader (default "chunkedMigration", set by installGlobals: true). */
  handle?: string;
  /** Milliseconds (default 60000). */
  timeout?: number;
}

/** Write legacy sessions into the page's IndexedDB as the app stored them before chunking. */
export function seedLegacySessions(page: Page, sessions: Session[], options?: SeedOptions): Promise<void>;

/** Read a chunked session back as the app's ChunkedSessionStorage loads it; null when it is not chunked. */
export function readChunkedSession(page: Page, sessionId: string, options?: { dbName?: string }): Promise<Session | null>;

/** Wait until the app's migration is ready; throws with the MigrationError's message when its boot failed. */
export function waitForMigrationReady(page: Page, options?: WaitOptions): Promise<void>;

/** `count` realistic, deterministic legacy sessions in Taskerino's Session shape. */
export function generateSessions(count: number, options?: GenerateOptions): Session[];
