"""The package as an app gets it: `npm install` of the packed tarball into a Vite 7 + React 19 +
TypeScript stand-in for Taskerino, with the plugin line and nothing else, checked by the real
tools — tsc, vite build / dev / preview, Vitest + jsdom, @playwright/test in the system Chromium."""
from __future__ import annotations

import re
import shutil

import pytest

import build
from embedding.stand_in import ViteServer, npx, playwright_test

TASKERINO_CSP = "script-src 'self' 'wasm-unsafe-eval'"
WARNING = re.compile(r"warn|\(!\)|deprecat|error", re.I)


def test_types_resolve_through_exports_and_a_misspelt_option_is_an_error(app):
    npx("tsc", "--noEmit", "-p", "tsconfig.json")  # bundler resolution; @ts-expect-error lines must each fail
    npx("tsc", "--noEmit", "-p", "tsconfig.node16.json")
    # The same misspelling without @ts-expect-error fails, naming the option.
    check = app / "src" / "misspelt.ts"
    check.write_text('import { loadChunkedMigration } from "taskerino-migration";\n'
                     'loadChunkedMigration({ dbname: "x" });\n')
    try:
        result = npx("tsc", "--noEmit", "-p", "tsconfig.json", check=False)
    finally:
        check.unlink()
    assert result.returncode != 0 and "'dbname' does not exist in type 'LoadOptions'" in result.stdout, result.stdout


def test_vite_build_prints_no_warnings_and_emits_workers_and_the_bundle_as_files(app, built):
    output = built.stdout + built.stderr
    assert not [line for line in output.splitlines() if WARNING.search(line)], output
    dist = app / "dist"
    served = {p.name for p in (dist / "taskerino-migration").iterdir()}
    shipped = {p.name for p in (app / "node_modules" / "taskerino-migration" / "build" / "pyodide").iterdir()}
    assert served == shipped and "taskerino-lock.json" in served and "pyodide.asm.wasm" in served
    scripts = list((dist / "assets").glob("*.js"))
    names = " ".join(p.name for p in scripts)
    assert re.search(r"migration-worker-[\w-]+\.js", names) and re.search(r"codec-worker-[\w-]+\.js", names), names
    for script in scripts:
        text = script.read_text()
        assert "data:text/javascript" not in text and "data:application/javascript" not in text, script.name
    assert "/taskerino-migration/" in " ".join(p.read_text() for p in scripts)


def test_the_built_app_under_taskerino_s_csp(app, built):
    server = build.start_server(0, directory=app / "dist", headers={"Content-Security-Policy": TASKERINO_CSP})
    try:
        playwright_test("e2e/app.spec.ts", f"http://127.0.0.1:{server.server_port}", tests=5)
    finally:
        server.shutdown()


def test_vite_preview_serves_the_built_app(app, built):
    preview = ViteServer(app, "preview")
    try:
        playwright_test("e2e/app.spec.ts", preview.url, "--grep", "Settings", tests=1)
    finally:
        preview.stop()
    assert not WARNING.search(preview.output()), preview.output()


def test_the_dev_server(app):
    dev = ViteServer(app)
    try:
        playwright_test("e2e/app.spec.ts", dev.url, tests=5)
    finally:
        dev.stop()
    assert not WARNING.search(dev.output()), dev.output()


def test_vitest_with_jsdom_imports_the_app_and_exits_0(app):
    result = npx("vitest", "run", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout, result.stdout


WHEEL = "pydantic_core-*.whl"


@pytest.fixture
def broken_dist(app, built, tmp_path):
    """The built app with one wheel not deployed."""
    broken = tmp_path / "dist"
    shutil.copytree(app / "dist", broken)
    (wheel,) = (broken / "taskerino-migration").glob(WHEEL)
    wheel.unlink()
    return broken, wheel.name


def test_a_missing_wheel_404_rejects_with_a_migration_error_naming_it(broken_dist):
    broken, missing = broken_dist
    server = build.start_server(0, directory=broken)
    try:
        playwright_test("e2e/broken.spec.ts", f"http://127.0.0.1:{server.server_port}", tests=1, MISSING_FILE=missing)
    finally:
        server.shutdown()


def test_a_missing_wheel_under_an_spa_fallback_rejects_with_a_migration_error_naming_it(app, broken_dist):
    broken, missing = broken_dist
    preview = ViteServer(app, "preview", "--outDir", str(broken))  # vite preview answers index.html for it
    try:
        playwright_test("e2e/broken.spec.ts", preview.url, tests=1, MISSING_FILE=missing)
    finally:
        preview.stop()
