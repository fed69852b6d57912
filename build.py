#!/usr/bin/env python3
"""Set up, build, serve and test the Taskerino chunked-storage bundle.

Standard library only, so it runs on a fresh machine before anything is installed.

    python3 build.py setup    # .venv, Pyodide runtime, wheels, our wheel, lock file, Chromium
    python3 build.py build    # rebuild our wheel and the lock file only
    python3 build.py serve    # build, then serve web/ on 127.0.0.1
    python3 build.py test     # set up what is missing, build, run every test suite
    python3 build.py bench    # benchmarks in headless Chromium (tests/bench)
    python3 build.py demo     # the console interface end to end, in headless Chromium
    python3 build.py pack     # build, then the npm package dist/taskerino-migration-<version>.tgz

Every version is pinned in pyproject.toml ([project.optional-dependencies].dev and
[tool.taskerino.bundle]); this file reads them from there.
"""
from __future__ import annotations

import argparse
import email.parser
import functools
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import threading
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
WEB = ROOT / "web"
BUNDLE = WEB / "build" / "pyodide"  # Pyodide runtime + wheels + our lock file, all ignored
LOCK_FILE = BUNDLE / "taskerino-lock.json"
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
PACKAGE = "taskerino_storage"


def log(message: str) -> None:
    print(f"[build] {message}", flush=True)


def run(*args: str | Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], check=True, **kwargs)


@functools.cache
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def bundle_pins() -> dict:
    return pyproject()["tool"]["taskerino"]["bundle"]


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
    return h.hexdigest()


def up_to_date(stamp: Path, fingerprint: str) -> bool:
    return stamp.exists() and stamp.read_text() == fingerprint


# ---------------------------------------------------------------- setup steps

def ensure_venv() -> None:
    dev = pyproject()["project"]["optional-dependencies"]["dev"]
    stamp = VENV / ".dev-requirements"
    if VENV_PYTHON.exists() and up_to_date(stamp, "\n".join(dev)):
        return
    log("creating .venv with the dev dependencies")
    if not VENV_PYTHON.exists():
        run(sys.executable, "-m", "venv", VENV)
    run(VENV_PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *dev)
    stamp.write_text("\n".join(dev))


def ensure_pyodide_runtime() -> None:
    version = bundle_pins()["pyodide"]
    stamp = BUNDLE / ".pyodide-version"
    if up_to_date(stamp, version) and (BUNDLE / "pyodide.asm.wasm").exists():
        return
    log(f"fetching the Pyodide runtime (npm pack pyodide@{version})")
    BUNDLE.mkdir(parents=True, exist_ok=True)
    tmp = BUNDLE.parent / "npm-pack"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    run("npm", "pack", f"pyodide@{version}", "--silent", cwd=tmp, stdout=subprocess.DEVNULL)
    (tarball,) = tmp.glob("pyodide-*.tgz")
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            if member.isfile():
                name = Path(member.name).name
                (BUNDLE / name).write_bytes(tar.extractfile(member).read())
    # The npm lock file points at a CDN; ours replaces it, so drop it to be sure nothing uses it.
    (BUNDLE / "pyodide-lock.json").unlink(missing_ok=True)
    shutil.rmtree(tmp)
    stamp.write_text(version)


def ensure_wheels() -> None:
    pins = bundle_pins()
    stamp = BUNDLE / ".wheels"
    fingerprint = json.dumps(pins["wheels"])
    if up_to_date(stamp, fingerprint):
        return
    log("downloading the Pyodide wheels from PyPI")
    for old in BUNDLE.glob("*.whl"):
        if not old.name.startswith(PACKAGE):
            old.unlink()
    for requirement, platform in pins["wheels"]:
        if "==" not in requirement:
            raise SystemExit(f"pin every wheel exactly: {requirement!r} in pyproject.toml")
        where = (["--platform", platform, "--implementation", "cp"] if platform != "any"
                 else ["--implementation", "py"])
        run(sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
            "--no-deps", "--only-binary=:all:", "--python-version", pins["python"], *where,
            requirement, "-d", BUNDLE)
    stamp.write_text(fingerprint)


