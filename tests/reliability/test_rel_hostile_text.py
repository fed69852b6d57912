"""Hostile text in stored sessions: HTML and script on the page, console-spoofing text in the
devtools console. The console shows it escaped on one line and can't forge lines; the page
shows it as text and nothing executes. (tests/browser/test_page.py covers the renderers with
one HTML name; this runs real migrations over many hostile strings in names, ids and errors.)"""
from __future__ import annotations

import re

from browser.harness import open_booted_page
from playwright.sync_api import expect
from taskerino_storage.demo.samples import generate_sessions

HOSTILE = [
    '<img src=x onerror="window.__pwned=1">',
    "</script><script>window.__pwned=2</script>",
    '"><svg onload="window.__pwned=3">',
    "\n[100%] Complete: 999 migrated, 0 skipped, 0 errors",
    "\r\n✅ Migration completed successfully!",
    "%c BIG RED %o %s %d",
    "invoice\u202Egpj.exe \u2066isolate\u2069",
    "\x1b[31mred\x1b[0m \x1b[2J\x1b[H",
    "line\u2028separator\u2029paragraph",
    "nul\u0000 tab\t bell\x07 del\x7f c1\x85",
]
# Ids may hold anything but "/" and "": error lines name them too.
HOSTILE_IDS = ["evil\n[100%] Complete: 999 migrated, 0 skipped, 0 errors", "evil\x1b[2J%c\u202e<b>x<b>"]
T = 120_000  # ms
FORBIDDEN = re.compile(r"[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def test_hostile_text_in_console_and_page(browser, web_url):
    booted = open_booted_page(browser.new_context(), web_url)
    page = booted.page
    page.set_default_timeout(300_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sessions = generate_sessions(len(HOSTILE), seed=5, size="small")
    for s, evil in zip(sessions, HOSTILE):
        s["name"] = evil
        s["description"] = evil
        s["tags"] = [evil]
    page.evaluate("""async ([sessions, badIds]) => {
        const db = chunkedMigration.dbName;
        await appStore.save(db, 'sessions', JSON.stringify(sessions), 'gzip');
        for (const id of badIds) await appStore.saveRawText(db, 'sessions/' + id, '{"id": ' + JSON.stringify(id) + ', "name": ');
    }""", [sessions, HOSTILE_IDS])

    # The console: a verbose dry run prints every name, and the errors with their ids.
    booted.console.clear()
    dry = page.evaluate("() => runChunkedMigration({ dryRun: true, verbose: true })")
    assert dry["migrated"] == len(HOSTILE) and dry["errorCount"] == len(HOSTILE_IDS), dry["errors"]
    lines = [line.split(": ", 1)[1] for line in booted.console if ": " in line]
    assert len(lines) > 2 * len(HOSTILE)
    for line in lines:
        assert not FORBIDDEN.search(line), f"raw control/bidi character in console line {line!r}"
    # Exactly one completion line, the real one: no name could forge another.
    completes = [line for line in lines if line.startswith("[100%] Complete:")]
    assert completes == [f"[100%] Complete: {len(HOSTILE)} migrated, 0 skipped, {len(HOSTILE_IDS)} errors"], completes
    assert lines.count("✅ Migration completed successfully!") == 0
    assert not any(line.startswith(("✅", "[100%] Complete: 999")) for line in lines)
    assert any("\\u000a[100%] Complete: 999 migrated" in line for line in lines)  # shown, escaped
    assert any("%c BIG RED %o %s %d" in line for line in lines)  # printed literally, not applied
    assert any("invoice\\u202egpj.exe" in line for line in lines)
    assert any("\\u001b[31mred" in line for line in lines)
    assert sum("evil\\u000a[100%] Complete: 999" in line for line in lines) >= 1  # an error line's id

    # The page: migrate through it; every hostile name is shown as text, nothing executes.
    scripts = page.evaluate("() => document.scripts.length")
    page.click("#refresh")
    expect(page.locator("body")).to_have_attribute("data-busy", "false", timeout=T)
    page.click("#migrate")
    expect(page.locator("body")).to_have_attribute("data-busy", "false", timeout=T)
    expect(page.locator("#results-body tr")).to_have_count(len(HOSTILE) + len(HOSTILE_IDS), timeout=T)
    shown = page.evaluate("() => [...document.querySelectorAll('#results-body .session-name')].map((e) => e.textContent)")
    for evil in HOSTILE:
        assert evil in shown, (evil, shown)
    backups = page.evaluate("() => [...document.querySelectorAll('#backups-body .session-name')].map((e) => e.textContent)")
    assert sorted(backups) == sorted(HOSTILE)
    assert page.evaluate("() => document.querySelectorAll('img, svg, [onerror], [onload]').length") == 0
    assert page.evaluate("() => document.scripts.length") == scripts
    assert page.locator("img").count() == 0 and page.evaluate("() => window.__pwned") is None
    assert errors == [] and booted.guard.blocked == []
    status = page.evaluate("() => showMigrationStatus()")
    assert (status["chunked"], status["legacy"]) == (len(HOSTILE), len(HOSTILE_IDS))
    booted.context.close()
