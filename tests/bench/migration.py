"""The batch migration against the I/O floor, in the same browser, on the same data.

For each N (a fresh on-disk profile each): N generated realistic sessions (~200 KB of JSON each)
are stored the way the app stores them — one `sessions` record, GZIP_V1 — in two databases.

- ours: the full batch migration (backup + verification on) through the public API
  (`runChunkedMigration`, in the migration worker), timed on the page around the call;
- the floor: a straightforward plain-JS migration written here, on another database: read the
  array once, then per session build the same chunk records and a backup of the session (the
  same envelope as ours), gzip each with CompressionStream, write them (and the session-index)
  in one strict-durability transaction; finally rewrite the array empty. No verification, no
  locks, no checks: the physical minimum of what the migration must write.
- the old floor, beside it: the same without the backup, on a third database.

Memory: the page's JS heap (CDP Runtime.getHeapUsage, after a forced GC; the worker's heap is
its own) and Pyodide's wasm memory in the worker (HEAP8.length: it only ever grows) before and
after our migration.
"""
from __future__ import annotations

import json

from .chart import line_with_legend, svg_frame
from .harness import chromium, write_results

STANDARD = (50, 500)
SERIES = (50, 100, 200, 500)
LONG_SERIES = (50, 100, 200, 500, 1000)

# Python (in the migration worker) generates the sessions a slice at a time and hands them
# over as JSON texts, so Pyodide's wasm memory is not grown by the data set before the
# measurement; the page keeps them until they are stored the app's way.
GENERATE = """async (n) => {
    window.benchTexts = [];
    for (let start = 0; start < n; start += 25) {
        const texts = await chunkedMigration.runPython(`
from taskerino_storage.storage import codec
from taskerino_storage.demo.samples import generate_session
[codec.dumps(generate_session(i, seed=7)) for i in range(${start}, ${Math.min(n, start + 25)})]`);
        window.benchTexts.push(...texts);
    }
    const sizes = window.benchTexts.map((t) => t.length).sort((a, b) => a - b);
    return sizes[Math.floor(sizes.length / 2)];
}"""

STORE_ARRAY = """async (dbs) => {  // the app's legacy layout: one GZIP_V1 `sessions` record
    const text = '[' + window.benchTexts.join(',') + ']';
    window.benchTexts = [];
    for (const db of dbs) await appStore.save(db, 'sessions', text);
    return text.length;
}"""

RUN_OURS = """async (db) => {  // through the public API: the call crosses to the worker and back
    const { loadChunkedMigration } = await import('/lib/taskerino-migration.mjs');
    const api = loadChunkedMigration({ dbName: db, log: false });
    await api.validationReady;
    await api.getMigrationStatus();  // the service for this database is open before the clock starts
    const t = performance.now();
    const r = await api.runChunkedMigration();
    const ms = performance.now() - t;
    return {ms, migrated: r.migrated, errors: r.errors.length, success: r.success,
            durations: r.results.map((x) => x.durationMs)};
}"""