def build_own_wheel(root: Path = ROOT, bundle: Path = BUNDLE) -> Path:
    """Build our wheel with the standard backend, skipping the work when no source changed."""
    sources = sorted((root / "pysrc").rglob("*.py"))
    fingerprint = digest(*(p.read_bytes() for p in sources), (root / "pyproject.toml").read_bytes())
    stamp = bundle / ".own-wheel"
    wheels = list(bundle.glob(f"{PACKAGE}-*.whl"))
    if up_to_date(stamp, fingerprint) and len(wheels) == 1:
        return wheels[0]
    log("building the taskerino_storage wheel")
    for old in wheels:
        old.unlink()
    out = bundle.parent / "wheel-out"
    shutil.rmtree(out, ignore_errors=True)
    run(VENV_PYTHON, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
        "--no-build-isolation", "-w", out, root, stdout=subprocess.DEVNULL, cwd=root)
    (wheel,) = out.glob(f"{PACKAGE}-*.whl")
    target = bundle / wheel.name
    shutil.move(wheel, target)
    shutil.rmtree(out)
    remove_setuptools_clutter(root)
    stamp.write_text(fingerprint)
    return target


def remove_setuptools_clutter(root: Path) -> None:
    """What an in-tree setuptools build leaves: build/lib*, build/bdist*, build/temp* and the
    egg-info. Only those: build/ also holds the engines' driver (ENGINE_NODE)."""
    build_dir = root / "build"
    for clutter in (*build_dir.glob("lib*"), *build_dir.glob("bdist*"), *build_dir.glob("temp*"),
                    *(root / "pysrc").glob("*.egg-info")):
        shutil.rmtree(clutter, ignore_errors=True)
    if build_dir.is_dir() and not any(build_dir.iterdir()):
        build_dir.rmdir()


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_entry(wheel: Path) -> tuple[str, dict]:
    """One Pyodide lock entry, read from the wheel itself (name, deps, imports, sha256)."""
    with zipfile.ZipFile(wheel) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(zf.read(meta_name).decode())
        tops = {n.split("/")[0] for n in zf.namelist()
                if not n.split("/")[0].endswith((".dist-info", ".data"))}
    imports = sorted(t.removesuffix(".py") for t in tops if not t.endswith(".pth"))
    depends = []
    for requirement in meta.get_all("Requires-Dist") or []:
        if ";" in requirement and "extra ==" in requirement.split(";", 1)[1]:
            continue
        if ";" in requirement and "platform_system" in requirement:
            continue
        if ";" in requirement and "sys_platform != 'emscripten'" in requirement.replace('"', "'"):
            continue  # the desktop command's dependencies: never in Pyodide
        depends.append(canonical(re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)))
    return canonical(meta["Name"]), {
        "name": meta["Name"],
        "version": meta["Version"],
        "file_name": wheel.name,
        "package_type": "package",
        "install_dir": "site",
        "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
        "imports": imports,
        "depends": depends,
    }


def write_lock_file() -> None:
    pins = bundle_pins()
    packages = dict(wheel_entry(w) for w in sorted(BUNDLE.glob("*.whl")))
    # Python is ready without pydantic: the page loads it right after the boot, in the
    # background (web/lib/taskerino-migration.mjs), so boot costs what a bare Pyodide costs.
    packages[canonical(PACKAGE)]["depends"] = []
    for name, entry in packages.items():
        missing = [d for d in entry["depends"] if d not in packages]
        if missing:
            raise SystemExit(f"{name} depends on {missing}, which no wheel in pyproject.toml provides")
    lock = {"info": {"abi_version": pins["abi"], "arch": "wasm32", "platform": "emscripten",
                     "python": pins["python"], "version": pins["pyodide"]},
            "packages": packages}
    text = json.dumps(lock, indent=1, sort_keys=True)
    if not LOCK_FILE.exists() or LOCK_FILE.read_text() != text:
        LOCK_FILE.write_text(text)
        log(f"wrote {LOCK_FILE.relative_to(ROOT)} ({len(packages)} wheels)")


