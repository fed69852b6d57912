"""The migration page (web/page/index.html), clicked through in Chromium on real Pyodide and IndexedDB:
demo data, dry run, migration with live progress, rollback and cleanup through the page's
<dialog>, hostile session names shown as text, and a layout without horizontal page overflow.

Set TASKERINO_SCREENSHOTS=1 to refresh docs/page.png and docs/page-narrow.png."""
from __future__ import annotations

import json
import os
import re

import pytest
from browser.harness import HERE, OffsiteGuard, fresh_db
from playwright.sync_api import expect

T = 120_000  # ms: boot, demo fill and a migration of realistic sessions
DOCS = HERE.parents[1] / "docs"
HOSTILE = '<img src=x onerror="window.__pwned=1">'


class PageUnderTest:
    def __init__(self, browser, web_url, query="", viewport=(1280, 800), db=None):
        self.db = db or fresh_db()
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        self.guard = OffsiteGuard(self.context)
        self.context.add_init_script(path=str(HERE / "app_style.js"))
        self.page = self.context.new_page()
        self.page.set_default_timeout(T)
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(f"{web_url}/page/index.html?db={self.db}{query}")
        expect(self.page.locator("#boot-status")).to_have_text(re.compile(r"^Python ready"), timeout=T)

    def text(self, selector: str) -> str:
        return self.page.locator(selector).inner_text()

    def expect_status(self, total=None, chunked=None, legacy=None):
        for value, sel in ((total, "#status-total"), (chunked, "#status-chunked"), (legacy, "#status-legacy")):
            if value is not None:
                expect(self.page.locator(sel)).to_have_text(str(value), timeout=T)

    def idle(self):
        expect(self.page.locator("body")).to_have_attribute("data-busy", "false", timeout=T)

    def close(self):
        assert self.errors == [], self.errors
        assert self.guard.blocked == [], self.guard.blocked
        self.context.close()


@pytest.fixture
def open_page(browser, web_url):
    pages = []

    def open_(query="", viewport=(1280, 800), db=None):
        pages.append(PageUnderTest(browser, web_url, query, viewport, db))
        return pages[-1]

    yield open_
    for p in pages:
        p.close()


def record_progress(page):
    """Collect every value the progress bar shows, from now on."""
    page.evaluate("""() => {
        window.__progress = [];
        const bar = document.getElementById('progress');
        new MutationObserver(() => window.__progress.push(Number(bar.getAttribute('aria-valuenow'))))
            .observe(bar, { attributes: true, attributeFilter: ['aria-valuenow'] });
    }""")


