// The few key names the page's JS needs before Python is up (legacy-read.mjs). Their home is
// pysrc/taskerino_storage/session/layout.py; tests/browser/test_on_demand.py checks these give
// exactly its keys, so the two can't drift.

/** The app's array of whole sessions (layout.LEGACY_SESSIONS_KEY). */
export const LEGACY_SESSIONS_KEY = "sessions";

/** One whole session stored on its own (layout.legacy_session_key). */
export const legacySessionKey = (sessionId) => `sessions/${sessionId}`;

/** What every chunked record of the session starts with (layout.session_prefix). */
export const sessionPrefix = (sessionId) => `sessions/${sessionId}/`;

/** True when `key` names a migration backup (layout.parse_backup_key): never a legacy session. */
export const isBackupKey = (key) => /^sessions\/[^/]+\.backup-[^/]+$/.test(key);
