"""Browser test helpers: the served page, an off-site request guard, a booted Pyodide page."""
from __future__ import annotations

import uuid
from pathlib import Path

HERE = Path(__file__).parent
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def fresh_db() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


class OffsiteGuard:
    """Blocks and records every request that is not for 127.0.0.1."""

    def __init__(self, context):
        self.blocked: list[str] = []
        context.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()


class BootedPage:
    """A page with Python booted; run Python in it against fresh IndexedDB databases."""

    def __init__(self, context, page, guard):
        self.context, self.page, self.guard = context, page, guard
        self.console: list[str] = []
        page.on("console", lambda msg: self.console.append(f"{msg.type}: {msg.text}"))

    def python(self, code: str):
        """Run async Python in Pyodide; return its last expression converted to JS then Python."""
        return self.page.evaluate("(code) => chunkedMigration.runPython(code)", code)

    def put_file(self, path: str, text: str) -> None:
        self.page.evaluate("([p, t]) => chunkedMigration.writeFile(p, t)", [path, text])


def _serve(text: str):
    return lambda route: route.fulfill(body=text, content_type="text/javascript", headers={"cache-control": "no-store"})


def open_booted_page(context, web_url, query="", without=(), served=None) -> BootedPage:
    """Boot the page in `context` (a fresh browser context, or a persistent one for on-disk IndexedDB).
    `without`: optional platform APIs deleted in the page's workers before they run (stubs.py).
    `served`: {path under web/: text} served in place of those files."""
    guard = OffsiteGuard(context)
    for path, text in (served or {}).items():  # after the guard: the last route added answers first
        context.route(f"{web_url}/{path}", _serve(text))
    context.add_init_script(path=str(HERE / "app_style.js"))
    page = context.new_page()
    if without:
        from browser.stubs import remove_in_workers
        remove_in_workers(page, without)
    booted = BootedPage(context, page, guard)
    page.goto(f"{web_url}/page/index.html?db={fresh_db()}{query}")
    page.evaluate("() => chunkedMigration.validationReady.then(() => true)")
    return booted
