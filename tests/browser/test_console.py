"""The console interface end to end: the five globals in real Chromium on real IndexedDB,
their printed output against the seed's format, and bad input from a person typing."""
from __future__ import annotations

import json
import re

import pytest
from browser.harness import fresh_db, open_booted_page


@pytest.fixture
def console_page(browser, web_url):
    """A booted page on a fresh database holding 6 generated legacy sessions."""
    booted = open_booted_page(browser.new_context(), web_url)
    booted.page.evaluate("() => chunkedMigration.fillDemo(6)")
    booted.console.clear()
    yield booted
    booted.context.close()


def lines(booted):
    return [line.split(": ", 1)[1] for line in booted.console if line.startswith(("log: ", "error: "))]


def test_run_chunked_migration_dry_run_then_real(console_page):
    page = console_page.page
    dry = page.evaluate("() => runChunkedMigration({ dryRun: true })")
    assert dry["dryRun"] is True and dry["total"] == 6 and dry["migrated"] == 6 and dry["errorCount"] == 0
    out = lines(console_page)
    assert out[:3] == ["━" * 47, "  Chunked Storage Migration", "━" * 47]
    assert "⚠️  DRY RUN MODE - No changes will be saved" in out
    assert "   Total sessions: 6" in out and "   Already migrated: 0 (0%)" in out and "   Legacy format: 6" in out
    assert any(re.fullmatch(r"\[\d+%\] Migrating session 1/6: .+", line) for line in out), out
    assert "[100%] Complete: 6 migrated, 0 skipped, 0 errors" in out
    assert "✅ Dry run completed successfully!" in out and "   runChunkedMigration({ verbose: true })" in out
    assert page.evaluate("() => showMigrationStatus()")["chunked"] == 0  # the dry run wrote nothing

    console_page.console.clear()
    progress = page.evaluate("""async () => {
        const seen = [];
        const r = await runChunkedMigration({ verbose: true, onProgress: (m, p) => seen.push([m, p]) });
        return {r, seen};
    }""")
    r = progress["r"]
    assert (r["success"], r["migrated"], r["skipped"], r["errorCount"]) == (True, 6, 0, 0)
    assert len(r["results"]) == 6 and all(x["backupPath"].startswith("sessions/") for x in r["results"])
    assert progress["seen"][-1][1] == 100 and len(progress["seen"]) >= 6
    out = lines(console_page)
    assert "✅ Migration completed successfully!" in out and "📦 Backups created with 30-day retention" in out
    assert "   rollbackSession('session-id', 'backup-path', true)" in out
    again = page.evaluate("() => runChunkedMigration()")
    assert (again["migrated"], again["skipped"]) == (0, 6)


def test_status_single_rollback_cleanup(console_page):
    page = console_page.page
    status = page.evaluate("() => showMigrationStatus()")
    assert (status["total"], status["chunked"], status["legacy"], status["percentage"]) == (6, 0, 6, 0)
    sid = page.evaluate("""async () => JSON.parse(await appStore.load(chunkedMigration.dbName, 'sessions'))[0].id""")
    single = page.evaluate("(id) => migrateSingleSession(id)", sid)
    assert single["success"] is True and single["sessionId"] == sid and single["backupPath"].startswith(f"sessions/{sid}.backup-")
    status = page.evaluate("() => showMigrationStatus()")
    assert (status["chunked"], status["legacy"], status["percentage"]) == (1, 5, 17)
    assert [b["sessionId"] for b in status["backups"]] == [sid]
    assert any(line.startswith("   Already migrated: 1 (17%)") for line in lines(console_page))

    assert page.evaluate("([id, p]) => rollbackSession(id, p)", [sid, single["backupPath"]]) is False
    assert page.evaluate("() => showMigrationStatus()")["chunked"] == 1  # unconfirmed: nothing changed
    assert any("rollbackSession(" in line and ", true)" in line for line in lines(console_page))
    assert page.evaluate("([id, p]) => rollbackSession(id, p, true)", [sid, single["backupPath"]]) is True
    status = page.evaluate("() => showMigrationStatus()")
    assert (status["chunked"], status["legacy"]) == (0, 6)

    cleanup = page.evaluate("() => cleanupBackups()")
    assert cleanup["dryRun"] is True and cleanup["deleted"] == []


def test_fill_demo_twice_adds_new_sessions(console_page):
    page = console_page.page
    added = page.evaluate("() => chunkedMigration.fillDemo(2)")
    assert added["created"] == 2
    dry = page.evaluate("() => runChunkedMigration({ dryRun: true })")
    assert (dry["total"], dry["migrated"], dry["errorCount"]) == (8, 8, 0)  # no duplicate ids


