// Generated from pysrc/taskerino_storage/browser/console.py COMMANDS: do not edit. Rewrite with
//   PYTHONPATH=pysrc python3 -m taskerino_storage.browser.console web/lib/commands.generated.mjs
// Every console command: its name, its arguments and their checks, what it prints at once.
export const COMMANDS = [
  {"name": "runChunkedMigration", "usage": "runChunkedMigration(options)", "console": true, "params": [{"name": "options", "check": "options", "default": {}, "options": {"dryRun": "boolean", "verbose": "boolean", "skipVerification": "boolean", "skipBackup": "boolean", "backupRetentionDays": "days", "onProgress": "function"}}], "opening": {"option": "dryRun", "whenTrue": ["━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━", "  Chunked Storage Migration", "━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━", "", "⚠️  DRY RUN MODE - No changes will be saved", ""], "whenFalse": ["━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━", "  Chunked Storage Migration", "━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━", ""]}},
  {"name": "showMigrationStatus", "usage": "showMigrationStatus()", "console": true, "params": [], "table": "backups"},
  {"name": "migrateSingleSession", "usage": "migrateSingleSession(sessionId, options)", "console": true, "params": [{"name": "sessionId", "check": "sessionId"}, {"name": "options", "check": "options", "default": {}, "options": {"dryRun": "boolean", "verbose": "boolean", "skipVerification": "boolean", "skipBackup": "boolean", "backupRetentionDays": "days"}}]},
  {"name": "rollbackSession", "usage": "rollbackSession(sessionId, backupPath, confirm, options)", "console": true, "params": [{"name": "sessionId", "check": "sessionId"}, {"name": "backupPath", "check": "backupPath", "default": null}, {"name": "confirm", "check": "confirm", "default": null}, {"name": "options", "check": "options", "default": {}, "options": {"force": "boolean"}}]},
  {"name": "cleanupBackups", "usage": "cleanupBackups(retentionDays, confirm)", "console": true, "params": [{"name": "retentionDays", "check": "days", "default": 30}, {"name": "confirm", "check": "boolean", "default": false}]},
  {"name": "getMigrationStatus", "usage": "getMigrationStatus()", "console": false, "params": []},
  {"name": "loadSession", "usage": "loadSession(sessionId)", "console": false, "params": [{"name": "sessionId", "check": "sessionId"}]},
  {"name": "fillDemo", "usage": "fillDemo(count)", "console": false, "params": [{"name": "count", "check": "days", "default": 20}]},
];
