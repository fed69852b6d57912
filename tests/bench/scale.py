"""The batch migration as the legacy `sessions` array grows: time per session and memory.

For each N (a fresh on-disk profile each): N generated sessions (~180 KB of JSON each) stored
the app's way, one GZIP_V1 `sessions` record. The page builds that record a slice at a time,
gzipping as it goes (it never holds the array's text), so the renderer holds only the DATA
before the measurement starts. Then:

- `getMigrationStatus()` on the legacy array, timed (the first call opens the service; the
  second is the one timed);
- the full batch migration (backup + verification on) through the public API, timed.

Sampled every half second during the batch: the JS heap of the page and of the migration
worker (CDP Runtime.getHeapUsage; the worker's through the page's CDP session, attached to the
worker target), and the renderer's RSS (/proc, the renderer processes of this browser). Pyodide's
wasm memory only ever grows: read after the batch, it is its peak.
"""
from __future__ import annotations

import itertools
import json
import os
import threading
import time
from pathlib import Path

from .chart import line_with_legend, svg_frame
from .harness import chromium, write_results

SERIES = (100, 500, 1000, 2000)
JS_STRING_MAX = (1 << 29) - 24  # V8's longest string: the array's JSON text must fit one

# Python (in the worker) generates the sessions 25 at a time; the page gzips them into one
# GZIP_V1 DATA as they come and stores it as the app would.
BUILD = """async ([db, n]) => {
    const { GzipWriter } = await import('/lib/gzip-codec.mjs');
    const out = new GzipWriter();
    let chars = 0, sizes = [];
    for (let start = 0; start < n; start += 25) {
        const texts = await chunkedMigration.runPython(`
from taskerino_storage.storage import codec
from taskerino_storage.demo.samples import generate_session
[codec.dumps(generate_session(i, seed=7)) for i in range(${start}, ${Math.min(n, start + 25)})]`);
        for (const t of texts) {
            const piece = (chars ? ',' : '[') + t;
            chars += piece.length;
            sizes.push(t.length);
            await out.write(piece);
        }
    }
    await out.write(chars ? ']' : '[]');
    chars += 1;
    const data = await out.close();
    await appStore.saveRawText(db, 'sessions', data);
    sizes.sort((a, b) => a - b);
    return { chars, dataChars: data.length, medianSession: sizes[Math.floor(sizes.length / 2)] };
}"""

START = """async (db) => {
    const { loadChunkedMigration } = await import('/lib/taskerino-migration.mjs');
    const api = loadChunkedMigration({ dbName: db, log: false });
    await api.validationReady;
    await api.getMigrationStatus();  // the service for this database is open before the clocks start
    let t = performance.now();
    const status = await api.getMigrationStatus();
    const statusMs = performance.now() - t;
    window.benchDone = null;
    t = performance.now();
    api.runChunkedMigration().then((r) => {
        window.benchDone = { ms: performance.now() - t, migrated: r.migrated, errors: r.errors.map((e) => e.message),
                             success: r.success, left: r.legacyCopiesLeft };
    }, (e) => { window.benchDone = { failed: String(e) }; });
    return { statusMs, legacy: status.legacySessions ?? status.legacy ?? null, status };
}"""

WASM = "() => chunkedMigration.runPython('import pyodide_js\\npyodide_js._module.HEAP8.length')"


class WorkerHeap:
    """The migration worker's JS heap, through the page's CDP session attached to the worker
    target (Target.sendMessageToTarget: Playwright's CDP sessions take no session id)."""

    def __init__(self, cdp):
        self.cdp, self.sessions, self.replies, self.next_id = cdp, [], {}, 1
        cdp.on("Target.attachedToTarget", self._attached)
        cdp.on("Target.receivedMessageFromTarget", self._received)
        cdp.send("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": False, "flatten": False})

    def _attached(self, event):
        if event["targetInfo"]["type"] == "worker":
            self.sessions.append(event["sessionId"])

    def _received(self, event):
        message = json.loads(event["message"])
        if "id" in message:
            self.replies[message["id"]] = message.get("result", {})

    def used(self, collect: bool = False) -> int:
        """Bytes used by every worker's JS heap (the migration worker, and codec workers if any);
        with `collect`, after a full garbage collection in each: what is still held, not what
        awaits collection."""
        total = 0
        for session in self.sessions:
            if collect:
                self._ask(session, "HeapProfiler.collectGarbage")
            total += self._ask(session, "Runtime.getHeapUsage").get("usedSize", 0)
        return total

    def _ask(self, session: str, method: str) -> dict:
        ident, self.next_id = self.next_id, self.next_id + 1
        self.cdp.send("Target.sendMessageToTarget", {
            "sessionId": session, "message": json.dumps({"id": ident, "method": method})})
        deadline = time.monotonic() + 5
        while ident not in self.replies and time.monotonic() < deadline:
            self.cdp.send("Runtime.evaluate", {"expression": "0"})  # lets the event arrive
        return self.replies.pop(ident, {})