def test_page_clicked_through(open_page):
    ui = open_page("&demo=6")
    page = ui.page
    ui.expect_status(total=6, chunked=0, legacy=6)
    expect(page.locator("#notice")).to_contain_text("Added 6 generated demo sessions")
    expect(page.locator("#backups-empty")).to_be_visible()
    ui.idle()

    # Dry run: every session listed, nothing written.
    record_progress(page)
    page.click("#dry-run")
    ui.idle()
    rows = page.locator("#results-body tr")
    expect(rows).to_have_count(6)
    expect(page.locator("#results-caption")).to_contain_text("Dry run")
    expect(page.locator("#progress")).to_have_attribute("aria-valuenow", "100")
    assert page.locator('#results-body tr[data-outcome="good"]').count() == 6
    expect(rows.first.locator("td").nth(1)).to_have_text(re.compile("Would migrate"))
    expect(page.locator("#run-summary")).to_contain_text("nothing was written")
    ui.expect_status(total=6, chunked=0, legacy=6)
    expect(page.locator("#backups-body tr")).to_have_count(0)
    seen = page.evaluate("() => window.__progress")
    assert seen[-1] == 100 and len(set(seen)) >= 3 and seen == sorted(seen), seen

    # Migrate, keeping backups 0 days so that the cleanup below has something to offer.
    page.fill("#migrate-retention", "0")
    record_progress(page)
    page.click("#migrate")
    expect(page.locator("#dry-run")).to_be_disabled()  # nothing else can start while it runs
    ui.idle()
    expect(page.locator("#progress")).to_have_attribute("aria-valuenow", "100")
    assert page.evaluate("() => window.__progress").count(100) >= 1
    expect(page.locator("#results-caption")).to_contain_text("Migration")
    expect(rows).to_have_count(6)
    migrated = page.locator('#results-body tr[data-outcome="good"]').count()
    failed = page.locator('#results-body tr[data-outcome="bad"]').count()
    assert migrated + failed == 6 and migrated >= 5
    for i in range(6):  # every row reports its chunks, sizes and time
        cells = rows.nth(i).locator("td")
        if rows.nth(i).get_attribute("data-outcome") == "good":
            assert re.fullmatch(r"\d+", cells.nth(2).inner_text()), cells.nth(2).inner_text()
            assert "→" in cells.nth(3).inner_text() and re.search(r"\d", cells.nth(4).inner_text())
    ui.expect_status(total=6, chunked=migrated, legacy=6 - migrated)
    expect(page.locator("#status-percentage")).to_have_text(f"{round(migrated * 100 / 6)}%")
    backups = page.locator("#backups-body tr")
    expect(backups).to_have_count(migrated)
    expect(page.locator("#status-backups")).to_have_text(str(migrated))

    # Roll back one: Cancel changes nothing; Roll back restores the original.
    first = backups.first
    session_id, path = first.get_attribute("data-session-id"), first.get_attribute("data-path")
    assert path.startswith(f"sessions/{session_id}.backup-")
    first.locator("button.rollback").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(path)
    expect(page.locator("#confirm-ok")).to_have_text("Roll back")
    page.click("#confirm-cancel")
    expect(dialog).to_be_hidden()
    ui.expect_status(chunked=migrated, legacy=6 - migrated)

    first.locator("button.rollback").click()
    expect(dialog).to_be_visible()
    page.click("#confirm-ok")
    expect(dialog).to_be_hidden()
    ui.idle()
    ui.expect_status(total=6, chunked=migrated - 1, legacy=6 - migrated + 1)
    expect(page.locator("#notice")).to_contain_text("Rolled back")
    restored = json.loads(page.evaluate("(db) => appStore.load(db, 'sessions')", ui.db))
    assert session_id in [s["id"] for s in restored]

    # Cleanup: 30 days finds nothing; 0 days offers the expired backups of migrated sessions.
    page.click("#cleanup")
    ui.idle()
    expect(page.locator("#cleanup-result")).to_contain_text("nothing to delete")
    page.fill("#retention-days", "0")
    page.click("#cleanup")
    expect(dialog).to_be_visible()
    expect(page.locator("#confirm-body li")).to_have_count(migrated - 1)  # not the rolled-back one
    expect(page.locator("#cleanup-result")).to_contain_text("would be deleted")
    page.click("#confirm-cancel")
    expect(page.locator("#cleanup-result")).to_contain_text("no backups were deleted")
    expect(backups).to_have_count(migrated)

    page.click("#cleanup")
    expect(dialog).to_be_visible()
    page.click("#confirm-ok")
    ui.idle()
    expect(page.locator("#cleanup-result")).to_contain_text(f"Deleted {migrated - 1} backup(s)")
    expect(backups).to_have_count(1)
    assert backups.first.get_attribute("data-session-id") == session_id
    expect(page.locator("#alert")).to_be_hidden()


