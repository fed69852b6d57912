"""The page's boot with `?demo=100` (Python boots, 100 demo sessions are added, the status
shown), each run on a fresh profile: every main-thread task over 50 ms, with what the trace says
it was. A long task's wall time (the "longtask" entry, and the trace's `dur`) counts the time
the thread was runnable but had no core; its thread time (`tdur`) is the work it did. Both are
reported, so that a long task made by the machine's load can be told from one made by our work;
and the idle baseline of bench mainthread shows the load."""
from __future__ import annotations

import collections
import json

from browser.harness import fresh_db

from .harness import chromium, median, write_results
from .mainthread import OBSERVE, TAKE

CATEGORIES = "devtools.timeline,disabled-by-default-devtools.timeline,v8.execute,blink,loading"
LONG_US = 50_000


def traced_boot(context, url) -> dict:
    page = context.new_page()
    page.set_default_timeout(0)
    cdp = context.new_cdp_session(page)
    events, complete = [], []
    cdp.on("Tracing.dataCollected", lambda e: events.extend(e["value"]))
    cdp.on("Tracing.tracingComplete", lambda e: complete.append(True))
    cdp.send("Tracing.start", {"categories": CATEGORIES, "transferMode": "ReportEvents"})
    page.goto(f"{url}/page/index.html?db={fresh_db()}&demo=100")
    # Polled on a timer: a requestAnimationFrame poll (Playwright's default) is a task of its own.
    page.wait_for_function("() => document.body.textContent.includes('Added 100')", polling=250)
    page.wait_for_timeout(1000)
    observed = page.evaluate(TAKE)
    cdp.send("Tracing.end")
    while not complete:
        page.wait_for_timeout(100)
    page.close()
    # Our page's renderer: the one that loaded our URL (Chromium's own WebUI renderers trace too).
    ours = {e["pid"] for e in events if url in json.dumps(e.get("args", {}))}
    main = {(e["pid"], e["tid"]) for e in events if e.get("name") == "thread_name"
            and e["args"]["name"] == "CrRendererMain" and e["pid"] in ours}
    tasks = [e for e in events if (e.get("pid"), e.get("tid")) in main and e.get("ph") == "X"
             and e.get("name") in ("ThreadControllerImpl::RunTask", "RunTask") and e.get("dur", 0) > LONG_US]
    described = []
    for task in tasks:
        inside = collections.Counter()
        for e in events:
            if (e.get("pid"), e.get("tid")) == (task["pid"], task["tid"]) and e.get("ph") == "X" and e is not task \
                    and task["ts"] <= e["ts"] <= task["ts"] + task["dur"] and e.get("tdur", 0) > 1000:
                inside[e["name"]] = max(inside[e["name"]], e.get("tdur", 0) / 1000)
        described.append({"wall_ms": round(task["dur"] / 1000), "thread_ms": round(task.get("tdur", 0) / 1000),
                          "work": [f"{name} {ms:.0f} ms" for name, ms in inside.most_common(4)]})
    return {"longest_wall_ms": round(max((d for _, d in observed), default=0)),
            "longest_thread_ms": max((t["thread_ms"] for t in described), default=0), "tasks": described}


def run(runs: int = 5) -> dict:
    with chromium() as (new_profile, url):
        samples = []
        for _ in range(runs):
            context = new_profile()
            context.add_init_script(OBSERVE)
            samples.append(traced_boot(context, url))
            context.close()
    results = {"runs": runs, "samples": samples,
               "median_longest_wall_ms": median([s["longest_wall_ms"] for s in samples]),
               "max_longest_thread_ms": max(s["longest_thread_ms"] for s in samples)}
    rows = ["| boot with ?demo=100, run | longest task, wall (longtask) | its longest thread time (trace) | what the longest did |",
            "|---|---|---|---|"]
    for i, s in enumerate(samples, 1):
        top = max(s["tasks"], key=lambda t: t["thread_ms"], default=None)
        rows.append(f"| {i} | {s['longest_wall_ms']} ms | {s['longest_thread_ms']} ms | {', '.join(top['work']) if top else ''} |")
    write_results("boottasks", results, "\n".join(rows))
    return results