def renderer_rss(profile_marker: str) -> int:
    """The largest RSS (bytes) among the renderer processes of the browser using our profile."""
    procs = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")  # Chromium rewrites its argv into one
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        procs[int(pid)] = (cmd, int(stat.rsplit(")", 1)[1].split()[1]))
    roots = {pid for pid, (cmd, _) in procs.items() if profile_marker.encode() in cmd and b"--type=" not in cmd}
    best = 0
    for pid, (cmd, _) in procs.items():
        if b"--type=renderer" not in cmd:
            continue
        parent = pid
        while parent in procs and parent not in roots:
            parent = procs[parent][1]
        if parent in roots:
            try:
                rss = int(next(l for l in Path(f"/proc/{pid}/status").read_text().splitlines() if l.startswith("VmRSS")).split()[1])
            except (OSError, StopIteration):
                continue
            best = max(best, rss * 1024)
    return best


def measure(new_profile, url, n: int) -> dict:
    from browser.harness import fresh_db, open_booted_page

    context = new_profile()
    marker = context.profile_dir
    booted = open_booted_page(context, url)
    page = booted.page
    page.set_default_timeout(0)
    cdp = context.new_cdp_session(page)
    workers = WorkerHeap(cdp)
    db = fresh_db()
    booted_rss = renderer_rss(marker)  # the booted page, before any data
    built = page.evaluate(BUILD, [db, n])
    cdp.send("HeapProfiler.collectGarbage")
    wasm_before = page.evaluate(WASM)
    batch_rss = renderer_rss(marker)  # the record stored, the batch about to start
    started = page.evaluate(START, db)
    peak = {"page": 0, "worker": 0, "sum": 0, "rss": 0, "live_worker": 0}
    rss_line = []  # (seconds into the batch, renderer RSS): where in the batch the peak comes
    began = time.monotonic()
    for sample in itertools.count():
        done = page.evaluate("window.benchDone")
        page_heap = cdp.send("Runtime.getHeapUsage")["usedSize"]
        worker_heap = workers.used()
        if sample % 4 == 3:  # every 2 s, what the worker really holds (a forced GC; rarely, not to slow it)
            peak["live_worker"] = max(peak["live_worker"], workers.used(collect=True))
        peak["page"] = max(peak["page"], page_heap)
        peak["worker"] = max(peak["worker"], worker_heap)
        peak["sum"] = max(peak["sum"], page_heap + worker_heap)
        rss_line.append((time.monotonic() - began, renderer_rss(marker)))
        peak["rss"] = max(peak["rss"], rss_line[-1][1])
        if done:
            break
        time.sleep(0.5)
    assert "failed" not in done and done["success"] and done["migrated"] == n, done
    wasm_after = page.evaluate(WASM)
    context.close()
    record_mb = built["dataChars"] / 1e6
    return {
        "n": n, "json_mb": round(built["chars"] / 1e6, 1), "record_mb": round(record_mb, 1),
        "median_session_kb": round(built["medianSession"] / 1e3, 1),
        "status_ms": round(started["statusMs"]), "ms": round(done["ms"]), "ms_per_session": round(done["ms"] / n, 1),
        "peak_page_heap_mb": round(peak["page"] / 1e6, 1), "peak_worker_heap_mb": round(peak["worker"] / 1e6, 1),
        "peak_heap_mb": round(peak["sum"] / 1e6, 1), "peak_live_worker_heap_mb": round(peak["live_worker"] / 1e6, 1),
        "wasm_before_mb": round(wasm_before / 1e6, 1),
        "wasm_mb": round(wasm_after / 1e6, 1), "peak_rss_mb": round(peak["rss"] / 1e6, 1),
        "booted_rss_mb": round(booted_rss / 1e6, 1), "before_batch_rss_mb": round(batch_rss / 1e6, 1),
        "rss_growth_mb": round((peak["rss"] - batch_rss) / 1e6, 1), "growth_budget_mb": round(record_mb + 128, 1),
        "rss_peak_by_phase_mb": phase_peaks(rss_line),
        "heap_plus_wasm_mb": round((peak["sum"] + wasm_after) / 1e6, 1),
        "budget_mb": round(record_mb + 64, 1),
    }


def phase_peaks(line: list[tuple[float, int]]) -> dict[str, float]:
    """The RSS peak in the batch's first tenth of its time (the status's scan, the array opened),
    its middle, and its last tenth (the array rewritten), MB."""
    end = line[-1][0] or 1
    phases = {"first tenth": (0, 0.1), "middle": (0.1, 0.9), "last tenth": (0.9, 1.01)}
    return {name: round(max((rss for t, rss in line if lo <= t / end < hi), default=0) / 1e6, 1)
            for name, (lo, hi) in phases.items()}


