// Types for web/lib/taskerino-migration.mjs (the package's main entry, through the `types`
// condition of its package.json `exports`), for the Taskerino (TypeScript) frontend.

export interface LoadOptions {
  /** IndexedDB database (default "taskerino-db"). */
  dbName?: string;
  /** Object store (default "collections"). */
  storeName?: string;
  /** DATA form of records we write: "gzip" = "GZIP_V1:"+base64 gzip (default), "json" = plain JSON. */
  encoding?: "gzip" | "json";
  /** Also set window.chunkedMigration and the five console functions (default false). */
  installGlobals?: boolean;
  /** Print the seed-style console output from this api's calls (default false; the console globals always print). */
  log?: boolean;
  /**
   * Folder of the Pyodide bundle: an absolute URL, or one relative to document.baseURI (default:
   * where taskerino-migration/vite serves it, else build/pyodide/ beside the package's lib/).
   */
  indexURL?: string;
}

export interface MigrationOptions {
  dryRun?: boolean;
  verbose?: boolean;
  onProgress?: (message: string, percent: number) => void;
  skipVerification?: boolean;
  skipBackup?: boolean;
  backupRetentionDays?: number;
}

export interface SessionMigrationResult {
  sessionId: string;
  name: string | null;
  success: boolean;
  skipped: boolean;
  resumed: boolean;
  dryRun: boolean;
  backupPath: string | null;
  chunkCounts: Record<string, number>;
  bytesBefore: number;
  bytesAfter: number;
  durationMs: number;
  warnings: string[];
  error: string | null;
  /** Migrated, but its legacy copy is still stored (see BatchMigrationResult.legacyCopiesLeft). */
  legacyCopyLeft: boolean;
}

/** A session (or a record) that was not migrated, and why. */
export interface SessionError {
  sessionId: string;
  message: string;
}

export interface BatchMigrationResult {
  success: boolean;
  dryRun: boolean;
  total: number;
  migrated: number;
  skipped: number;
  errorCount: number;
  errors: SessionError[];
  results: SessionMigrationResult[];
  durationMs: number;
  /** Why the batch stopped early (e.g. not enough storage space); run again to go on. */
  stopped: string | null;
  notMigrated: string[];
  /**
   * Migrated sessions whose legacy copy is still stored beside the chunked form (the app changed
   * or saved it back meanwhile, or skipBackup / skipVerification). Safe; run again to finish.
   */
  legacyCopiesLeft: string[];
}

export interface BackupInfo {
  path: string;
  sessionId: string;
  createdAt: string | null;
  expiresAt: string | null;
}

export interface MigrationStatus {
  total: number;
  chunked: number;
  legacy: number;
  percentage: number;
  backups: BackupInfo[];
  /**
   * Records that could not be read (undecodable, not a session...), and each guarantee this
   * browser can't give for lack of an optional API (no Web Locks, no storage estimate...).
   */
  problems: string[];
}

/** An expired backup that cleanup kept, and why (what would let it go). */
export interface KeptBackup {
  path: string;
  reason: string;
}

export interface CleanupResult {
  /** Deleted, or (dry run) would be. */
  deleted: string[];
  /** Every backup kept, expired or not. */
  kept: number;
  dryRun: boolean;
  /** Each expired backup kept, with its reason; unexpired backups are never listed. */
  keptExpired: KeptBackup[];
}

/** Which optional platform APIs the migration worker has; each missing one has a fallback. */
export interface PlatformFeatures {
  storageEstimate: boolean;
  strictDurability: boolean;
  webLocks: boolean;
  compressionStreams: boolean;
  hardwareConcurrency: boolean;
  base64: boolean;
  hex: boolean;
}

/** A Taskerino Session, exactly as stored (unknown fields included). */
export type Session = { id: string; [field: string]: unknown };