# The floor: the fastest straightforward JS that does the same job minus the guarantees.
RUN_FLOOR = """async ([db, backup]) => {
    const open = () => new Promise((resolve, reject) => {
        const req = indexedDB.open(db, 1);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
    });
    const conn = await open();
    const done = (tx) => new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onabort = () => reject(tx.error); });
    const pipe = async (bytes, stream) => {  // straight into the stream (a Blob costs an IPC hop)
        const writer = stream.writable.getWriter();
        writer.write(bytes); writer.close();
        return new Uint8Array(await new Response(stream.readable).arrayBuffer());
    };
    const enc = new TextEncoder();
    const gzip = async (value) =>
        'GZIP_V1:' + (await pipe(enc.encode(JSON.stringify(value)), new CompressionStream('gzip'))).toBase64();
    const get = async (key) => {
        const tx = conn.transaction('collections', 'readonly');
        const req = tx.objectStore('collections').get(key);
        await done(tx);
        return req.result?.data;
    };
    const t = performance.now();
    const data = await get('sessions');
    const sessions = JSON.parse(new TextDecoder().decode(
        await pipe(Uint8Array.fromBase64(data.slice(8)), new DecompressionStream('gzip'))));
    const index = [];
    const durations = [];
    const parts = [['summary', 'summary', 'hasSummary'], ['audioInsights', 'audio-insights', 'hasAudioInsights'],
                   ['canvasSpec', 'canvas-spec', 'hasCanvasSpec'], ['fullTranscription', 'transcription', 'hasTranscription']];
    const pad = (i) => String(i).padStart(3, '0');
    for (const s of sessions) {
        const t0 = performance.now();
        const id = s.id, base = `sessions/${id}/`;
        const records = {};
        const chunked = (items, size, dir, name) => {
            items = Array.isArray(items) ? items : [];
            const chunkCount = Math.ceil(items.length / size);
            for (let i = 0; i < chunkCount; i++) {
                records[`${base}${dir}/chunk-${pad(i)}`] = {sessionId: id, chunkIndex: i, [name]: items.slice(i * size, (i + 1) * size)};
            }
            return {count: items.length, chunkCount, chunkSize: size};
        };
        const {screenshots, audioSegments, contextItems, summary, audioInsights, canvasSpec, fullTranscription, ...rest} = s;
        const metadata = {...rest, storageVersion: 1, createdAt: s.startTime, updatedAt: new Date().toISOString()};
        for (const [field, key, flag] of parts) {
            metadata[flag] = s[field] != null;
            if (s[field] != null) records[base + key] = s[field];
        }
        if (Array.isArray(contextItems)) records[base + 'context-items'] = contextItems;
        const chunks = {screenshots: chunked(screenshots, 20, 'screenshots', 'screenshots'),
                        audioSegments: chunked(audioSegments, 100, 'audio-segments', 'segments')};
        if (s.video && typeof s.video === 'object') {
            const {chunks: videoChunks, ...video} = s.video;
            chunks.videoChunks = chunked(videoChunks, 100, 'video-chunks', 'chunks');
            metadata.video = video;
        } else {
            chunks.videoChunks = chunked([], 100, 'video-chunks', 'chunks');
        }
        metadata.chunks = chunks;
        metadata.hasVideo = s.video != null;
        metadata.hasFullAudio = s.fullAudioAttachmentId != null;
        records[base + 'metadata'] = metadata;
        if (backup) {
            const created = new Date();
            records[`sessions/${id}.backup-${created.getTime()}`] = {
                session: s, backupCreatedAt: created.toISOString(),
                expiresAt: new Date(created.getTime() + 7 * 86_400_000).toISOString(), originalFormat: 'monolithic',
                source: {layout: 'array', key: 'sessions'}};
        }
        index.push(id);
        records['session-index'] = index;
        const encoded = await Promise.all(Object.entries(records).map(async ([k, v]) => [k, await gzip(v)]));
        const tx = conn.transaction('collections', 'readwrite', {durability: 'strict'});
        const store = tx.objectStore('collections');
        const timestamp = Date.now();
        for (const [name, data] of encoded) store.put({name, data, timestamp});
        await done(tx);
        durations.push(performance.now() - t0);
    }
    const empty = await gzip([]);
    const tx = conn.transaction('collections', 'readwrite', {durability: 'strict'});
    tx.objectStore('collections').put({name: 'sessions', data: empty, timestamp: Date.now()});
    await done(tx);
    const ms = performance.now() - t;
    conn.close();
    return {ms, migrated: sessions.length, durations};
}"""

WASM = "() => chunkedMigration.runPython('import pyodide_js\\npyodide_js._module.HEAP8.length')"


def percentile(values, q):
    ordered = sorted(values)
    if not ordered:
        return None
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def memory(booted, cdp) -> dict:
    cdp.send("HeapProfiler.collectGarbage")
    heap = cdp.send("Runtime.getHeapUsage")
    return {"js_heap_mb": round(heap["usedSize"] / 1e6, 1), "wasm_mb": round(booted.page.evaluate(WASM) / 1e6, 1)}


def measure(new_profile, url, n: int) -> dict:
    from browser.harness import fresh_db, open_booted_page

    context = new_profile()
    booted = open_booted_page(context, url)
    booted.page.set_default_timeout(0)
    cdp = context.new_cdp_session(booted.page)
    ours_db, floor_db, old_floor_db = fresh_db(), fresh_db(), fresh_db()
    median_bytes = booted.page.evaluate(GENERATE, n)
    total_bytes = booted.page.evaluate(STORE_ARRAY, [ours_db, floor_db, old_floor_db])
    before = memory(booted, cdp)
    ours = booted.page.evaluate(RUN_OURS, ours_db)
    after = memory(booted, cdp)
    floor = booted.page.evaluate(RUN_FLOOR, [floor_db, True])
    old_floor = booted.page.evaluate(RUN_FLOOR, [old_floor_db, False])
    assert ours["success"] and ours["migrated"] == n, ours
    assert floor["migrated"] == old_floor["migrated"] == n
    context.close()
    mb = total_bytes / 1e6
    d = ours["durations"]
    return {
        "n": n, "data_mb": round(mb, 1), "median_session_kb": round(median_bytes / 1e3, 1),
        "ours_ms": round(ours["ms"]), "floor_ms": round(floor["ms"]),
        "ratio": round(ours["ms"] / floor["ms"], 2),
        "old_floor_ms": round(old_floor["ms"]), "ratio_old_floor": round(ours["ms"] / old_floor["ms"], 2),
        "sessions_per_s": round(n / ours["ms"] * 1000, 1), "mb_per_s": round(mb / ours["ms"] * 1000, 1),
        "ms_per_session": round(ours["ms"] / n, 1), "floor_ms_per_session": round(floor["ms"] / n, 1),
        "floor_sessions_per_s": round(n / floor["ms"] * 1000, 1),
        "p50_ms": round(percentile(d, 0.5), 1), "p95_ms": round(percentile(d, 0.95), 1), "max_ms": round(max(d), 1),
        "floor_p50_ms": round(percentile(floor["durations"], 0.5), 1),
        "floor_p95_ms": round(percentile(floor["durations"], 0.95), 1),
        "memory_before": before, "memory_after": after,
    }


