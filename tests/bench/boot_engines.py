"""Boot in the other engines (tests/engines/drivers.py), for `bench boot`: Python ready on our
page, beside a bare Pyodide boot in a module worker from the same bundle, each in a browser
started fresh for every run (cold: no HTTP or wasm code cache)."""
from __future__ import annotations

from engines import drivers

from .harness import median

BARE_WORKER = """const { loadPyodide } = await import('/build/pyodide/pyodide.mjs');
await loadPyodide({ indexURL: '/build/pyodide/', lockFileURL: '/build/pyodide/taskerino-lock.json' });
postMessage(performance.timeOrigin + performance.now());"""

BARE_PAGE = """<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module">
const worker = new Worker('/build/bench/bare-worker.mjs', { type: 'module' });
worker.onmessage = ({ data }) => { window.bareReady = data - performance.timeOrigin; };
</script>"""

OURS = """async () => {
  for (let i = 0; i < 1200 && !window.chunkedMigration; i++) await new Promise((r) => setTimeout(r, 50));
  await chunkedMigration.ready;
  return chunkedMigration.timings.pythonReady;
}"""
BARE = """async () => {
  for (let i = 0; i < 2400 && window.bareReady === undefined; i++) await new Promise((r) => setTimeout(r, 50));
  return window.bareReady;
}"""


def write_bare_files() -> None:
    folder = drivers.ROOT / "web" / "build" / "bench"  # ignored, served with web/
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bare.html").write_text(BARE_PAGE)
    (folder / "bare-worker.mjs").write_text(BARE_WORKER)


def boot_once(name: str, url: str, page: str, probe: str) -> float:
    with getattr(drivers, name)() as engine:
        tab = engine.new_tab()
        tab.goto(f"{url}{page}")
        return tab.evaluate(probe)


def run(url: str, runs: int) -> dict:
    """{engine: {version, ours_python, bare_python, ratio}} for each engine installed here."""
    write_bare_files()
    results = {}
    for name in ("webkit", "firefox"):
        if drivers.missing(name):
            results[name] = {"missing": drivers.missing(name)}
            continue
        ours = [boot_once(name, url, "/page/index.html?db=bench-boot", OURS) for _ in range(runs)]
        bare = [boot_once(name, url, "/build/bench/bare.html", BARE) for _ in range(runs)]
        results[name] = {"ours_python": round(median(ours)), "bare_python": round(median(bare))}
        results[name]["ratio_python_vs_bare"] = round(results[name]["ours_python"] / results[name]["bare_python"], 2)
    return results
