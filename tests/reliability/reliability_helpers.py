"""Shared bits of the reliability suite: running the real API on a database, checking sessions."""
from __future__ import annotations

import os

LONG = os.environ.get("TASKERINO_LONG", "") not in ("", "0")

RUN_MIGRATION = """async ([db, options]) => {
    const { loadChunkedMigration } = await import('/lib/taskerino-migration.mjs');
    const api = loadChunkedMigration({ dbName: db, log: false });
    return api.runChunkedMigration(options || {});
}"""

# A JS fingerprint of any stored value, Date, Map, NaN, undefined, -0 and holes included:
# two values with the same fingerprint are the same stored data.
FINGERPRINT = """
const fingerprint = (v) => {
  if (v === undefined) return 'u';
  if (v === null) return 'n';
  if (typeof v === 'number') return Object.is(v, -0) ? 'd:-0' : 'd:' + String(v);
  if (typeof v === 'string') return 's:' + JSON.stringify(v);
  if (typeof v === 'boolean') return 'b:' + v;
  if (typeof v === 'bigint') return 'g:' + v;
  if (v instanceof Date) return 'D:' + v.getTime();
  if (v instanceof Map) return 'M:[' + [...v].map(([k, x]) => fingerprint(k) + '=>' + fingerprint(x)).join(',') + ']';
  if (v instanceof Set) return 'S:[' + [...v].map(fingerprint).join(',') + ']';
  if (Array.isArray(v)) { const out = []; for (let i = 0; i < v.length; i++) out.push(i in v ? fingerprint(v[i]) : 'hole'); return 'A:[' + out.join(',') + ']'; }
  if (typeof v === 'object') return (v.constructor?.name ?? 'null') + ':{' + Object.keys(v).map((k) => JSON.stringify(k) + ':' + fingerprint(v[k])).join(',') + '}';
  return typeof v + ':' + String(v);
};
"""

FILL = """
from taskerino_storage.browser.service import open_backend
from taskerino_storage.demo.samples import generate_sessions
backend = await open_backend(DB)
originals = generate_sessions(N, seed=SEED, broken=N // 10, size="small")
# One transaction: whatever an earlier trial left in this database goes, the new sessions come.
await backend.write_batch({"sessions": originals}, await backend.keys())
len(originals)
"""

# Every original reads back equal from its chunked form or its legacy copy (array or record);
# the session-index has no duplicate; how many backups each session has.
CHECK = """
from taskerino_storage.browser.service import open_backend
from taskerino_storage.storage.chunked import ChunkedSessionStorage
from taskerino_storage.session.compare import json_equal
from taskerino_storage.demo.samples import generate_sessions
from taskerino_storage.session import layout
backend = await open_backend(DB)
originals = generate_sessions(N, seed=SEED, broken=N // 10, size="small")
storage = ChunkedSessionStorage(backend)
legacy = {}
for s in (await backend.get("sessions", [])):
    legacy.setdefault(s["id"], []).append(s)
keys = await backend.keys("sessions/")
for key in keys:
    sid = layout.parse_legacy_session_key(key)
    if sid is not None:
        legacy.setdefault(sid, []).append(await backend.get(key))
report = {"chunked": 0, "legacy": 0, "lost_or_altered": [], "legacy_twice": []}
for original in originals:
    sid = original["id"]
    chunked = await storage.load_full_session(sid)
    if chunked is not None and json_equal(chunked, original):
        report["chunked"] += 1
    elif chunked is None and any(json_equal(copy, original) for copy in legacy.get(sid, [])):
        report["legacy"] += 1
    else:
        report["lost_or_altered"].append(sid)
    if len(legacy.get(sid, [])) > 1:
        report["legacy_twice"].append(sid)
index = await backend.get("session-index", [])
report["index_ids_unique"] = len(set(index)) == len(index)
report["index_ids"] = sorted(index)
backups = {}
for key in keys:
    parsed = layout.parse_backup_key(key)
    if parsed:
        backups[parsed.session_id] = backups.get(parsed.session_id, 0) + 1
report["backups_per_session"] = sorted(set(backups.values()))
report["backed_up"] = len(backups)
report
"""


def check(booted, db: str, n: int, seed: int) -> dict:
    return booted.python(f"DB = {db!r}; N = {n}; SEED = {seed}\n" + CHECK)


def fill(booted, db: str, n: int, seed: int) -> int:
    return booted.python(f"DB = {db!r}; N = {n}; SEED = {seed}\n" + FILL)
