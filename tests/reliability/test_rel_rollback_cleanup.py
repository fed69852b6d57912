"""Rollback and cleanup safety in the browser: a rollback after the app changed the chunked
session refuses without force (and changes nothing); with force it restores the exact original;
cleanup never deletes a backup before it expired, nor one whose session still has a legacy copy."""
from __future__ import annotations

import json

from browser.harness import fresh_db
from reliability.reliability_helpers import FINGERPRINT, check, fill

N, SEED = 6, 31

API = """async ([db, method, args]) => {
    const { loadChunkedMigration } = await import('/lib/taskerino-migration.mjs');
    window.__apis = window.__apis || {};
    const api = window.__apis[db] || (window.__apis[db] = loadChunkedMigration({ dbName: db, log: false }));
    try { return { ok: await api[method](...args) }; } catch (e) { return { error: e.message }; }
}"""

SNAPSHOT = FINGERPRINT + """async (db) => {
    const out = {};
    for (const key of await appStore.keys(db)) out[key] = fingerprint((await appStore.record(db, key)).data);
    return out;
}"""

# Until the page's clock is past these backups' expiresAt: a 0-day backup expires the
# millisecond after it is written, and cleanup deletes only backups strictly past it.
EXPIRED = """async ([db, keys]) => {
    let latest = 0;
    for (const key of keys) latest = Math.max(latest, Date.parse(JSON.parse(await appStore.load(db, key)).expiresAt));
    while (Date.now() <= latest) await new Promise((r) => setTimeout(r, latest - Date.now() + 1));
    return latest;
}"""


def backup_paths(result: dict) -> list[str]:
    return [r["backupPath"] for r in result["results"] if r["backupPath"]]


def test_rollback_refuses_after_app_change_and_cleanup_keeps_unexpired(booted):
    page, db = booted.page, fresh_db()
    api = lambda method, *args: page.evaluate(API, [db, method, list(args)])
    assert fill(booted, db, N, SEED) == N
    ids = [s["id"] for s in json.loads(page.evaluate("(db) => appStore.load(db, 'sessions')", db))]
    migrated = api("runChunkedMigration", {"backupRetentionDays": 30})["ok"]
    assert migrated["migrated"] == N and migrated["errorCount"] == 0

    # Cleanup: every backup is 30 days from expiry, so nothing goes, whatever the retention asked.
    before = page.evaluate(SNAPSHOT, db)
    for days in (0, 1, 30):
        result = api("cleanupBackups", days, True)["ok"]
        assert result["deleted"] == [] and result["kept"] == N, (days, result)
    assert page.evaluate(SNAPSHOT, db) == before

    # The app renames a chunked session (writes its metadata like the app): rollback refuses.
    sid = ids[0]
    page.evaluate("""async ([db, key]) => {
        const metadata = JSON.parse(await appStore.load(db, key));
        metadata.name = 'Renamed in the app after the migration';
        await appStore.save(db, key, JSON.stringify(metadata), 'gzip');
    }""", [db, f"sessions/{sid}/metadata"])
    changed = page.evaluate(SNAPSHOT, db)
    refused = api("rollbackSession", sid, None, True)
    assert "error" in refused and "changed" in refused["error"], refused
    assert page.evaluate(SNAPSHOT, db) == changed  # nothing at all was written
    status = api("getMigrationStatus")["ok"]
    assert (status["chunked"], status["legacy"]) == (N, 0)

    # With force: the exact original is back in its legacy place, the chunked form gone.
    forced = api("rollbackSession", sid, None, True, {"force": True})
    assert forced.get("ok") is True, forced
    report = check(booted, db, N, SEED)
    assert (report["chunked"], report["legacy"], report["lost_or_altered"]) == (N - 1, 1, [])

    # Backups that expire at once (0 days): cleanup deletes those of verified chunked sessions only,
    # never the backup of the rolled-back session (it has a legacy copy again).
    second = api("runChunkedMigration", {"backupRetentionDays": 0})["ok"]
    assert second["migrated"] == 1 and second["errorCount"] == 0
    api("rollbackSession", sid, None, True)  # back to legacy again, this time unchanged: no force
    page.evaluate(EXPIRED, [db, backup_paths(second)])
    status = api("getMigrationStatus")["ok"]
    assert (status["chunked"], status["legacy"]) == (N - 1, 1)
    dry = api("cleanupBackups", 0, False)["ok"]
    assert dry["dryRun"] is True and all(f"sessions/{sid}." not in path for path in dry["deleted"])
    done = api("cleanupBackups", 0, True)["ok"]
    assert done["deleted"] == dry["deleted"]
    keys = page.evaluate("(db) => appStore.keys(db)", db)
    assert any(k.startswith(f"sessions/{sid}.backup-") for k in keys)  # the rolled-back session keeps its backups
    report = check(booted, db, N, SEED)
    assert report["lost_or_altered"] == [] and report["chunked"] + report["legacy"] == N

    # Migrated again (0 days) and verified: now its expired backups go, the unexpired one stays.
    third = api("runChunkedMigration", {"backupRetentionDays": 0})["ok"]
    assert third["migrated"] == 1 and third["errorCount"] == 0
    page.evaluate(EXPIRED, [db, backup_paths(third)])
    backups = sorted(k for k in page.evaluate("(db) => appStore.keys(db)", db) if k.startswith(f"sessions/{sid}.backup-"))
    assert len(backups) == 3
    gone = api("cleanupBackups", 0, True)["ok"]["deleted"]
    assert sorted(gone) == backups[1:]  # the two 0-day backups; the 30-day one (the oldest) is kept
    assert api("getMigrationStatus")["ok"]["chunked"] == N
    report = check(booted, db, N, SEED)
    assert (report["chunked"], report["lost_or_altered"]) == (N, [])