export interface ChunkedMigrationApi {
  readonly dbName: string;
  readonly storeName: string;
  readonly encoding: "gzip" | "json";
  /** Resolves when Python is booted. */
  readonly ready: Promise<ChunkedMigrationApi>;
  /** Resolves when session validation (pydantic) is loaded too. */
  readonly validationReady: Promise<void>;
  readonly timings: Record<string, number>;
  /** The optional platform APIs the worker found (web/lib/platform.mjs); null until `ready`. */
  readonly features: PlatformFeatures | null;
  /** The page's migration worker (Pyodide runs there), shared by every loader of the page; null until it starts (after the task that created the loader, and after a first loadSession read in JS: at most 1 s) and when none could start. */
  readonly worker: Worker | null;
  /** True once Python is booted in the worker. */
  readonly isReady: boolean;
  /** Stop the worker at once: calls in flight reject; the next loader starts a new one. */
  terminate(): void;
  /** Run Python in the worker; resolves to its last expression, converted (tests, debugging). */
  runPython(code: string): Promise<unknown>;
  /** Write a file into Python's file system in the worker (tests, debugging). */
  writeFile(path: string, text: string): Promise<void>;

  runChunkedMigration(options?: MigrationOptions): Promise<BatchMigrationResult>;
  showMigrationStatus(): Promise<MigrationStatus>;
  /** Like showMigrationStatus, without printing. */
  getMigrationStatus(): Promise<MigrationStatus>;
  migrateSingleSession(sessionId: string, options?: Omit<MigrationOptions, "onProgress">): Promise<SessionMigrationResult>;
  /**
   * Returns true when restored; without confirm === true it only explains and returns false.
   * rollbackSession(id, true) restores from the newest backup.
   */
  rollbackSession(sessionId: string, backupPath?: string, confirm?: boolean, options?: { force?: boolean }): Promise<boolean>;
  cleanupBackups(retentionDays?: number, confirm?: boolean): Promise<CleanupResult>;
  /**
   * On-demand migration: a chunked session is loaded; a legacy one is returned as soon as JS has
   * read it (without waiting for Python, where its answer could be nothing else) and migrated
   * right after, or else migrated first and then returned.
   */
  loadSession(sessionId: string): Promise<Session>;
  /** Resolves once every migration loadSession started has finished, to their results (every other call waits for them too). */
  onDemandSettled(): Promise<SessionMigrationResult[]>;
  /** Fill the database with generated legacy sessions (demos). */
  fillDemo(count?: number): Promise<{ created: number; ids: string[] }>;
}

export function loadChunkedMigration(options?: LoadOptions): ChunkedMigrationApi;

/** How many workers gzip runs on (0: in the migration worker itself; default: none on 2 cores or fewer, else
 *  cores - 1, at most 3). Resolves to how many were running before. */
export function setCodecWorkers(count: number): Promise<number>;


/**
 * What failed, as a stable name (errors.KINDS in the Python package; a test keeps the two equal).
 * "internal" is a bug: the message says so, and every session is still whole.
 */
export type MigrationErrorKind =
  | "storage" | "record-decode" | "quota-exceeded" | "index-not-array"
  | "duplicate-element" | "session-layout" | "lock-busy" | "migration-busy"
  | "invalid-session" | "session-not-found" | "unknown-session"
  | "migration" | "invalid-argument" | "unmigratable-session" | "data-integrity"
  | "insufficient-space" | "rollback-refused" | "backup"
  | "internal"
  /** JS only: the migration can't run here or its worker could not start (MigrationBootError). */
  | "boot"
  /** JS only: a call typed wrong (unknown option, wrong type), refused before it ran (UsageError). */
  | "usage";

/** A failure from the Python side, as a readable Error (never a traceback). */
export class MigrationError extends Error {
  constructor(message: string, kind?: MigrationErrorKind);
  readonly kind: MigrationErrorKind;
}

/**
 * The migration can't run here (no IndexedDB or Worker: Node, jsdom), a file of its bundle is not
 * served (the message names its URL), or the worker was stopped. kind: "boot".
 */
export class MigrationBootError extends MigrationError {}

/**
 * A call typed wrong — an unknown option (the message names the closest valid one), a value of
 * the wrong type — refused at once, before anything ran or was sent to Python. kind: "usage".
 */
export class UsageError extends MigrationError {}

declare global {
  interface Window {
    chunkedMigration?: ChunkedMigrationApi;
    runChunkedMigration?: ChunkedMigrationApi["runChunkedMigration"];
    showMigrationStatus?: ChunkedMigrationApi["showMigrationStatus"];
    migrateSingleSession?: ChunkedMigrationApi["migrateSingleSession"];
    rollbackSession?: ChunkedMigrationApi["rollbackSession"];
    cleanupBackups?: ChunkedMigrationApi["cleanupBackups"];
  }
}
