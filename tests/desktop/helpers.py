"""Running the real command in a subprocess, and looking at a folder from outside."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "pysrc"), "PYTHONDONTWRITEBYTECODE": "1"}
COMMAND = [sys.executable, "-m", "taskerino_storage"]


def cli(folder, *args, timeout=300, check_json=True, **kwargs) -> subprocess.CompletedProcess:
    """`python -m taskerino_storage --data-dir FOLDER ARGS... --json`, piped (no TTY)."""
    done = subprocess.run([*COMMAND, "--data-dir", str(folder), *args, "--json"], env=ENV, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, **kwargs)
    if check_json:
        last = done.stdout.rstrip("\n").rpartition("\n")[2]
        try:
            done.result = json.loads(last)  # the result object is always the last stdout line
        except ValueError:
            raise AssertionError(f"no JSON last line (exit {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under `folder`, by relative path."""
    found: dict[str, bytes | None] = {}
    for path in sorted(Path(folder).rglob("*")):
        rel = path.relative_to(folder).as_posix()
        found[rel] = None if path.is_dir() else path.read_bytes()
    return found
