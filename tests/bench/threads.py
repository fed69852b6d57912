"""Where the batch's time goes, thread by thread, beside the floor's; and what a second Python
worker would change. These are the two questions issue 22 asks while the batch is over 1.5×.

The data and the floor are bench migration's: N generated sessions (~180 KB of JSON each) in one
GZIP_V1 `sessions` record, and the plain-JS floor with backup (bench/migration.py RUN_FLOOR).
Each run uses a fresh on-disk profile.

1. The CPU split. Our batch (one migration worker) and the floor (plain JS on the page) each run
   under a Chromium trace with V8's sampling profiler. For the busiest thread of each, the trace
   gives its CPU time per session (the tasks' thread time). Its samples show where that time
   went: Python (wasm), Pyodide's JS glue, our JS modules, the browser's native work under
   them (gzip streams, IndexedDB requests, text encoding), garbage collection, idle.
2. A second Python worker, at its best. The sessions are split between two databases, and one
   batch runs in each at once, on two migration workers. A second bundle URL for the same files
   starts the second worker; its batch lock is renamed, as two databases need no common one.
   The two batches share nothing, so this is an upper bound on what a second worker could buy
   inside one batch. Beside it, untraced, in the same profile: one worker on all N, and the floor.
   The renderer's RSS before and after the second worker boots is what it costs in memory.
"""
from __future__ import annotations

import collections

from browser.harness import fresh_db, open_booted_page

from .harness import chromium, median, write_results
from .migration import GENERATE, RUN_FLOOR
from .scale import renderer_rss

CATEGORIES = "disabled-by-default-v8.cpu_profiler,toplevel,devtools.timeline"
TASKS = ("ThreadControllerImpl::RunTask", "RunTask")

STORE = """async (parts) => {  // parts: [[db, first, end], ...] of window.benchTexts, stored the app's way
    for (const [db, first, end] of parts) {
        await appStore.save(db, 'sessions', '[' + window.benchTexts.slice(first, end).join(',') + ']');
    }
}"""

# Our batches, through the public API, each database on its own worker (by bundle URL); the
# clock runs from all starting to all finished.
RUN_OURS = """async (targets) => {  // targets: [[db, indexURL or null], ...]
    const { loadChunkedMigration } = await import('/lib/taskerino-migration.mjs');
    const apis = targets.map(([dbName, indexURL]) => loadChunkedMigration({ dbName, log: false, indexURL: indexURL ?? undefined }));
    for (const api of apis) { await api.validationReady; await api.getMigrationStatus(); }
    for (const api of apis.slice(1)) {  // two databases, two batches: not one origin-wide lock
        await api.runPython('from taskerino_storage.migration import locks\\nlocks.BATCH_LOCK += ":" + ' + JSON.stringify(api.dbName));
    }
    const t = performance.now();
    const results = await Promise.all(apis.map((api) => api.runChunkedMigration()));
    const ms = performance.now() - t;
    for (const r of results) if (!r.success) throw new Error(JSON.stringify(r.errors.slice(0, 2)));
    return { ms, migrated: results.reduce((sum, r) => sum + r.migrated, 0) };
}"""

BOOT = """async ([dbName, indexURL]) => {
    const { loadChunkedMigration } = await import('/lib/taskerino-migration.mjs');
    await loadChunkedMigration({ dbName, log: false, indexURL }).validationReady;
}"""

SECOND_BUNDLE = "/build//pyodide/"  # the same files (the server collapses "//"), another worker


def traced(context, page, action) -> tuple[object, list[dict]]:
    """(what `action()` returns, the trace events recorded around it)."""
    cdp = context.new_cdp_session(page)
    events, complete = [], []
    cdp.on("Tracing.dataCollected", lambda e: events.extend(e["value"]))
    cdp.on("Tracing.tracingComplete", lambda e: complete.append(True))
    cdp.send("Tracing.start", {"categories": CATEGORIES, "transferMode": "ReportEvents"})
    value = action()
    cdp.send("Tracing.end")
    while not complete:
        page.wait_for_timeout(100)
    cdp.detach()
    return value, events


def thread_cpu_ms(events: list[dict], thread: tuple[int, int]) -> float:
    """The thread's CPU time in its top-level tasks (nested tasks counted once)."""
    spans = sorted((e["ts"], e["ts"] + e.get("dur", 0), e.get("tdur", 0)) for e in events
                   if e.get("ph") == "X" and e.get("name") in TASKS and (e["pid"], e["tid"]) == thread)
    total, end = 0, -1
    for start, stop, cpu in spans:
        if start >= end:
            total, end = total + cpu, stop
    return total / 1000


ORDER = ("Python (wasm)", "Pyodide's JS glue", "our JS (web/lib)", "native: gzip, IndexedDB, text coding",
         "V8 itself", "garbage collection", "other JS", "idle")


def _category(frame: dict) -> str:
    name, url = frame.get("functionName", ""), frame.get("url", "")
    if name in ("(idle)", "(garbage collector)", "(program)"):
        return {"(idle)": "idle", "(garbage collector)": "garbage collection", "(program)": "V8 itself"}[name]
    if name.startswith("wasm-function") or url.endswith(".wasm"):
        return "Python (wasm)"
    if "pyodide" in url:
        return "Pyodide's JS glue"
    if "/lib/" in url:
        return "our JS (web/lib)"
    return "native: gzip, IndexedDB, text coding" if not url else "other JS"


