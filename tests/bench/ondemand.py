"""On demand: the first `loadSession(id)` of a legacy session, from navigation start, in a new
page (a new migration worker, Python not booted: cold) with the HTTP cache warm; then another
legacy session in that page once Python is ready (warm). Each beside the floor in the same run:
plain JS reading the same element from the gzip `sessions` array (IndexedDB get, gunzip, parse,
find) — cold from its own page's navigation start, warm from the call. 50 realistic sessions
(fillDemo), each run reading two not read before; medians."""
from __future__ import annotations

from .harness import chromium, median, write_results

N = 50
DB = "bench-ondemand"

# The floor: the app's own read of one session, on the main thread.
FLOOR_READ = """async function floorRead(db, id) {
  const conn = await new Promise((ok, no) => { const r = indexedDB.open(db); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  const data = await new Promise((ok, no) => { const r = conn.transaction('collections').objectStore('collections').get('sessions');
    r.onsuccess = () => ok(r.result.data); r.onerror = () => no(r.error); });
  conn.close();
  const payload = data.slice('GZIP_V1:'.length);
  const bytes = Uint8Array.fromBase64 ? Uint8Array.fromBase64(payload) : Uint8Array.from(atob(payload), (c) => c.charCodeAt(0));
  const text = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
  const found = JSON.parse(text).find((s) => s.id === id);
  if (!found) throw new Error('no session ' + id);
  return found;
}"""

FLOOR_PAGE = f"""<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module">
{FLOOR_READ}
const id = new URLSearchParams(location.search).get('id');
window.done = floorRead({DB!r}, id).then(() => performance.now());
</script>"""

OURS_PAGE = f"""<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module">
import {{ loadChunkedMigration }} from '/lib/taskerino-migration.mjs';
{FLOOR_READ}
window.floorRead = floorRead;
const id = new URLSearchParams(location.search).get('id');
const api = window.api = loadChunkedMigration({{ dbName: {DB!r} }});
window.done = api.loadSession(id).then((s) => {{ if (s.id !== id) throw new Error('another session'); return performance.now(); }});
window.migrated = window.done.then(() => api.onDemandSettled()).then((r) => ({{ ms: performance.now(), ok: r.every((x) => x.success) }}));
</script>"""

WARM = """async ([id]) => {
  await api.ready; await api.validationReady;
  let t = performance.now();
  await floorRead('%s', id);
  const floor = performance.now() - t;
  t = performance.now();
  const s = await api.loadSession(id);
  const ours = performance.now() - t;
  if (s.id !== id) throw new Error('another session');
  const settled = await api.onDemandSettled();
  return { floor, ours, migrated: settled.every((x) => x.success) };
}""" % DB


def fill(context, url) -> list[str]:
    """50 legacy sessions in the array; the ids of the whole ones (fillDemo breaks a few on purpose)."""
    page = context.new_page()
    page.set_default_timeout(0)
    page.goto(f"{url}/page/index.html?db={DB}")
    ids = page.evaluate(f"() => chunkedMigration.validationReady.then(() => chunkedMigration.fillDemo({N})).then((r) => r.ids)")
    whole = page.evaluate(f"""async (ids) => {{
        const {{ readLegacySession }} = await import('/lib/legacy-read.mjs');
        const out = [];
        for (const id of ids) if (await readLegacySession({DB!r}, 'collections', id)) out.push(id);
        return out;
    }}""", ids)
    page.close()
    return whole


def one_run(context, url, cold_id: str, warm_id: str) -> dict:
    page = context.new_page()
    page.set_default_timeout(0)
    page.goto(f"{url}/bench-floor.html?id={cold_id}")
    floor_cold = page.evaluate("() => window.done")
    page.close()
    page = context.new_page()  # a new page: a new migration worker, Python not booted
    page.set_default_timeout(0)
    page.goto(f"{url}/page/bench-ondemand.html?id={cold_id}")
    ours_cold = page.evaluate("() => window.done")
    migrated = page.evaluate("() => window.migrated")
    warm = page.evaluate(WARM, [warm_id])
    page.close()
    assert migrated["ok"] and warm["migrated"], (migrated, warm)
    return {"floor_cold": floor_cold, "ours_cold": ours_cold, "ours_cold_migrated": migrated["ms"],
            "floor_warm": warm["floor"], "ours_warm": warm["ours"]}


def run(runs: int = 3) -> dict:
    with chromium() as (new_profile, url):
        context = new_profile()
        context.route(f"{url}/bench-floor.html*", lambda route: route.fulfill(body=FLOOR_PAGE, content_type="text/html"))
        context.route(f"{url}/page/bench-ondemand.html*", lambda route: route.fulfill(body=OURS_PAGE, content_type="text/html"))
        ids = fill(context, url)  # and the HTTP cache is warm: that page loaded everything
        assert len(ids) >= 2 * runs, ids
        samples = [one_run(context, url, ids[2 * i], ids[2 * i + 1]) for i in range(runs)]
    m = {k: round(median([s[k] for s in samples])) for k in samples[0]}
    results = {"runs": runs, "sessions": N, "median": m, "samples": samples,
               "ratio_cold": round(m["ours_cold"] / m["floor_cold"], 2),
               "ratio_warm": round(m["ours_warm"] / m["floor_warm"], 2)}
    rows = [f"| first loadSession of a legacy session, {N} sessions (median of {runs}, ms) | ours | floor: plain JS read | ours ÷ floor |",
            "|---|---|---|---|",
            f"| cold: new worker, from navigation start | {m['ours_cold']} | {m['floor_cold']} | **{results['ratio_cold']}** |",
            f"| warm: Python ready, from the call | {m['ours_warm']} | {m['floor_warm']} | **{results['ratio_warm']}** |",
            f"| cold: its migration finished (ms from navigation start) | {m['ours_cold_migrated']} | | |"]
    write_results("ondemand", results, "\n".join(rows))
    return results