def test_fill_demo_appends_in_slices_what_one_call_gives_and_keeps_a_raw_array_raw(console_page):
    """fillDemo appends 25 at a time (Python never holds the array): 30 sessions are the very
    sessions, ids and broken ones of one generate_sessions call, seeded by the array's length;
    the app's array stored raw (structured clone) stays raw, its elements as they were."""
    from taskerino_storage.demo.samples import generate_sessions

    page = console_page.page
    db = page.evaluate("() => chunkedMigration.dbName")
    first_two = page.evaluate("""async (db) => {
        const two = JSON.parse(await appStore.load(db, 'sessions')).slice(0, 2);
        await appStore.saveValue(db, 'sessions', two);
        return two;
    }""", db)
    added = page.evaluate("() => chunkedMigration.fillDemo(30)")
    expected = generate_sessions(30, 2025 + 2, broken=3)
    assert added == {"created": 30, "ids": [s["id"] for s in expected]}
    record = page.evaluate("async (db) => (await appStore.record(db, 'sessions')).data", db)
    assert isinstance(record, list) and len(record) == 32  # still raw, not a JSON text
    assert record[:2] == first_two and record[2:] == expected


def test_load_session_migrates_on_demand(console_page):
    page = console_page.page
    original = page.evaluate("""async () => JSON.parse(await appStore.load(chunkedMigration.dbName, 'sessions'))[2]""")
    loaded = page.evaluate("(id) => chunkedMigration.loadSession(id)", original["id"])
    assert json.dumps(loaded, sort_keys=True) == json.dumps(original, sort_keys=True)
    assert page.evaluate("() => showMigrationStatus()")["chunked"] == 1


BAD_INPUT = [
    ("runChunkedMigration({ dryrun: true })", 'unknown option "dryrun" — did you mean "dryRun"?'),
    ("runChunkedMigration({ verbos: true })", 'did you mean "verbose"?'),
    ("runChunkedMigration({ dryRun: 'yes' })", 'option "dryRun" must be true or false, got the string "yes"'),
    ("runChunkedMigration('fast')", "options must be an object"),
    ("runChunkedMigration({ backupRetentionDays: -3 })", "must be a whole number of days"),
    ("migrateSingleSession(42)", "sessionId must be a non-empty string"),
    ("migrateSingleSession('no-such-session')", "no-such-session"),
    ("rollbackSession('no-such-session', undefined, true)", "no-such-session"),
    ("cleanupBackups('30')", "retentionDays must be a whole number of days"),
    ("cleanupBackups(30, 'yes')", "confirm must be true or false"),
]


@pytest.fixture(scope="module")
def shared_page(browser, web_url):
    """One page for the bad-input cases: none of them may change anything."""
    booted = open_booted_page(browser.new_context(), web_url)
    booted.page.evaluate("() => chunkedMigration.fillDemo(3)")
    yield booted
    booted.context.close()


@pytest.mark.parametrize("call,message", BAD_INPUT)
def test_bad_input_names_the_problem_and_changes_nothing(shared_page, call, message):
    page = shared_page.page
    before = page.evaluate("(db) => appStore.keys(db)", page.evaluate("() => chunkedMigration.dbName"))
    error = page.evaluate(f"async () => {{ try {{ await {call}; return null; }} catch (e) {{ return [e.name, e.message, e.stack || ''] }} }}")
    assert error is not None, f"{call} did not fail"
    name, text, stack = error
    assert message in text, text
    assert "Traceback" not in text and "File \"" not in text
    after = page.evaluate("(db) => appStore.keys(db)", page.evaluate("() => chunkedMigration.dbName"))
    assert after == before


def test_embedding_module_from_another_page(browser, web_url):
    """The Taskerino frontend imports the module itself, without the page or globals."""
    context = browser.new_context()
    context.add_init_script(path=str(__import__("pathlib").Path(__file__).with_name("app_style.js")))
    db = fresh_db()
    html = f"""<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module">
      import {{ loadChunkedMigration }} from '/lib/taskerino-migration.mjs';
      window.api = loadChunkedMigration({{ dbName: '{db}', log: false }});
    </script>"""
    context.route(f"{web_url}/embedded.html", lambda route: route.fulfill(body=html, content_type="text/html"))
    page = context.new_page()
    page.goto(f"{web_url}/embedded.html")
    page.wait_for_function("() => window.api !== undefined")
    assert page.evaluate("() => typeof window.runChunkedMigration") == "undefined"  # no globals asked for
    session = {"id": "embedded-1", "name": "From the app", "startTime": "2025-10-20T09:00:00.000Z",
               "screenshots": [], "tags": [], "customField": {"kept": None}}
    page.evaluate("([db, text]) => appStore.save(db, 'sessions', text, 'gzip')", [db, json.dumps([session])])
    loaded = page.evaluate("() => api.loadSession('embedded-1')")
    assert loaded == session
    status = page.evaluate("() => api.showMigrationStatus()")
    assert (status["total"], status["chunked"]) == (1, 1)
    assert page.evaluate("(db) => appStore.load(db, 'sessions/embedded-1/metadata').then(JSON.parse)", db)["storageVersion"] == 1
    # A second loader (another database) shares the page's Python, and keeps to its database.
    other = fresh_db()
    second = page.evaluate("""async (db) => {
        const { loadChunkedMigration } = await import('/lib/taskerino-migration.mjs');
        const b = loadChunkedMigration({ dbName: db, log: false });
        await b.ready;
        await b.fillDemo(3);
        return { shared: b.worker === api.worker, mine: await b.getMigrationStatus(),
                 first: await api.getMigrationStatus() };
    }""", other)
    assert second["shared"] is True
    assert (second["mine"]["total"], second["mine"]["legacy"]) == (3, 3)
    assert (second["first"]["total"], second["first"]["chunked"]) == (1, 1)
    context.close()