def find_chromium() -> str:
    """$CHROMIUM, else the system Chromium, else Debian's via apt-get, else Playwright's own."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).exists():
            return candidate
    if shutil.which("apt-get") and os.geteuid() == 0:
        log("installing Debian's chromium with apt-get")
        try:
            run("apt-get", "update", "-qq")
            run("apt-get", "install", "-y", "-qq", "chromium", stdout=subprocess.DEVNULL)
            return "/usr/bin/chromium"
        except subprocess.CalledProcessError:
            log("apt-get could not install chromium; trying Playwright's own browser")
    run(VENV_PYTHON, "-m", "playwright", "install", "chromium")
    return ""  # Playwright finds its own browser


# The cross-engine suite (tests/engines): Debian's packages for WebKitGTK (its WebDriver, with
# MiniBrowser) under Xvfb and Firefox ESR, and puppeteer-core from npm, which drives Firefox
# through its built-in WebDriver BiDi agent (no geckodriver, which Debian does not package).
ENGINE_FILES = {"firefox-esr": "/usr/bin/firefox-esr", "webkit2gtk-driver": "/usr/bin/WebKitWebDriver",
                "xvfb": "/usr/bin/Xvfb"}
ENGINE_NODE = ROOT / "build" / "engines"  # not under web/: a driver, never served


def ensure_engines() -> None:
    missing = [package for package, path in ENGINE_FILES.items() if not Path(path).exists()]
    if missing and shutil.which("apt-get") and os.geteuid() == 0:
        log(f"installing {', '.join(missing)} with apt-get (the cross-engine suite)")
        try:
            run("apt-get", "update", "-qq")
            run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing,
                stdout=subprocess.DEVNULL, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        except subprocess.CalledProcessError:
            log(f"apt-get could not install {', '.join(missing)}: tests/engines fails in CI, skips elsewhere")
    elif missing:
        log(f"missing {', '.join(missing)} (no apt-get as root): tests/engines fails in CI, skips elsewhere")
    version = pyproject()["tool"]["taskerino"]["engines"]["puppeteer-core"]
    stamp = ENGINE_NODE / ".puppeteer-core"
    if up_to_date(stamp, version) and (ENGINE_NODE / "node_modules" / "puppeteer-core").exists():
        return
    log(f"installing puppeteer-core@{version} from npm into {ENGINE_NODE.relative_to(ROOT)}")
    ENGINE_NODE.mkdir(parents=True, exist_ok=True)
    run("npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", ENGINE_NODE, f"puppeteer-core@{version}")
    stamp.write_text(version)


def build() -> Path:
    BUNDLE.mkdir(parents=True, exist_ok=True)
    wheel = build_own_wheel()
    write_lock_file()
    return wheel


def install_command(wheel: Path) -> None:
    """Our wheel installed into .venv, so `.venv/bin/taskerino-storage` (the desktop command)
    runs; its dependencies (psutil, platformdirs, tqdm) come with the dev list."""
    stamp = VENV / ".taskerino-storage-wheel"
    fingerprint = digest(wheel.read_bytes())
    if up_to_date(stamp, fingerprint) and (VENV / "bin" / "taskerino-storage").exists():
        return
    log("installing the taskerino-storage command into .venv")
    run(VENV_PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
        "--force-reinstall", wheel)
    stamp.write_text(fingerprint)


def setup(engines: bool = False) -> str:
    """Everything the commands need; `engines`: the other browsers too (test, bench, setup)."""
    ensure_venv()
    ensure_pyodide_runtime()
    ensure_wheels()
    install_command(build())
    if engines:
        ensure_engines()
    return find_chromium()


# ---------------------------------------------------------------- the npm package

DIST = ROOT / "dist"
NPM_SOURCES = WEB / "npm"  # package.json, the Vite plugin, the Playwright helpers, the package's README
#: The Pyodide runtime files a boot fetches (pyodide.js, the maps, the .d.ts and the consoles are not).
RUNTIME_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
#: What the worker loads: our package at boot, pydantic right after (web/lib/migration-worker.mjs).
LOADED_PACKAGES = (canonical(PACKAGE), "pydantic")


def needed_packages(lock: dict) -> dict:
    """The lock's entries that LOADED_PACKAGES reach through `depends`: only wheels that run ship."""
    needed, todo = {}, list(LOADED_PACKAGES)
    while todo:
        name = todo.pop()
        if name not in needed:
            needed[name] = lock["packages"][name]
            todo.extend(needed[name]["depends"])
    return needed


