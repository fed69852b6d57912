import { useEffect, useState } from "react";
import { MigrationError, setCodecWorkers, type BatchMigrationResult, type Session } from "taskerino-migration";
import { getMigration } from "./migration";

/** Boot state, shown in the header: the app handles `ready`, so a failed boot is a message. */
function useBoot(): string {
  const [boot, setBoot] = useState("starting");
  useEffect(() => {
    getMigration().validationReady.then(
      () => setBoot("ready"),
      (e: unknown) => setBoot(e instanceof MigrationError ? `${e.name} (${e.kind}): ${e.message}` : String(e)),
    );
  }, []);
  return boot;
}

/** A Settings-style dialog: one button migrates every legacy session, with a progress bar. */
function SettingsDialog() {
  const [percent, setPercent] = useState(0);
  const [result, setResult] = useState<BatchMigrationResult | null>(null);
  const [error, setError] = useState("");
  const [codec, setCodec] = useState("");
  async function migrate() {
    setError("");
    try {
      setResult(await getMigration().runChunkedMigration({ onProgress: (_message, p) => setPercent(p) }));
    } catch (e) {
      setError(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    }
  }
  async function useCodecWorkers() {
    setCodec(`running before: ${await setCodecWorkers(2)}`);
  }
  return (
    <section aria-label="Settings">
      <h2>Storage</h2>
      <button onClick={migrate}>Migrate sessions</button>
      <progress data-testid="progress" value={percent} max={100} />
      {result && <p data-testid="result">Migrated {result.migrated} of {result.total}, {result.errorCount} errors</p>}
      {error && <p role="alert" data-testid="migrate-error">{error}</p>}
      <button onClick={useCodecWorkers}>Compress on 2 workers</button>
      <span data-testid="codec">{codec}</span>
    </section>
  );
}

/**
 * A session opened on demand: a legacy one is shown as soon as it is read (before Python has
 * booted) and migrated right after; `onDemandSettled` tells when that migration landed.
 */
function SessionView() {
  const [id, setId] = useState("");
  const [session, setSession] = useState<Session | null>(null);
  const [migrated, setMigrated] = useState("");
  const [error, setError] = useState("");
  async function open() {
    setError("");
    setSession(null);
    setMigrated("");
    try {
      const migration = getMigration();
      setSession(await migration.loadSession(id));
      const results = await migration.onDemandSettled();
      setMigrated(results.every((r) => r.success) ? "stored chunked" : results.map((r) => r.error).join("; "));
    } catch (e) {
      setError(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    }
  }
  return (
    <section aria-label="Session">
      <input aria-label="Session id" value={id} onChange={(e) => setId(e.target.value)} />
      <button onClick={open}>Open session</button>
      {session && <pre data-testid="session">{JSON.stringify(session)}</pre>}
      {migrated && <p data-testid="session-migrated">{migrated}</p>}
      {error && <p role="alert" data-testid="session-error">{error}</p>}
    </section>
  );
}

export function App() {
  const boot = useBoot();
  return (
    <main>
      <h1>Taskerino stand-in</h1>
      <p data-testid="boot">{boot}</p>
      <SettingsDialog />
      <SessionView />
    </main>
  );
}
