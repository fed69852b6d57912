"""`kill -9` of the command's whole process group at random instants: after each kill the app
(a simulated launch, on a copy) sees every session whole and equal, every key file it would load
loads, and a rerun finishes and exits 0."""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time

from desktop.app_folder import AppFolder
from desktop.helpers import COMMAND, ENV, ROOT, cli
from taskerino_storage.session.compare import json_equal
from taskerino_storage.demo.samples import generate_sessions

TRIALS = 12


def fill(folder: AppFolder) -> list[dict]:
    sessions = generate_sessions(24, seed=11, size="small")
    folder.save("sessions", sessions[:20])
    for s in sessions[20:]:
        folder.save(f"sessions/{s['id']}", s, "object")
    return sessions


def check_whole(base, sessions, scratch) -> None:
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(base, scratch)
    app = AppFolder(scratch)
    app.launch()
    for path in app.db.rglob("*.json"):
        rel = path.relative_to(app.db).as_posix()[:-5]
        if not rel.endswith((".tmp", ".backup")) and not rel.startswith("tx-temp-"):
            assert app.load(rel) is not None, f"{rel} is not loadable: half-written?"
    seen = app.load_sessions()
    for s in sessions:
        assert s["id"] in seen and json_equal(seen[s["id"]], s), s["id"]


def test_kill_minus_9_at_random_points_loses_nothing_and_a_rerun_finishes(tmp_path):
    rng = random.Random(int(os.environ.get("KILL_SEED", "2112")))
    base = tmp_path / "data"
    folder = AppFolder(base)
    sessions = fill(folder)
    started = time.perf_counter()
    assert cli(base, "migrate", "--dry-run").returncode == 0
    full = max(1.0, (time.perf_counter() - started) * 1.5)  # a real run writes more than a dry one
    killed_midway = 0
    for trial in range(TRIALS):
        process = subprocess.Popen([*COMMAND, "--data-dir", str(base), "migrate"], env=ENV, cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0.15, full))
        os.killpg(process.pid, signal.SIGKILL)
        killed_midway += process.wait() == -signal.SIGKILL
        check_whole(base, sessions, tmp_path / "scratch")
        if trial % 4 == 3:  # now and then, start over from a legacy folder
            shutil.rmtree(base)
            folder = AppFolder(base)
            fill(folder)
    assert killed_midway >= TRIALS // 2, "too few kills landed mid-run: the timing is off"
    done = cli(base, "migrate")
    assert done.returncode == 0, done.stderr + done.stdout
    again = cli(base, "status")
    assert again.result["legacy"] == 0 and again.result["chunked"] == len(sessions)
    check_whole(base, sessions, tmp_path / "scratch")
    assert not list((base / ".taskerino-storage" / "tmp").iterdir())  # what kills left: removed
