"""Listing every session's metadata: chunked storage versus the monolithic `sessions` array.

Same run, same browser, same N generated sessions (~200 KB each): the app's old way reads the
one `sessions` record (gunzip + JSON.parse of everything) to list sessions; the chunked way
reads `session-index` and each small `sessions/{id}/metadata` record.
"""
from __future__ import annotations

from .harness import chromium, median, write_results

FILL = """
from taskerino_storage.browser.service import open_backend
from taskerino_storage.storage.chunked import ChunkedSessionStorage
from taskerino_storage.demo.samples import generate_session
backend = await open_backend(DB)
storage = ChunkedSessionStorage(backend)
sessions = []
for i in range(N):
    session = generate_session(i, seed=7)
    await storage.save_full_session(session)
    sessions.append(session)
await backend.write_batch({"sessions": sessions})
del sessions
len(await backend.keys("sessions/"))
"""

TIME_MONOLITHIC = """async (db) => {  // what the app did to list sessions: load the whole array
    const t = performance.now();
    const list = JSON.parse(await appStore.load(db, 'sessions'));
    return [performance.now() - t, list.length];
}"""

TIME_CHUNKED_JS = """async (db) => {  // the app's chunked listing: index, then each metadata record
    const t = performance.now();
    const ids = JSON.parse(await appStore.load(db, 'session-index'));
    const metas = await Promise.all(ids.map((id) => appStore.load(db, `sessions/${id}/metadata`).then(JSON.parse)));
    return [performance.now() - t, metas.length];
}"""

TIME_CHUNKED_PY = """
import time
t = time.perf_counter()
listed = await storage.list_all_metadata()
[(time.perf_counter() - t) * 1000, len(listed)]
"""


def run(runs: int = 5, n: int = 500) -> dict:
    from browser.harness import open_booted_page

    with chromium() as (new_profile, url):
        booted = open_booted_page(new_profile(), url)
        booted.page.set_default_timeout(0)
        booted.python(f"DB = 'bench-listing'; N = {n}\n" + FILL)
        samples = {"monolithic": [], "chunked_js": [], "chunked_python": []}
        for _ in range(runs):
            ms, count = booted.page.evaluate(TIME_MONOLITHIC, "bench-listing")
            samples["monolithic"].append(ms)
            ms, count_js = booted.page.evaluate(TIME_CHUNKED_JS, "bench-listing")
            samples["chunked_js"].append(ms)
            ms, count_py = booted.python(TIME_CHUNKED_PY)
            samples["chunked_python"].append(ms)
            assert count == count_js == count_py == n
        size_mb = booted.python("(await backend.estimate()).usage / 1e6")
    results = {"n": n, "runs": runs, "usage_mb": round(size_mb, 1),
               **{f"{k}_ms": round(median(v), 1) for k, v in samples.items()}}
    results["speedup_js"] = round(results["monolithic_ms"] / results["chunked_js_ms"], 1)
    results["speedup_python"] = round(results["monolithic_ms"] / results["chunked_python_ms"], 1)
    table = "\n".join([
        f"| list all session metadata, N = {n} (median of {runs}, ms) | time | speedup |",
        "|---|---|---|",
        f"| monolithic `sessions` array (gunzip + parse everything) | {results['monolithic_ms']} | 1× |",
        f"| chunked, app-style JS reader (index + metadata records) | {results['chunked_js_ms']} | {results['speedup_js']}× |",
        f"| chunked, ours (`list_all_metadata`, Python in Pyodide) | {results['chunked_python_ms']} | {results['speedup_python']}× |",
    ])
    write_results("listing", results, table)
    return results