def test_hostile_session_name_is_shown_as_text(open_page):
    ui = open_page()
    page = ui.page
    ui.idle()
    ui.expect_status(total=0)
    page.evaluate("""async ([db, name]) => {
        await chunkedMigration.fillDemo(1);
        const sessions = JSON.parse(await appStore.load(db, 'sessions'));
        sessions[0].name = name;
        await appStore.save(db, 'sessions', JSON.stringify(sessions), 'gzip');
    }""", [ui.db, HOSTILE])
    page.click("#refresh")
    ui.idle()
    ui.expect_status(total=1, legacy=1)

    page.click("#migrate")
    ui.idle()
    expect(page.locator("#results-body .session-name")).to_have_text(HOSTILE)
    expect(page.locator("#backups-body .session-name")).to_have_text(HOSTILE)
    page.locator("#backups-body button.rollback").click()
    expect(page.locator("#confirm-body strong")).to_have_text(HOSTILE)
    page.click("#confirm-cancel")
    assert page.locator("img").count() == 0
    assert page.evaluate("() => window.__pwned") is None

    # The renderers, fed hostile text in every field the engine could return.
    page.evaluate("""async (evil) => {
        const ui = await import('./page.mjs');
        ui.renderResults({ dryRun: false, results: [{ sessionId: evil, name: evil, success: false, skipped: false,
            chunkCounts: { [evil]: 1 }, bytesBefore: 1, bytesAfter: 2, durationMs: 3, warnings: [evil, evil], error: evil }] });
        ui.renderRunSummary({ success: false, dryRun: false, migrated: 0, skipped: 0, errorCount: 1, durationMs: 1, stopped: evil });
        ui.renderBackups([{ path: evil, sessionId: evil, createdAt: evil, expiresAt: null }], new Map([[evil, evil]]), () => {});
        ui.renderStatus({ total: 1, chunked: 0, legacy: 1, percentage: 0, backups: [], problems: [evil] });
        ui.renderCleanupResult('warn', evil, [evil]);
        ui.setProgress(evil, 50);
        ui.showAlert(evil, evil);
        ui.showNotice(evil);
    }""", HOSTILE)
    page.locator("#results-body details summary").click()
    expect(page.locator("#results-body .error-text")).to_have_text(HOSTILE)
    expect(page.locator("#results-body details li").first).to_have_text(HOSTILE)
    expect(page.locator("#progress-message")).to_have_text(HOSTILE)
    expect(page.locator("#alert-message")).to_have_text(HOSTILE)
    assert page.locator("img").count() == 0
    assert page.evaluate("() => window.__pwned") is None


def test_errors_are_shown_clearly(open_page):
    ui = open_page("&demo=4")
    page = ui.page
    ui.expect_status(total=4)
    ui.idle()

    page.fill("#migrate-retention", "-1")  # checked by the page before anything runs
    page.click("#migrate")
    expect(page.locator("#alert")).to_be_visible()
    expect(page.locator("#alert-message")).to_contain_text("whole number of days")
    page.click("#alert-close")
    expect(page.locator("#alert")).to_be_hidden()
    page.fill("#migrate-retention", "30")

    message = "Another tab is migrating sessions right now; wait for it to finish, then try again."
    page.evaluate("""(message) => {
        chunkedMigration.runChunkedMigration = async ({ onProgress }) => {
            onProgress('Migrating session 1/4: first', 0);
            throw new Error(message);
        };
    }""", message)
    page.click("#migrate")
    ui.idle()
    expect(page.locator("#alert")).to_be_visible()
    expect(page.locator("#alert-title")).to_have_text("The migration did not complete")
    expect(page.locator("#alert-message")).to_have_text(message)
    expect(page.locator("#progress-area")).to_have_attribute("data-state", "failed")
    expect(page.locator("#progress-message")).to_contain_text(message)
    expect(page.locator("#migrate")).to_be_enabled()  # the page is usable again
    ui.expect_status(total=4, chunked=0)


