"""Boot: page load -> globals usable -> Python ready, cold and warm, beside a bare Pyodide boot
in a module worker too (ours runs in one: web/lib/migration-worker.mjs), from the same bundle."""
from __future__ import annotations

import build

from . import boot_engines
from .boot_engines import BARE_PAGE, BARE_WORKER  # the same bare boot in every engine
from .harness import chromium, median, write_results

OURS = """() => chunkedMigration.ready.then(() => ({globals: chunkedMigration.timings.globalsInstalled,
    dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
    pyodide: chunkedMigration.timings.pyodideReady, python: chunkedMigration.timings.pythonReady}))"""


def boot_ours(context, url) -> dict:
    page = context.new_page()
    page.goto(f"{url}/page/index.html?db=bench-boot")
    t = page.evaluate(OURS)
    page.close()
    return {"ours_globals": t["globals"], "ours_globals_after_dcl": t["globals"] - t["dcl"], "ours_pyodide": t["pyodide"], "ours_python": t["python"]}


def boot_bare(context, url) -> dict:
    context.route(f"{url}/bench-bare.html", lambda route: route.fulfill(body=BARE_PAGE, content_type="text/html"))
    context.route(f"{url}/build/bench/bare-worker.mjs", lambda route: route.fulfill(body=BARE_WORKER, content_type="text/javascript"))
    page = context.new_page()
    page.goto(f"{url}/bench-bare.html")
    page.wait_for_function("() => window.bareReady !== undefined")
    t = page.evaluate("() => window.bareReady")
    page.close()
    return {"bare_python": t}


def collect(samples: list[dict]) -> dict:
    return {k: round(median([s[k] for s in samples])) for k in samples[0]}


def run(runs: int = 5) -> dict:
    # Cold: a fresh profile for every boot, ours and bare alike (no HTTP cache, no wasm code
    # cache). Warm: one profile per side, booted once to fill the caches, then reloaded.
    cold, warm = [], []
    with chromium() as (new_profile, url):
        for _ in range(runs):
            sample = {}
            for boot in (boot_ours, boot_bare):
                context = new_profile()
                sample.update(boot(context, url))
                context.close()
            cold.append(sample)
        ours_context, bare_context = new_profile(), new_profile()
        boot_ours(ours_context, url), boot_bare(bare_context, url)
        for _ in range(runs):
            warm.append({**boot_ours(ours_context, url), **boot_bare(bare_context, url)})
    results = {"runs": runs, "cold": collect(cold), "warm": collect(warm)}
    server = build.start_server(0)  # the other engines, each cold (a fresh browser every run)
    results["engines"] = boot_engines.run(f"http://127.0.0.1:{server.server_port}", runs)
    server.shutdown()
    for mode in ("cold", "warm"):
        r = results[mode]
        r["ratio_python_vs_bare"] = round(r["ours_python"] / r["bare_python"], 2)
    rows = ["| boot (median of %d, ms from navigation start) | cold | warm |" % runs, "|---|---|---|"]
    for key, label in [("ours_globals", "globals usable (`window.chunkedMigration`)"),
                       ("ours_globals_after_dcl", "globals usable, ms after DOMContentLoaded (negative: before)"),
                       ("ours_pyodide", "Pyodide + wheels loaded (ours)"),
                       ("ours_python", "**Python ready** (ours: package imported)"),
                       ("bare_python", "bare Pyodide boot in a module worker, same bundle"),
                       ("ratio_python_vs_bare", "**ours ÷ bare**")]:
        rows.append(f"| {label} | {results['cold'][key]} | {results['warm'][key]} |")
    rows += ["", f"| other engines, cold (median of {runs}, ms from navigation start) | Python ready (ours) | bare Pyodide boot | ours ÷ bare |",
             "|---|---|---|---|"]
    for name, r in results["engines"].items():
        rows.append(f"| {name} | {r['ours_python']} | {r['bare_python']} | {r['ratio_python_vs_bare']} |" if "missing" not in r
                    else f"| {name} | not installed ({r['missing']}) | | |")
    write_results("boot", results, "\n".join(rows))
    return results
