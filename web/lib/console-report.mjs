// The console output of the seed's examples: banners, status block, progress lines, results.
//
// Every line goes out as one single-string console.log: the console applies "%c"/"%o" format
// directives only when more arguments follow, so a session name can't restyle the output; and
// control characters (newlines, bidi overrides) in stored text are escaped, so a session name
// can't forge extra lines.

const RULE = "━".repeat(47);

/** Stored text made safe to print on one line. */
export function safeText(value) {
  return String(value).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function createReporter(sink = console) {
  const line = (text = "") => sink.log(text);
  const banner = (title) => { line(RULE); line(`  ${title}`); line(RULE); line(); };
  const seconds = (ms) => `${(ms / 1000).toFixed(2)}s`;

  function status(s, heading = "📊 Checking current migration status...") {
    line(heading);
    line(`   Total sessions: ${s.total}`);
    line(`   Already migrated: ${s.chunked} (${s.percentage}%)`);
    line(`   Legacy format: ${s.legacy}`);
    // What could not be read, and what this browser's missing APIs cost (platform.mjs).
    for (const problem of s.problems ?? []) line(`   ⚠️  ${safeText(problem)}`);
    line();
  }

  /** Progress lines: every session when verbose, else each time a new tenth is reached. */
  function progressPrinter(verbose) {
    let lastTenth = -1;
    return (message, percent) => {
      const tenth = Math.floor(percent / 10);
      if (verbose || tenth > lastTenth) {
        lastTenth = tenth;
        line(`[${percent}%] ${safeText(message)}`);
      }
    };
  }

  function results(r) {
    line();  // the engine's last progress line was "[100%] Complete: …"
    banner("Migration Results");
    line(`Status: ${r.success ? "✅ Success" : "❌ Failed"}`);
    line(`Total sessions: ${r.total}`);
    line(`Migrated: ${r.migrated}`);
    line(`Skipped (already chunked): ${r.skipped}`);
    line(`Errors: ${r.errorCount}`);
    line(`Duration: ${seconds(r.durationMs)}`);
    line();
    if (r.errors.length) {
      line("❌ Sessions not migrated:");
      for (const e of r.errors) line(`   - ${safeText(e.sessionId)}: ${safeText(e.message)}`);
      line();
    }
    if (r.stopped) {
      line(`⛔ ${safeText(r.stopped)}`);
      line();
    }
    if (r.dryRun) {
      line(r.success ? "✅ Dry run completed successfully!" : "⚠️  Dry run found problems (see above)");
      line();
      line("📋 Summary of what would be migrated:");
      line(`   ${r.migrated} sessions would be migrated`);
      line(`   ${r.skipped} sessions already chunked`);
      line();
      line("💡 To apply changes, run without dryRun:");
      line("   runChunkedMigration({ verbose: true })");
      return;
    }
    const left = r.legacyCopiesLeft ?? [];
    if (!r.success) line("⚠️  Migration finished with errors (see above); run again to retry them");
    else if (left.length) line(`⚠️  Migration finished, but ${left.length} legacy cop${left.length === 1 ? "y is" : "ies are"} still stored beside the chunked form: run again to finish`);
    else line("✅ Migration completed successfully!");
    if (left.length) {
      for (const id of left.slice(0, 10)) line(`   - ${safeText(id)}`);
      if (left.length > 10) line(`   … and ${left.length - 10} more`);
    }
    line();
    if (r.migrated) {
      line(`📦 Backups created with ${r.retentionDays}-day retention`);
      line(`   Backups will be automatically cleaned up after ${r.retentionDays} days`);
      line();
    }
    line("💡 If you need to rollback a session:");
    line("   rollbackSession('session-id', 'backup-path', true)");
    line();
    line("📊 To check migration status anytime:");
    line("   showMigrationStatus()");
  }

  return { line, banner, status, progressPrinter, results, table: (rows) => sink.table(rows) };
}