def svg_chart(points: list[dict], width: int = 640, height: int = 360) -> str:
    """A small hand-written SVG line chart: time (s) against N, ours and the floor."""
    left, right, top, bottom = 60, 20, 30, 50
    xs = [p["n"] for p in points]
    ymax = max(max(p["ours_ms"], p["floor_ms"]) for p in points) / 1000
    ymax = max(1, _nice(ymax))
    xmax = max(xs)

    def X(n):
        return left + (width - left - right) * n / xmax

    def Y(s):
        return height - bottom - (height - top - bottom) * s / ymax

    out = svg_frame(width, height, "Batch migration time vs N (backup + verification) and the plain-JS floor")
    for i in range(6):
        s = ymax * i / 5
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{Y(s):.1f}" y2="{Y(s):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{Y(s) + 4:.1f}" text-anchor="end">{s:g}</text>')
    for n in xs:
        out.append(f'<line x1="{X(n):.1f}" x2="{X(n):.1f}" y1="{height - bottom}" y2="{height - bottom + 5}" stroke="#333"/>')
        out.append(f'<text x="{X(n):.1f}" y="{height - bottom + 18}" text-anchor="middle">{n}</text>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{height - bottom}" y2="{height - bottom}" stroke="#333"/>')
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{height - bottom}" stroke="#333"/>')
    out.append(f'<text x="{(left + width - right) / 2}" y="{height - 12}" text-anchor="middle">sessions (N)</text>')
    out.append(f'<text x="16" y="{(top + height - bottom) / 2}" text-anchor="middle" '
               f'transform="rotate(-90 16 {(top + height - bottom) / 2})">seconds</text>')
    for row, (key, color, name) in enumerate((("ours_ms", "#c0392b", "ours (Python in Pyodide)"),
                                              ("floor_ms", "#2471a3", "floor (plain JS, with backup, no verification)"),
                                              ("old_floor_ms", "#7fb3d5", "old floor (plain JS, no backup)"))):
        out += line_with_legend(points, lambda p, key=key: (X(p["n"]), Y(p[key] / 1000)), color, name, row, left, top)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _nice(value: float) -> float:
    for step in (1, 2, 2.5, 5, 10, 20, 25, 50, 100):
        if value <= step:
            return step
    return float(int(value) + 1)


def run(runs: int = 1, n: int | None = None, long: bool = False) -> dict:
    """Every N of the series (or just `n`), `runs` times each on fresh profiles; medians."""
    sizes = (n,) if n else (LONG_SERIES if long else SERIES)
    points = []
    with chromium() as (new_profile, url):
        for size in sizes:
            samples = []
            for _ in range(max(1, runs)):
                sample = measure(new_profile, url, size)
                print(json.dumps(sample), flush=True)
                samples.append(sample)
            best = sorted(samples, key=lambda s: s["ours_ms"])[len(samples) // 2]  # the median run
            points.append(best)
    by_n = {p["n"]: p for p in points}
    results = {"runs": runs, "series": points}
    if 100 in by_n and 500 in by_n:
        results["wasm_growth_500_vs_100"] = round(
            by_n[500]["memory_after"]["wasm_mb"] / by_n[100]["memory_after"]["wasm_mb"], 2)
    rows = ["| N | data MB | ours ms | floor ms (with backup) | ours ÷ floor | old floor ms (no backup) | ours ÷ old floor | ms per session (ours / floor) | sessions/s | MB/s | one session's time p50 / p95 / max ms (two in flight) | floor p50 / p95 | JS heap MB before → after | wasm MB before → after |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for p in points:
        b, a = p["memory_before"], p["memory_after"]
        rows.append(f"| {p['n']} | {p['data_mb']} | {p['ours_ms']} | {p['floor_ms']} | **{p['ratio']}** | "
                    f"{p['old_floor_ms']} | {p['ratio_old_floor']} | "
                    f"{p['ms_per_session']} / {p['floor_ms_per_session']} | {p['sessions_per_s']} | {p['mb_per_s']} | {p['p50_ms']} / {p['p95_ms']} / {p['max_ms']} | "
                    f"{p['floor_p50_ms']} / {p['floor_p95_ms']} | {b['js_heap_mb']} → {a['js_heap_mb']} | "
                    f"{b['wasm_mb']} → {a['wasm_mb']} |")
    notes = [f"\nMedian session: {points[0]['median_session_kb']} KB of JSON. Ours: full batch "
             "migration, backup + verification on. Floor: plain JS, same chunk records and a backup "
             "of each session, one strict transaction per session, CompressionStream gzip, no "
             "verification. Old floor: the same without the backup."]
    if "wasm_growth_500_vs_100" in results:
        notes.append(f"Wasm memory after N=500 ÷ after N=100: {results['wasm_growth_500_vs_100']}.")
    chart = (svg_chart(points), "time vs N") if len(points) > 1 else None
    write_results("migration", results, "\n".join(rows + notes), chart)
    return results
