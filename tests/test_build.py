"""build.py's own housekeeping, on a copy of the project in a temporary folder."""
from __future__ import annotations

import shutil
from pathlib import Path

import build


def test_rebuilding_the_wheel_keeps_the_engines_driver(tmp_path: Path):
    """The wheel build removes setuptools' clutter from build/, never build/engines (the Firefox
    driver, installed there by ensure_engines)."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(build.ROOT / name, root / name)
    shutil.copytree(build.ROOT / "pysrc", root / "pysrc",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    driver = root / "build" / "engines" / "node_modules" / "puppeteer-core" / "package.json"
    driver.parent.mkdir(parents=True)
    driver.write_text('{"name": "puppeteer-core"}')
    bundle = root / "web" / "build" / "pyodide"
    bundle.mkdir(parents=True)

    for _ in range(2):  # a first build, then a rebuild after a source change
        wheel = build.build_own_wheel(root, bundle)
        assert wheel.parent == bundle and wheel.name.startswith("taskerino_storage-")
        assert driver.read_text() == '{"name": "puppeteer-core"}'
        assert sorted(p.name for p in (root / "build").iterdir()) == ["engines"]
        assert not list((root / "pysrc").glob("*.egg-info"))
        (root / "pysrc" / "taskerino_storage" / "__init__.py").write_text(
            (root / "pysrc" / "taskerino_storage" / "__init__.py").read_text() + "\n")
