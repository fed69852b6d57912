"""The engine runs in a Web Worker (web/lib/migration-worker.mjs): the host page's main thread
keeps a thin client. Under Taskerino's desktop Content-Security-Policy it boots and migrates;
stopping the worker mid-batch, at any point, loses nothing and a rerun finishes; a worker that
cannot start makes every call reject with an error that names what is missing."""
from __future__ import annotations

import pytest

import build
from browser.harness import OffsiteGuard, fresh_db, open_booted_page
from reliability.reliability_helpers import check, fill

TASKERINO_CSP = "script-src 'self' 'wasm-unsafe-eval'"


@pytest.fixture(scope="module")
def csp_url():
    server = build.start_server(0, headers={"Content-Security-Policy": TASKERINO_CSP})
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_boots_and_migrates_under_taskerino_s_desktop_csp(browser, csp_url):
    context = browser.new_context()
    guard = OffsiteGuard(context)
    page = context.new_page()
    violations, errors = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script("document.addEventListener('securitypolicyviolation', (e) => "
                         "(window.__violations ??= []).push(e.violatedDirective + ' ' + e.blockedURI))")
    response = page.goto(f"{csp_url}/page/index.html?db={fresh_db()}")
    assert response.headers["content-security-policy"] == TASKERINO_CSP
    page.set_default_timeout(120_000)
    page.wait_for_function("() => chunkedMigration.isReady")
    assert page.evaluate("async () => (await chunkedMigration.fillDemo(12)).created") == 12
    result = page.evaluate("() => runChunkedMigration()")
    assert (result["success"], result["migrated"], result["total"]) == (True, 12, 12), {k: result[k] for k in ("total", "skipped", "errors")}
    violations += page.evaluate("() => window.__violations ?? []")
    assert violations == [] and guard.blocked == []
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()


@pytest.mark.parametrize("at", [5, 45, 90])
def test_stopping_the_worker_mid_batch_loses_nothing_and_a_rerun_finishes(browser, web_url, at):
    context = browser.new_context()
    booted = open_booted_page(context, web_url)
    db, n, seed = fresh_db(), 40, 300 + at
    assert fill(booted, db, n, seed) == n
    booted.page.set_default_timeout(120_000)
    stopped = booted.page.evaluate("""async ([db, at]) => {
        const { loadChunkedMigration } = await import('/lib/taskerino-migration.mjs');
        const api = loadChunkedMigration({ dbName: db, log: false });
        let percent = -1;
        const batch = api.runChunkedMigration({ onProgress: (m, p) => { percent = p; } });
        while (percent < at) await new Promise((r) => setTimeout(r, 5));
        api.terminate();
        try { await batch; return 'finished'; } catch (e) { return e.message; }
    }""", [db, at])
    assert "stopped" in stopped
    # A new loader starts a new worker; everything is whole, and a rerun finishes exactly once.
    booted.page.evaluate("""async () => {
        const { loadChunkedMigration } = await import('/lib/taskerino-migration.mjs');
        window.chunkedMigration = loadChunkedMigration({ log: false });
        await window.chunkedMigration.validationReady;
    }""")
    after = check(booted, db, n, seed)
    assert after["lost_or_altered"] == [] and after["chunked"] + after["legacy"] == n, after
    rerun = booted.page.evaluate("""async (db) => {
        const { loadChunkedMigration } = await import('/lib/taskerino-migration.mjs');
        return loadChunkedMigration({ dbName: db, log: false }).runChunkedMigration();
    }""", db)
    assert rerun["success"] is True and rerun["errorCount"] == 0, rerun["errors"]
    final = check(booted, db, n, seed)
    assert final["lost_or_altered"] == [] and final["legacy_twice"] == [] and final["index_ids_unique"]
    assert (final["chunked"], final["legacy"], final["backups_per_session"]) == (n, 0, [1])
    context.close()


def test_a_worker_that_cannot_start_rejects_every_call_naming_the_url(browser, web_url):
    context = browser.new_context()
    OffsiteGuard(context)
    page = context.new_page()
    page.goto(f"{web_url}/page/index.html?db={fresh_db()}")
    page.set_default_timeout(60_000)
    outcome = page.evaluate("""async () => {
        const { loadChunkedMigration } = await import('/lib/taskerino-migration.mjs');
        const api = loadChunkedMigration({ indexURL: '/no-such-folder/', log: false });
        const results = [];
        for (const call of [() => api.ready, () => api.getMigrationStatus(), () => api.loadSession('s-1')]) {
            try { await call(); results.push('resolved'); } catch (e) { results.push(e.name + ': ' + e.message); }
        }
        return results;
    }""")
    assert len(outcome) == 3
    for message in outcome:
        assert "/no-such-folder/" in message and "MigrationBootError" in message, outcome
    context.close()


@pytest.fixture(scope="module")
def other_origin():
    """The package served from a second origin, as a CDN would (CORS allows the module import)."""
    server = build.start_server(0, headers={"Access-Control-Allow-Origin": "*"})
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_worker_the_browser_refuses_to_create_rejects_every_call_with_a_boot_error(browser, web_url, other_origin):
    """The module imported from another origin: `new Worker` of its worker URL throws a
    SecurityError (a worker must be same-origin). Every call rejects with a MigrationBootError
    naming it — none waits forever."""
    context = browser.new_context()
    OffsiteGuard(context)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{web_url}/lib/errors.mjs")
    result = page.evaluate("""async (other) => {
        const { loadChunkedMigration } = await import(other + '/lib/taskerino-migration.mjs');
        const api = loadChunkedMigration({ dbName: 'refused', log: false });
        const settle = (p) => p.then(() => 'resolved', (e) => `${e.name}: ${e.message}`);
        return { ready: await settle(api.ready), status: await settle(api.getMigrationStatus()), worker: api.worker };
    }""", other_origin)
    context.close()
    for outcome in (result["ready"], result["status"]):
        assert outcome.startswith("MigrationBootError: the migration worker could not be created") and "SecurityError" in outcome, result
    assert result["worker"] is None