def test_the_console_names_legacy_copies_left_and_why_expired_backups_are_kept(browser, web_url):
    """A batch that leaves legacy copies in place does not print success: it says how many and to
    run again. cleanupBackups prints the reason for each expired backup it keeps."""
    booted = open_booted_page(browser.new_context(), web_url)
    page = booted.page
    page.evaluate("() => chunkedMigration.fillDemo(3)")
    booted.console.clear()
    kept = page.evaluate("() => runChunkedMigration({ skipBackup: true })")
    assert sorted(kept["legacyCopiesLeft"]) == sorted(r["sessionId"] for r in kept["results"] if r["success"])
    out = lines(booted)
    assert "✅ Migration completed successfully!" not in out
    assert "⚠️  Migration finished, but 3 legacy copies are still stored beside the chunked form: run again to finish" in out
    assert all(f"   - {sid}" in out for sid in kept["legacyCopiesLeft"])

    done = page.evaluate("() => runChunkedMigration({ backupRetentionDays: 0 })")  # finishes them, backs up
    assert done["legacyCopiesLeft"] == [] and "✅ Migration completed successfully!" in lines(booted)
    sid = done["results"][0]["sessionId"]
    assert page.evaluate("(id) => rollbackSession(id, undefined, true)", sid) is True  # its legacy copy is back
    booted.console.clear()
    cleanup = page.evaluate("() => cleanupBackups(0)")
    (kept_backup,) = [k for k in cleanup["keptExpired"] if k["path"].startswith(f"sessions/{sid}.backup-")]
    assert "legacy copy" in kept_backup["reason"]
    assert f"   ⏸ {kept_backup['path']}: {kept_backup['reason']}" in lines(booted)
    booted.context.close()


ECHO_COMMAND = '''
from taskerino_storage.browser import console

async def echo(rt, out, session_id, options):
    out.lines([f"echo {session_id} {options.get('dryRun', False)}"])
    return {"echoed": session_id, "keys": await rt.backend.keys("sessions/")}

console.COMMANDS += (console.Command("echoSession", echo, (console.SESSION_ID,
    console.Param("options", "options", {}, {"dryRun": "boolean"})), console=True),)
'''


def test_one_table_entry_is_a_client_method_and_a_global_with_no_js_edit(browser, web_url):
    """A command added to browser/console.py COMMANDS (in the worker's Python, and in the client's
    generated table served in place of the committed one) is a method of the api and a window
    global, checks its arguments as its entry says, prints what Python prints, and resolves to
    what Python returns: nothing in JS names it."""
    from taskerino_storage.browser import console

    def echo(rt, out, session_id, options):  # the same entry, for the client's generated copy
        raise AssertionError("runs in the worker, not here")

    extra = console.COMMANDS + (console.Command("echoSession", echo, (console.SESSION_ID, console.Param(
        "options", "options", {}, {"dryRun": "boolean"})), console=True),)
    booted = open_booted_page(browser.new_context(), web_url, served={"lib/commands.generated.mjs": console.js_module(extra)})
    page = booted.page
    booted.python(ECHO_COMMAND)
    booted.console.clear()
    value = page.evaluate("() => echoSession('s-1', { dryRun: true })")
    assert value == {"echoed": "s-1", "keys": []}
    assert lines(booted) == ["echo s-1 True"]
    assert page.evaluate("() => typeof chunkedMigration.echoSession") == "function"
    refused = page.evaluate("() => echoSession('s-1', { dryrun: true }).catch((e) => [e.name, e.kind, e.message])")
    assert refused == ["UsageError", "usage",
                       'echoSession(sessionId, options): unknown option "dryrun" — did you mean "dryRun"? (valid: dryRun)']
    booted.context.close()