def stage_package(stage: Path) -> str:
    """Lay the npm package out in `stage` (lib/, build/pyodide/, the plugin and helpers); its version."""
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "lib").mkdir(parents=True)
    for source in sorted((WEB / "lib").glob("*.mjs")) + [WEB / "lib" / "taskerino-migration.d.ts"]:
        shutil.copy2(source, stage / "lib" / source.name)
    for name in ("vite.mjs", "vite.d.ts", "playwright.mjs", "playwright.d.ts", "README.md"):
        shutil.copy2(NPM_SOURCES / name, stage / name)
    version = pyproject()["project"]["version"]
    manifest = json.loads((NPM_SOURCES / "package.json").read_text())
    manifest["version"] = version
    (stage / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    bundle = stage / "build" / "pyodide"
    bundle.mkdir(parents=True)
    for name in RUNTIME_FILES:
        shutil.copy2(BUNDLE / name, bundle / name)
    lock = json.loads(LOCK_FILE.read_text())
    lock["packages"] = needed_packages(lock)
    for entry in lock["packages"].values():
        shutil.copy2(BUNDLE / entry["file_name"], bundle / entry["file_name"])
    (bundle / LOCK_FILE.name).write_text(json.dumps(lock, indent=1, sort_keys=True))
    return version


def pack() -> Path:
    """Build, stage and `npm pack` the package into dist/; the tarball's path."""
    setup()
    stage = DIST / "package"
    version = stage_package(stage)
    wheel = next(BUNDLE.glob(f"{PACKAGE}-*.whl"))
    shutil.copy2(wheel, DIST / wheel.name)  # the Python wheel, for the desktop command (pipx install)
    log(f"wrote {(DIST / wheel.name).relative_to(ROOT)} (the desktop command: pipx install it)")
    tarball = DIST / f"taskerino-migration-{version}.tgz"
    tarball.unlink(missing_ok=True)
    run("npm", "pack", "--silent", "--pack-destination", DIST, cwd=stage, stdout=subprocess.DEVNULL)
    raw = sum(f.stat().st_size for f in stage.rglob("*") if f.is_file())
    log(f"shipped: {raw / 1e6:.1f} MB raw, {tarball.stat().st_size / 1e6:.1f} MB gzipped (the tarball)")
    return tarball


# ---------------------------------------------------------------- serving web/

class WebHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".mjs": "text/javascript", ".js": "text/javascript",
                      ".wasm": "application/wasm", ".json": "application/json",
                      ".whl": "application/zip", ".zip": "application/zip"}

    extra_headers: dict[str, str] = {}

    def end_headers(self) -> None:
        # Wheels are rebuilt under the same name: never let the browser keep a stale one.
        self.send_header("Cache-Control", "no-cache")
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, *args) -> None:  # quiet: the page's own console is the interesting output
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)  # a closed tab mid-download is normal


