"""The host page's main thread: its long tasks (PerformanceObserver "longtask", every task over
50 ms) while the migration boots and while a batch runs (from the page's Migrate button, with
its progress bar and tables, and from the console), beside an idle page for as long (the
machine's own noise, the baseline in the same run). Reported: the longest task, the total
blocking time (the sum of each long task's time over 50 ms) and the count of long tasks."""
from __future__ import annotations

from .harness import chromium, median, write_results

OBSERVE = """(() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
  }).observe({ type: "longtask", buffered: true });
})();"""

TAKE = """() => { const t = window.__longTasks; window.__longTasks = []; return t; }"""

IDLE_PAGE = """<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><p>idle</p>"""


def summary(tasks: list) -> dict:
    durations = [d for _, d in tasks]
    return {"longest_ms": round(max(durations, default=0)), "blocking_ms": round(sum(d - 50 for d in durations)),
            "count": len(durations)}


def timed(page, action) -> tuple[dict, float]:
    page.evaluate(TAKE)
    started = page.evaluate("() => performance.now()")
    action()
    ms = page.evaluate("() => performance.now()") - started
    return summary(page.evaluate(TAKE)), ms


def one_run(new_profile, url, n: int) -> dict:
    context = new_profile()
    context.add_init_script(OBSERVE)
    page = context.new_page()
    page.set_default_timeout(0)
    page.goto(f"{url}/page/index.html?db=bench-mainthread-page")
    page.evaluate("() => chunkedMigration.validationReady")
    boot_ms = page.evaluate("() => performance.now()")
    boot = summary(page.evaluate(TAKE))

    # From the page: its Migrate button, the progress bar, then n result rows and n backup rows.
    page.evaluate(f"() => chunkedMigration.fillDemo({n})")
    page.click("#refresh")
    page.wait_for_selector("body[data-busy=false]", state="attached")

    def click_migrate():
        page.click("#migrate")
        page.wait_for_selector("body[data-busy=false]", state="attached")
    page_batch, page_ms = timed(page, click_migrate)
    assert page.locator("#results-body tr").count() == n

    # From the console, as a devtools user runs it: every documented line printed.
    page.goto(f"{url}/page/index.html?db=bench-mainthread-console")
    page.evaluate(f"() => chunkedMigration.validationReady.then(() => chunkedMigration.fillDemo({n}))")
    result = {}
    # Only a count comes back: Playwright serialising the 500 results on the page is not the user's cost.
    console_batch, console_ms = timed(page, lambda: result.update(
        page.evaluate("() => runChunkedMigration().then((r) => ({migrated: r.migrated}))")))
    assert result["migrated"] > 0, result

    # The baseline: an idle page of the same browser, watched for as long as the longer batch ran.
    context.route(f"{url}/bench-idle.html", lambda route: route.fulfill(body=IDLE_PAGE, content_type="text/html"))
    idle_page = context.new_page()
    idle_page.goto(f"{url}/bench-idle.html")
    idle_page.wait_for_timeout(max(page_ms, console_ms))
    idle = summary(idle_page.evaluate(TAKE))
    context.close()
    return {"boot": boot, "boot_ms": round(boot_ms), "page_batch": page_batch, "page_batch_ms": round(page_ms),
            "console_batch": console_batch, "console_batch_ms": round(console_ms), "idle": idle}


def run(runs: int = 3, n: int = 500) -> dict:
    with chromium() as (new_profile, url):
        samples = [one_run(new_profile, url, n) for _ in range(runs)]
    results = {"runs": runs, "n": n}
    for phase in ("boot", "page_batch", "console_batch", "idle"):
        results[phase] = {k: median([s[phase][k] for s in samples]) for k in samples[0][phase]}
    for phase in ("boot_ms", "page_batch_ms", "console_batch_ms"):
        results[phase] = median([s[phase] for s in samples])
    rows = [f"| main thread (median of {runs}; N = {n}) | longest task | total blocking time | long tasks |",
            "|---|---|---|---|"]
    labels = {"boot": f"boot, to validation ready ({results['boot_ms']:.0f} ms)",
              "page_batch": f"batch of {n} sessions from the page: progress bar, result and backup tables "
                            f"({results['page_batch_ms']:.0f} ms)",
              "console_batch": f"batch of {n} sessions from the console, every line printed "
                               f"({results['console_batch_ms']:.0f} ms)",
              "idle": "idle page, as long as the batch (baseline)"}
    for phase, label in labels.items():
        r = results[phase]
        rows.append(f"| {label} | {r['longest_ms']:.0f} ms | {r['blocking_ms']:.0f} ms | {r['count']:.0f} |")
    write_results("mainthread", results, "\n".join(rows))
    return results
