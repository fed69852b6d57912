"""The stand-in app: the packed tarball installed into a Vite 7 + React 19 + TypeScript app
(tests/embedding/app, copied to dist/embedding-app), its npm dependencies from the registry.
node_modules stays there between runs, so only the first install downloads anything; the
package itself is reinstalled from each new tarball. One build is shared by the tests."""
from __future__ import annotations

import json
import re
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

import build

TEMPLATE = Path(__file__).parent / "app"
APP = build.DIST / "embedding-app"
CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"


def npx(*args: str, check: bool = True, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    result = subprocess.run(["npx", "--no-install", *args], cwd=APP, capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, "CHROMIUM": CHROMIUM, **(env or {})})
    if check and result.returncode != 0:
        raise AssertionError(f"npx {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def tarball() -> Path:
    return build.pack()


@pytest.fixture(scope="session")
def app(tarball) -> Path:
    """The app's files written afresh, its dependencies installed (cached), the tarball's package new."""
    APP.mkdir(parents=True, exist_ok=True)
    for source in TEMPLATE.rglob("*"):
        if source.is_file():
            target = APP / source.relative_to(TEMPLATE)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    manifest = json.loads((TEMPLATE / "package.json").read_text())
    manifest["dependencies"]["taskerino-migration"] = f"file:../{tarball.name}"
    (APP / "package.json").write_text(json.dumps(manifest, indent=2))
    # npm keeps an installed file: tarball when its name is unchanged; drop it so this one is used.
    shutil.rmtree(APP / "node_modules" / "taskerino-migration", ignore_errors=True)
    lock = APP / "package-lock.json"
    if lock.exists():
        data = json.loads(lock.read_text())
        data.get("packages", {}).pop("node_modules/taskerino-migration", None)
        lock.write_text(json.dumps(data, indent=2))
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefer-offline"],
                   cwd=APP, check=True, timeout=900)
    installed = APP / "node_modules" / "taskerino-migration" / "lib" / "taskerino-migration.mjs"
    assert installed.read_bytes() == (build.WEB / "lib" / "taskerino-migration.mjs").read_bytes()
    return APP


@pytest.fixture(scope="session")
def built(app) -> subprocess.CompletedProcess:
    shutil.rmtree(app / "dist", ignore_errors=True)
    return npx("vite", "build")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_served(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{process.args} exited {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} was not served within {timeout} s")


class ViteServer:
    """`vite` (dev) or `vite preview` on 127.0.0.1, its output kept for the no-warnings check."""

    def __init__(self, app: Path, *args: str):
        self.port = free_port()
        self.log = app / f"vite-{args[0] if args else 'dev'}.log"
        self.process = subprocess.Popen(
            ["npx", "--no-install", "vite", *args, "--host", "127.0.0.1", "--port", str(self.port), "--strictPort"],
            cwd=app, stdout=self.log.open("w"), stderr=subprocess.STDOUT, env={**os.environ, "NO_COLOR": "1"})
        self.url = f"http://127.0.0.1:{self.port}"
        wait_until_served(self.url + "/", self.process)

    def output(self) -> str:
        return self.log.read_text()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def playwright_test(spec: str, base_url: str, *options: str, tests: int, **env: str) -> None:
    """Run an @playwright/test spec of the app against `base_url`, with the system Chromium;
    exactly `tests` tests must have run and passed."""
    result = npx("playwright", "test", spec, *options, env={"BASE_URL": base_url, **env}, timeout=900)
    assert re.search(rf"\b{tests} passed\b", result.stdout) and "skipped" not in result.stdout, result.stdout