def start_server(port: int = 0, directory: Path = WEB,
                 headers: dict[str, str] | None = None) -> http.server.ThreadingHTTPServer:
    """Serve `directory` on 127.0.0.1 in a background thread; port 0 picks a free one.
    `headers` go on every response (a test serves Taskerino's Content-Security-Policy)."""
    handler = functools.partial(type("Handler", (WebHandler,), {"extra_headers": dict(headers or {})}),
                                directory=str(directory))
    server = QuietServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# ---------------------------------------------------------------- commands

def cmd_setup(_args) -> None:
    chromium = setup(engines=True)
    log(f"ready (Chromium: {chromium or 'Playwright build'})")


def cmd_build(_args) -> None:
    if not (BUNDLE / "pyodide.asm.wasm").exists() or not VENV_PYTHON.exists():
        raise SystemExit("nothing set up yet: run `python3 build.py setup` first")
    build()


def cmd_serve(args) -> None:
    setup()
    server = start_server(args.port)
    base = f"http://127.0.0.1:{server.server_port}/page/index.html"
    # This origin's IndexedDB is its own (not the app's), so open on generated demo data.
    log(f"serving web/ — open {base}?db=taskerino-demo&demo={args.demo}   (Ctrl+C stops)")
    log(f"(an empty database: {base}?db=NAME; the default database taskerino-db: {base})")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()


def cmd_pack(_args) -> None:
    print(pack(), flush=True)  # the last line printed: scripts take the tarball's path from it


def cmd_test(args) -> None:
    chromium = setup(engines=True)
    env = {**os.environ, "CHROMIUM": chromium, "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run([str(VENV_PYTHON), "-m", "pytest", *args.pytest_args], cwd=ROOT, env=env)
    raise SystemExit(result.returncode)


def cmd_bench(args) -> None:
    chromium = setup(engines=True)
    env = {**os.environ, "CHROMIUM": chromium, "PYTHONPATH": os.pathsep.join(["pysrc", ".", "tests"])}
    result = subprocess.run([str(VENV_PYTHON), "-m", "bench", *args.bench_args], cwd=ROOT, env=env)
    raise SystemExit(result.returncode)


def cmd_demo(args) -> None:
    chromium = setup()
    env = {**os.environ, "CHROMIUM": chromium, "PYTHONPATH": os.pathsep.join(["pysrc", ".", "tests"])}
    result = subprocess.run([str(VENV_PYTHON), "tests/demo.py", str(args.sessions)], cwd=ROOT, env=env)
    raise SystemExit(result.returncode)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="install everything that is missing").set_defaults(func=cmd_setup)
    sub.add_parser("build", help="rebuild our wheel and the lock file").set_defaults(func=cmd_build)
    serve = sub.add_parser("serve", help="build, then serve web/ on 127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--demo", type=int, default=24, help="generated legacy sessions in the demo database")
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("pack", help="build, then the npm package dist/taskerino-migration-<version>.tgz (last line: its path)").set_defaults(func=cmd_pack)
    test = sub.add_parser("test", help="set up, build, run all test suites (extra args go to pytest)")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER)
    test.set_defaults(func=cmd_test)
    bench = sub.add_parser("bench", help="benchmarks in headless Chromium (args: parts, --runs; see tests/bench)")
    bench.add_argument("bench_args", nargs=argparse.REMAINDER)
    bench.set_defaults(func=cmd_bench)
    demo = sub.add_parser("demo", help="headless Chromium: fill a demo database, dry run, migrate, from the console")
    demo.add_argument("--sessions", type=int, default=24)
    demo.set_defaults(func=cmd_demo)
    # Everything after `test` / `bench` goes through untouched to pytest / the benchmarks.
    argv = sys.argv[1:]
    if argv and argv[0] in ("test", "bench") and not {"-h", "--help"} & set(argv[1:2]):
        args = parser.parse_args(argv[:1])
        setattr(args, "pytest_args" if argv[0] == "test" else "bench_args", argv[1:])
    else:
        args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
