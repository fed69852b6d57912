"""A small legacy corpus in every form the app has stored, written and checked from inside any
engine's page: Python snippets run in the migration worker (chunkedMigration.runPython), JS
functions in the page. Shared by the Chromium fallback tests and the cross-engine suite.

The corpus: N generated sessions — the first half in the app's `sessions` array (GZIP_V1), then
per-session records `sessions/{id}` alternately as JSON text and GZIP_V1 — and one more session
stored raw (a structured-clone object, as old app versions did), written by the page itself."""
from __future__ import annotations

N = 8
SEED = 16
RAW_INDEX = N  # generate_sessions(N + 1)[N] is the raw one

# Writes the corpus (but the raw record) through the bridge of the worker it runs in.
FILL = f"""
from taskerino_storage.browser.service import open_backend
from taskerino_storage.demo.samples import generate_sessions
originals = generate_sessions({N} + 1, seed={SEED}, size="small")
gz, js = await open_backend(DB), await open_backend(DB, encoding="json")
await gz.write_batch({{"sessions": originals[:{N} // 2]}})
for i, s in enumerate(originals[{N} // 2:{N}]):
    await (js if i % 2 == 0 else gz).write_batch({{"sessions/" + s["id"]: s}})
import json
json.dumps(originals[{RAW_INDEX}])
"""

# Every session through loadSession (commands.load_session: the chunked form, or the legacy one
# migrated on demand), compared type-strictly with a fresh generation of the originals.
CHECK = f"""
from taskerino_storage.browser.service import open_backend
from taskerino_storage.migration import commands, open_runtime
from taskerino_storage.session.compare import json_diff, json_equal
from taskerino_storage.demo.samples import generate_sessions
rt = open_runtime(await open_backend(DB))
report = {{"equal": 0, "different": {{}}}}
for s in generate_sessions({N} + 1, seed={SEED}, size="small"):
    loaded = await commands.load_session(rt, s["id"])
    if json_equal(loaded, s):
        report["equal"] += 1
    else:
        report["different"][s["id"]] = [str(d) for d in json_diff(s, loaded)[:3]]
report
"""

# JS, in the page (app_style.js's appStore): the raw record, and a snapshot of every record.
SAVE_RAW = "async ([db, text]) => { const s = JSON.parse(text); await appStore.saveValue(db, 'sessions/' + s.id, s); return s.id; }"
SNAPSHOT = """async (db) => {
  const out = {};
  for (const key of await appStore.keys(db)) out[key] = JSON.stringify((await appStore.record(db, key)));
  return out;
}"""


def python_for(db: str, code: str) -> str:
    return f"DB = {db!r}\n" + code