def no_page_overflow(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_layout_wide_and_narrow(open_page, tmp_path):
    ui = open_page("&demo=6", viewport=(1280, 800))
    page = ui.page
    ui.expect_status(total=6)
    ui.idle()
    assert no_page_overflow(page)
    page.click("#migrate")
    ui.idle()
    expect(page.locator("#results-body tr")).to_have_count(6)
    page.evaluate("() => document.getAnimations().forEach((a) => a.finish())")
    assert no_page_overflow(page)
    box = page.locator("#status-panel").bounding_box(), page.locator("#migrate-panel").bounding_box()
    assert abs(box[0]["y"] - box[1]["y"]) < 2 and box[0]["x"] < box[1]["x"]  # side by side when wide

    out = DOCS if os.environ.get("TASKERINO_SCREENSHOTS") else tmp_path
    out.mkdir(exist_ok=True)
    page.mouse.move(0, 0)
    page.screenshot(path=str(out / "page.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(100)
    page.evaluate("() => document.getAnimations().forEach((a) => a.finish())")
    assert no_page_overflow(page)
    box = page.locator("#status-panel").bounding_box(), page.locator("#migrate-panel").bounding_box()
    assert box[1]["y"] >= box[0]["y"] + box[0]["height"]  # stacked when narrow
    scroller = page.locator("#results-panel .table-scroll")
    assert scroller.evaluate("(e) => e.scrollWidth > e.clientWidth")  # the table scrolls, not the page
    page.screenshot(path=str(out / "page-narrow.png"), full_page=True)

    page.locator("#backups-body button.rollback").first.click()  # the dialog fits too
    expect(page.locator("#confirm-dialog")).to_be_visible()
    dialog = page.locator("#confirm-dialog").bounding_box()
    assert dialog["x"] >= 0 and dialog["x"] + dialog["width"] <= 390
    assert no_page_overflow(page)
    page.click("#confirm-cancel")


def test_boot_failure_is_reported_and_nothing_can_run(browser, web_url):
    context = browser.new_context()
    guard = OffsiteGuard(context)
    context.route("**/taskerino-lock.json", lambda route: route.fulfill(status=404, body="not found"))
    page = context.new_page()
    page.goto(f"{web_url}/page/index.html?db={fresh_db()}&demo=3")
    expect(page.locator("#boot-status")).to_have_text(re.compile(r"^Python failed to start: \S"), timeout=T)
    assert "\n" not in page.locator("#boot-status").inner_text()
    expect(page.locator("body")).to_have_attribute("data-boot", "failed")
    expect(page.locator("#alert")).to_be_visible()
    expect(page.locator("#alert-title")).to_contain_text("nothing was read or changed")
    for button in ("#dry-run", "#migrate", "#cleanup", "#refresh"):
        expect(page.locator(button)).to_be_disabled()
    assert guard.blocked == []
    context.close()


def test_a_long_results_table_is_filled_a_slice_per_task_and_a_newer_one_replaces_it(open_page):
    """500 rows are not built in one task (that froze the page): the first slice is in at once,
    the rest arrive in later tasks; a newer table started meanwhile wins, whole."""
    ui = open_page()
    seen = ui.page.evaluate("""async () => {
        const ui = await import('/page/page.mjs');
        const rows = () => document.querySelectorAll('#results-body tr').length;
        const result = (i) => ({sessionId: `s${i}`, name: `Session ${i}`, success: true, durationMs: i,
                                chunkCounts: {screenshots: 1}, bytesBefore: 10, bytesAfter: 5, warnings: []});
        const long = ui.renderResults({results: Array.from({length: 500}, (_, i) => result(i))});
        const first = rows();
        const filling = document.getElementById('results-body').dataset.filling;
        const whole = await long;
        const afterLong = rows();
        const replaced = ui.renderResults({results: Array.from({length: 500}, (_, i) => result(i))});
        const newer = ui.renderResults({dryRun: true, results: [result(1), result(2), result(3)]});
        return {first, filling, whole, afterLong, replaced: await replaced, newer: await newer, final: rows(),
                perTask: ui.ROWS_PER_TASK, lastId: document.querySelector('#results-body tr:last-child').dataset.sessionId};
    }""")
    assert seen["first"] == seen["perTask"] < 500 and seen["filling"] == "true"
    assert seen["whole"] is True and seen["afterLong"] == 500
    assert seen["replaced"] is False and seen["newer"] is True
    assert seen["final"] == 3 and seen["lastId"] == "s3"