def largest_n(median_session_chars: float) -> int:
    """The most sessions like these whose array's JSON text fits one JS string."""
    return int(JS_STRING_MAX // (median_session_chars + 1))


def svg_chart(points: list[dict], width: int = 640, height: int = 360) -> str:
    """ms per session (left axis, red) and peak JS heap + wasm against the record size + 64 MB
    budget (right axis, MB), against N."""
    left, right, top, bottom = 60, 60, 30, 50
    xmax = max(p["n"] for p in points)
    tmax = max(p["ms_per_session"] for p in points) * 1.2
    mmax = max(max(p["heap_plus_wasm_mb"], p["budget_mb"], p["peak_rss_mb"]) for p in points) * 1.1

    def X(n):
        return left + (width - left - right) * n / xmax

    def Y(v, vmax):
        return height - bottom - (height - top - bottom) * v / vmax

    out = svg_frame(width, height, "Batch migration as the sessions array grows")
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{height - bottom}" y2="{height - bottom}" stroke="#333"/>')
    for i in range(6):
        y = Y(tmax * i / 5, tmax)
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#c0392b">{tmax * i / 5:.0f}</text>')
        out.append(f'<text x="{width - right + 6}" y="{y + 4:.1f}" fill="#2471a3">{mmax * i / 5:.0f}</text>')
    for p in points:
        out.append(f'<text x="{X(p["n"]):.1f}" y="{height - bottom + 18}" text-anchor="middle">{p["n"]}</text>')
    out.append(f'<text x="{(left + width - right) / 2}" y="{height - 12}" text-anchor="middle">sessions in the array (N)</text>')
    lines = (("ms_per_session", tmax, "#c0392b", "", "ms per session"),
             ("heap_plus_wasm_mb", mmax, "#2471a3", "", "peak JS heap + wasm, MB"),
             ("budget_mb", mmax, "#2471a3", "5,4", "record size + 64 MB"),
             ("peak_rss_mb", mmax, "#7d3c98", "", "renderer RSS peak, MB"))
    for row, (key, vmax, color, dash, name) in enumerate(lines):
        out += line_with_legend(points, lambda p, key=key, vmax=vmax: (X(p["n"]), Y(p[key], vmax)),
                                color, name, row, left, top, dash)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def run(runs: int = 1, n: int | None = None, long: bool = False) -> dict:
    """N = 100, 500, 1000, 2000 (or just `n`); with --long also the largest N that fits one JS string."""
    sizes = [n] if n else list(SERIES)
    points = []
    with chromium() as (new_profile, url):
        for size in sizes:
            point = measure(new_profile, url, size)
            print(json.dumps(point), flush=True)
            points.append(point)
        biggest = largest_n(points[0]["json_mb"] * 1e6 / points[0]["n"])
        if long and not n:
            point = measure(new_profile, url, biggest)
            print(json.dumps(point), flush=True)
            points.append(point)
    results = {"series": points, "largest_n_estimate": biggest}
    rows = ["| N | array JSON MB | stored record MB | ms per session | getMigrationStatus ms | peak JS heap MB (page + worker) | worker heap held MB (peak after a forced GC) | wasm MB (peak) | heap + wasm MB | budget: record + 64 MB | renderer RSS peak MB | renderer RSS: booted page → before the batch MB | **growth during the batch** MB (budget: record + 128) | RSS peak MB: first tenth / middle / last tenth of the batch |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for p in points:
        rows.append(f"| {p['n']} | {p['json_mb']} | {p['record_mb']} | {p['ms_per_session']} | {p['status_ms']} | "
                    f"{p['peak_heap_mb']} ({p['peak_page_heap_mb']} + {p['peak_worker_heap_mb']}) | "
                    f"{p.get('peak_live_worker_heap_mb', '—')} | {p['wasm_mb']} | "
                    f"{p['heap_plus_wasm_mb']} | {p['budget_mb']} | {p['peak_rss_mb']} | "
                    f"{p.get('booted_rss_mb', '—')} → {p.get('before_batch_rss_mb', '—')} | "
                    f"**{p.get('rss_growth_mb', '—')}** ({p.get('growth_budget_mb', '—')}) | "
                    f"{' / '.join(str(v) for v in p.get('rss_peak_by_phase_mb', {}).values()) or '—'} |")
    notes = [f"\nMedian session: {points[0]['median_session_kb']} KB of JSON. Largest N whose array's JSON "
             f"text fits one JS string ({JS_STRING_MAX} characters) with these sessions: about {biggest}."]
    by_n = {p["n"]: p for p in points}
    if 100 in by_n and 2000 in by_n:
        results["time_ratio_2000_vs_100"] = round(by_n[2000]["ms_per_session"] / by_n[100]["ms_per_session"], 2)
        notes.append(f"Time per session at N = 2000 ÷ at N = 100: {results['time_ratio_2000_vs_100']} (target ≤ 1.2).")
    chart = (svg_chart(points), "time and memory vs N") if len(points) > 1 else None
    write_results("scale", results, "\n".join(rows + notes), chart)
    return results
