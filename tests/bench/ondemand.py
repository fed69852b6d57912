"""On demand: the first `loadSession(id)` of a legacy session, from navigation start, in a new
page (a new migration worker, Python not booted: cold) with the HTTP cache warm; then another
legacy session in that page once Python is ready (warm). Each beside the floor in the same run:
plain JS reading the same element from the gzip `sessions` array (IndexedDB get, gunzip, parse,
find) — cold from its own page's navigation start, warm from the call. 50 realistic sessions
(fillDemo), each run reading three not read before; medians. The cold case is measured twice:
in a page that preloads the package's modules (as a bundler's build does: the figure a deployed
app sees) and in one that loads them unbundled, one level of imports after another."""
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

# What a bundler's build gives a page (Vite emits a modulepreload link for each module of a
# chunk): every module of the client and its session reader asked for at once. Served as they
# are, unbundled, from a no-cache server, each level of imports costs a round trip.
MODULES = ["taskerino-migration", "commands.generated", "console-args", "errors", "on-demand", "legacy-read",
           "app-database", "array-data", "array-scanner", "data-forms", "gzip-codec", "idb", "platform", "session-keys"]
PRELOAD = "".join(f'<link rel="modulepreload" href="/lib/{m}.mjs">' for m in MODULES)

OURS_PAGE = f"""<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><!--preload-->
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


def cold(context, url, page_name: str, session_id: str) -> tuple[float, float, "object"]:
    """The floor's read of `session_id` from its page's navigation start, then ours in a new page
    (a new migration worker, Python not booted); that page stays open."""
    page = context.new_page()
    page.set_default_timeout(0)
    page.goto(f"{url}/bench-floor.html?id={session_id}")
    floor = page.evaluate("() => window.done")
    page.close()
    page = context.new_page()
    page.set_default_timeout(0)
    page.goto(f"{url}/page/{page_name}?id={session_id}")
    ours = page.evaluate("() => window.done")
    migrated = page.evaluate("() => window.migrated")
    assert migrated["ok"], migrated
    return floor, ours, migrated["ms"], page


def one_run(context, url, ids: list[str]) -> dict:
    floor_plain, ours_plain, _, page = cold(context, url, "bench-ondemand.html", ids[0])
    page.close()
    floor_cold, ours_cold, migrated_ms, page = cold(context, url, "bench-ondemand-preloaded.html", ids[1])
    warm = page.evaluate(WARM, [ids[2]])
    page.close()
    assert warm["migrated"], warm
    return {"floor_cold": floor_cold, "ours_cold": ours_cold, "ours_cold_migrated": migrated_ms,
            "floor_cold_unbundled": floor_plain, "ours_cold_unbundled": ours_plain,
            "floor_warm": warm["floor"], "ours_warm": warm["ours"]}


def run(runs: int = 3) -> dict:
    with chromium() as (new_profile, url):
        context = new_profile()
        context.route(f"{url}/bench-floor.html*", lambda route: route.fulfill(body=FLOOR_PAGE, content_type="text/html"))
        context.route(f"{url}/page/bench-ondemand.html*", lambda route: route.fulfill(body=OURS_PAGE, content_type="text/html"))
        context.route(f"{url}/page/bench-ondemand-preloaded.html*", lambda route: route.fulfill(
            body=OURS_PAGE.replace("<!--preload-->", PRELOAD), content_type="text/html"))
        ids = fill(context, url)  # and the HTTP cache is warm: that page loaded everything
        assert len(ids) >= 3 * runs, ids
        samples = [one_run(context, url, ids[3 * i:3 * i + 3]) for i in range(runs)]
    m = {k: round(median([s[k] for s in samples])) for k in samples[0]}
    results = {"runs": runs, "sessions": N, "median": m, "samples": samples,
               "ratio_cold": round(m["ours_cold"] / m["floor_cold"], 2),
               "ratio_warm": round(m["ours_warm"] / m["floor_warm"], 2),
               "ratio_cold_unbundled": round(m["ours_cold_unbundled"] / m["floor_cold_unbundled"], 2)}
    rows = [f"| first loadSession of a legacy session, {N} sessions (median of {runs}, ms) | ours | floor: plain JS read | ours ÷ floor |",
            "|---|---|---|---|",
            f"| cold: new worker, from navigation start (the package's modules preloaded, as a bundler's build does) | {m['ours_cold']} | {m['floor_cold']} | **{results['ratio_cold']}** |",
            f"| cold, the modules unbundled and not preloaded (each level of imports a round trip) | {m['ours_cold_unbundled']} | {m['floor_cold_unbundled']} | {results['ratio_cold_unbundled']} |",
            f"| warm: Python ready, from the call | {m['ours_warm']} | {m['floor_warm']} | **{results['ratio_warm']}** |",
            f"| cold: its migration finished (ms from navigation start) | {m['ours_cold_migrated']} | | |"]
    write_results("ondemand", results, "\n".join(rows))
    return results