def sampled_split(events: list[dict]) -> tuple[tuple[int, int], dict[str, float]]:
    """The busiest sampled thread, and its sampled ms by category (_category)."""
    threads, nodes = {}, collections.defaultdict(dict)
    samples = collections.defaultdict(list)
    for e in events:
        if e.get("name") == "Profile":
            threads[e["id"]] = (e["pid"], e["tid"])
        elif e.get("name") == "ProfileChunk":
            profile = e["args"]["data"].get("cpuProfile", {})
            for node in profile.get("nodes", []):
                nodes[e["id"]][node["id"]] = node
            samples[e["id"]].extend(zip(profile.get("samples", []), e["args"]["data"].get("timeDeltas", [])))
    splits = {}
    for profile, taken in samples.items():
        split = collections.Counter()
        for (node, _), (_, delta) in zip(taken, taken[1:]):  # a sample lasts until the next one
            split[_category(nodes[profile].get(node, {}).get("callFrame", {}))] += delta / 1000
        splits[profile] = split
    busiest = max(splits, key=lambda p: sum(ms for c, ms in splits[p].items() if c != "idle"))
    return threads[busiest], dict(splits[busiest])


def one_run(new_profile, url, n: int) -> dict:
    context = new_profile()
    page = open_booted_page(context, url).page
    page.set_default_timeout(0)
    page.evaluate(GENERATE, n)
    half = (n + 1) // 2
    traced_ours, traced_floor, ours, floor, first, second = (fresh_db() for _ in range(6))
    page.evaluate(STORE, [[db, 0, n] for db in (traced_ours, traced_floor, ours, floor)]
                  + [[first, 0, half], [second, half, n]])
    page.evaluate("() => { window.benchTexts = []; }")
    split = {}
    for side, action in (("ours", lambda: page.evaluate(RUN_OURS, [[traced_ours, None]])),
                         ("floor", lambda: page.evaluate(RUN_FLOOR, [traced_floor, True]))):
        result, events = traced(context, page, action)
        assert result["migrated"] == n, result
        thread, by_category = sampled_split(events)
        split[side] = {"cpu_ms_per_session": round(thread_cpu_ms(events, thread) / n, 1),
                       "sampled_ms_per_session": {c: round(ms / n, 1) for c, ms in sorted(by_category.items())}}
    one = page.evaluate(RUN_OURS, [[ours, None]])
    plain = page.evaluate(RUN_FLOOR, [floor, True])
    rss_one = renderer_rss(context.profile_dir)
    page.evaluate(BOOT, [second, SECOND_BUNDLE])
    rss_two = renderer_rss(context.profile_dir)
    two = page.evaluate(RUN_OURS, [[first, None], [second, SECOND_BUNDLE]])
    assert one["migrated"] == two["migrated"] == plain["migrated"] == n, (one, two, plain)
    context.close()
    return {"split": split, "one_worker_ms": one["ms"], "two_workers_ms": two["ms"], "floor_ms": plain["ms"],
            "second_worker_rss_mb": round((rss_two - rss_one) / 1e6, 1)}


def run(runs: int = 3, n: int | None = None) -> dict:
    n = n or 200
    with chromium() as (new_profile, url):
        samples = [one_run(new_profile, url, n) for _ in range(runs)]

    def mid(get):
        return median([get(s) for s in samples])

    results = {"n": n, "runs": runs, "samples": samples,
               "one_worker_ratio": round(mid(lambda s: s["one_worker_ms"] / s["floor_ms"]), 2),
               "two_workers_ratio": round(mid(lambda s: s["two_workers_ms"] / s["floor_ms"]), 2),
               "second_worker_rss_mb": mid(lambda s: s["second_worker_rss_mb"])}
    seen = {c for s in samples for side in s["split"].values() for c in side["sampled_ms_per_session"]}
    categories = [c for c in ORDER if c in seen] + sorted(seen - set(ORDER))
    rows = [f"CPU of the busiest thread per session, N = {n}, median of {runs} (ms; sampled split):", "",
            "| | thread CPU | " + " | ".join(categories) + " |", "|---|---|" + "---|" * len(categories)]
    for side, thread in (("ours", "migration worker"), ("floor", "page")):
        cpu = mid(lambda s: s["split"][side]["cpu_ms_per_session"])
        parts = [f"{mid(lambda s: s['split'][side]['sampled_ms_per_session'].get(c, 0.0)):.1f}" for c in categories]
        rows.append(f"| {side} ({thread}) | **{cpu:.1f}** | " + " | ".join(parts) + " |")
    rows += ["", f"Wall time against the floor with backup, N = {n}, untraced, median of {runs}:", "",
             "| | ms per session | ÷ floor |", "|---|---|---|",
             f"| one Python worker | {mid(lambda s: s['one_worker_ms']) / n:.1f} | **{results['one_worker_ratio']}** |",
             f"| two Python workers, half each (the upper bound) | {mid(lambda s: s['two_workers_ms']) / n:.1f} | "
             f"**{results['two_workers_ratio']}** |",
             f"| floor | {mid(lambda s: s['floor_ms']) / n:.1f} | 1 |", "",
             f"The second worker's renderer memory: +{results['second_worker_rss_mb']} MB RSS (median)."]
    write_results("threads", results, "\n".join(rows))
    return results
