"""The engines of the cross-engine suite, behind one small interface: `open_engine(name)` gives
an engine with `new_tab()`, and a tab has `goto(url)` and `evaluate(fn, arg)` (`fn`: an async JS
function of one JSON argument, awaited in the page; its JSON result returned).

- "webkit": WebKitGTK's MiniBrowser through WebKitWebDriver (Debian webkit2gtk-driver) with
  Selenium, on an Xvfb display of its own (MiniBrowser has no headless mode).
- "firefox": Debian's firefox-esr through its built-in WebDriver BiDi agent, driven by
  puppeteer-core from a Node script (firefox_driver.mjs): no geckodriver needed.
- "chromium": Debian's Chromium through Playwright, as a reference for the same scenario.

`missing(name)` says what an engine lacks on this machine (None when it can run)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "build" / "engines" / "node_modules"  # build.py setup installs puppeteer-core here
WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver"
MINIBROWSER = ("/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser", "/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser")
FIREFOX = "/usr/bin/firefox-esr"
SCRIPT_TIMEOUT_S = 600


def minibrowser() -> str | None:
    return next((path for path in MINIBROWSER if Path(path).exists()), None)


def missing(name: str) -> str | None:
    if name == "webkit":
        try:
            import selenium  # noqa: F401
        except ImportError:
            return "selenium (PyPI)"
        if not Path(WEBKIT_DRIVER).exists() or not minibrowser():
            return "webkit2gtk-driver (Debian)"
        if not shutil.which("Xvfb"):
            return "xvfb (Debian)"
    if name == "firefox":
        if not Path(FIREFOX).exists():
            return "firefox-esr (Debian)"
        if not (NODE_MODULES / "puppeteer-core").exists() or not shutil.which("node"):
            return "puppeteer-core (npm, into build/engines)"
    return None


# ------------------------------------------------------------------ WebKitGTK

ASYNC_CALL = """const done = arguments[arguments.length - 1];
Promise.resolve().then(() => (%s)(arguments[0])).then(
  (v) => done({ok: v === undefined ? null : v}), (e) => done({error: String((e && e.message) || e)}));"""


class EvalError(AssertionError):
    """The page's function threw or rejected: its message."""


class SeleniumTab:
    def __init__(self, engine, handle):
        self.engine, self.handle = engine, handle

    def _focus(self):
        if self.engine.driver.current_window_handle != self.handle:
            self.engine.driver.switch_to.window(self.handle)

    def goto(self, url: str) -> None:
        self._focus()
        self.engine.driver.get(url)

    def evaluate(self, fn: str, arg=None):
        self._focus()
        reply = self.engine.driver.execute_async_script(ASYNC_CALL % fn, arg)
        if "error" in reply:
            raise EvalError(reply["error"])
        return reply["ok"]


class WebKitEngine:
    name = "webkit"

    def __init__(self, driver, version):
        self.driver, self.version = driver, version
        self.tabs = 0

    def new_tab(self) -> SeleniumTab:
        if self.tabs:
            self.driver.switch_to.new_window("tab")
        self.tabs += 1
        return SeleniumTab(self, self.driver.current_window_handle)


@contextmanager
def xvfb():
    """An X display of its own (Xvfb picks a free number and writes it to the pipe)."""
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x900x24", "-nolisten", "tcp"],
                              pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        display = pipe.readline().strip()
    try:
        yield f":{display}"
    finally:
        server.terminate()
        server.wait()


@contextmanager
def webkit():
    from selenium import webdriver

    with xvfb() as display:
        options = webdriver.WebKitGTKOptions()
        options.binary_location = minibrowser()
        options.add_argument("--automation")
        service = webdriver.WebKitGTKService(executable_path=WEBKIT_DRIVER, env={**os.environ, "DISPLAY": display})
        driver = webdriver.WebKitGTK(options=options, service=service)
        try:
            driver.set_script_timeout(SCRIPT_TIMEOUT_S)
            yield WebKitEngine(driver, driver.capabilities.get("browserVersion", "?"))
        finally:
            driver.quit()


# ------------------------------------------------------------------ Firefox ESR

class FirefoxTab:
    def __init__(self, engine, number):
        self.engine, self.number = engine, number

    def goto(self, url: str) -> None:
        self.engine.request({"op": "goto", "tab": self.number, "url": url})

    def evaluate(self, fn: str, arg=None):
        return self.engine.request({"op": "evaluate", "tab": self.number, "fn": fn, "arg": arg})


class FirefoxEngine:
    name = "firefox"

    def __init__(self, process):
        self.process = process
        self.next_id = 1
        self.replies: dict[int, dict] = {}
        self.version = self._reply(0)

    def _reply(self, wanted: int):
        while wanted not in self.replies:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"the Firefox driver ended (exit {self.process.wait()})")
            reply = json.loads(line)
            self.replies[reply["id"]] = reply
        reply = self.replies.pop(wanted)
        if "error" in reply:
            raise EvalError(reply["error"])
        return reply["value"]

    def request(self, message: dict):
        number = self.next_id
        self.next_id += 1
        self.process.stdin.write(json.dumps({**message, "id": number}) + "\n")
        self.process.stdin.flush()
        return self._reply(number)

    def new_tab(self) -> FirefoxTab:
        return FirefoxTab(self, self.request({"op": "newTab"}))


@contextmanager
def firefox():
    with tempfile.TemporaryDirectory(prefix="taskerino-firefox-") as profile:
        process = subprocess.Popen(["node", str(Path(__file__).with_name("firefox_driver.mjs")), FIREFOX, profile],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                   env={**os.environ, "NODE_PATH": str(NODE_MODULES), "MOZ_CRASHREPORTER_DISABLE": "1"})
        try:
            yield FirefoxEngine(process)
        finally:
            try:
                process.stdin.write(json.dumps({"op": "close", "id": -1}) + "\n")
                process.stdin.flush()
                process.wait(timeout=20)
            except (OSError, subprocess.TimeoutExpired):
                process.kill()
                process.wait()


# ------------------------------------------------------------------ Chromium (the reference)

class PlaywrightTab:
    def __init__(self, page):
        self.page = page

    def goto(self, url: str) -> None:
        self.page.goto(url)

    def evaluate(self, fn: str, arg=None):
        from playwright.sync_api import Error

        try:
            return self.page.evaluate(f"(arg) => ({fn})(arg)", arg)
        except Error as exc:
            raise EvalError(exc.message) from None


class ChromiumEngine:
    name = "chromium"

    def __init__(self, browser):
        self.browser = browser
        self.context = browser.new_context()
        self.version = browser.version

    def new_tab(self) -> PlaywrightTab:
        page = self.context.new_page()
        page.set_default_timeout(SCRIPT_TIMEOUT_S * 1000)
        return PlaywrightTab(page)


@contextmanager
def chromium(browser):
    engine = ChromiumEngine(browser)
    try:
        yield engine
    finally:
        engine.context.close()
