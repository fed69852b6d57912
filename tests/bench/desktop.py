"""The desktop command on a data folder, against a floor in the same run.

For each N, one generated folder (Taskerino's `sessions.json`, the app's envelope, N sessions
of demo/samples.py's "small" size, ~20 KB of JSON each: N = 2000 realistic ones, ~117 KB,
would take the loaded machine tens of minutes per side) is copied twice and migrated in a fresh subprocess each:
  - ours: `python -m taskerino_storage --data-dir DIR migrate` (journal, fsyncs, verification,
    the streamed array rewrite, the WAL settled, markers);
  - the floor: plain Python doing the same reads and writes — read the array, split each
    session into the same records, write them and the backup in the app's file format
    (gzip level 9 and its checksum), the index, then the emptied array — with plain writes:
    no journal, no fsync, no verification, the whole array in memory.
  - ours without fsync (os.fsync made a no-op in that process): what durability costs here.
Reported: ms per session, ours/floor, and each process's peak RSS (os.wait4's ru_maxrss, from a
small launcher: see LAUNCH)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .harness import median, write_results

SIZES = (100, 500, 2000)
ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "pysrc"), str(ROOT / "tests"), str(ROOT)])}

FLOOR = r'''
import base64, gzip, json, sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from taskerino_storage.session import layout
from taskerino_storage.session.checksum import session_checksum
from taskerino_storage.session.records import ChunkSizes, split_session
from taskerino_storage.storage.desktop.envelope import encode_file

db = Path(sys.argv[1]) / "db"
def load(key):
    envelope = json.loads((db / f"{key}.json").read_text())
    return json.loads(gzip.decompress(base64.b64decode(envelope["data"][8:])).decode())
def save(key, value):
    path = db / f"{key}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode_file(json.dumps(value, ensure_ascii=False, separators=(",", ":"))))
now = datetime.now(timezone.utc)
index = []
for session in load("sessions"):
    split = split_session(session, ChunkSizes(), layout.js_iso(now))
    for key, value in split.records.items():
        save(key, value)
    save(layout.backup_key(session["id"], now), {
        "session": session, "backupCreatedAt": layout.js_iso(now),
        "expiresAt": layout.js_iso(now + timedelta(days=30)), "originalFormat": "monolithic",
        "source": {"layout": "array", "key": "sessions"}, "checksum": session_checksum(session)})
    index.append(session["id"])
save("session-index", index)
save("sessions", [])
'''


NO_FSYNC = "import os, runpy, sys; os.fsync = lambda fd: None; sys.argv[0] = 'taskerino_storage'; " \
           "runpy.run_module('taskerino_storage', run_name='__main__')"


def make_folder(base: Path, n: int) -> None:
    from desktop.app_folder import AppFolder, gzip_v1, java_hash
    from taskerino_storage.demo.samples import iter_sessions
    import json

    folder = AppFolder(base)
    text = "[" + ",".join(json.dumps(s, ensure_ascii=False, separators=(",", ":"))
                          for s in iter_sessions(n, seed=5, size="small")) + "]"
    folder.write_text("sessions", json.dumps({"version": 1, "checksum": java_hash(text), "timestamp": 1,
                                              "compressed": True, "data": gzip_v1(text)}, indent=2))


# Linux counts in a child's peak RSS the size of the process it was forked from (the hiwater
# mark at exec): the bench itself holds the generated sessions, so each command is started from
# this small launcher, whose own size is what the figure then includes (a few MB).
LAUNCH = """
import os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(time.perf_counter() - started, usage.ru_maxrss // 1024, os.waitstatus_to_exitcode(status))
"""


def timed(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of one subprocess."""
    done = subprocess.run([sys.executable, "-c", LAUNCH, *argv], env=ENV, cwd=ROOT, capture_output=True, text=True)
    seconds, rss, code = done.stdout.split()
    if code != "0":
        raise SystemExit(f"{argv[:4]} failed: {done.stderr[-2000:]}")
    return float(seconds), int(rss)


def run(runs: int = 1, n: int | None = None) -> None:
    sizes = (n,) if n else SIZES
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory(dir=ROOT / "build") as scratch:
            source = Path(scratch) / "source"
            make_folder(source, size)
            mb = (source / "db" / "sessions.json").stat().st_size / 1e6
            ours, floor, unsynced = [], [], []
            for _ in range(max(1, runs)):
                for name, argv, into in (
                        ("ours", [sys.executable, "-m", "taskerino_storage", "--data-dir", "{dir}", "migrate"], ours),
                        ("floor", [sys.executable, "-c", FLOOR, "{dir}"], floor),
                        ("unsynced", [sys.executable, "-c", NO_FSYNC, "--data-dir", "{dir}", "migrate"], unsynced)):
                    target = Path(scratch) / name
                    shutil.rmtree(target, ignore_errors=True)
                    shutil.copytree(source, target)
                    into.append(timed([a.replace("{dir}", str(target)) for a in argv]))
            ours_s, floor_s = median([t for t, _ in ours]), median([t for t, _ in floor])
            unsynced_s = median([t for t, _ in unsynced])
            row = {"n": size, "sessionsJsonMB": round(mb, 1),
                   "oursMsPerSession": round(ours_s * 1000 / size, 2), "floorMsPerSession": round(floor_s * 1000 / size, 2),
                   "ratio": round(ours_s / floor_s, 2), "ratioWithoutFsync": round(unsynced_s / floor_s, 2),
                   "oursSeconds": round(ours_s, 2), "floorSeconds": round(floor_s, 2),
                   "oursPeakRssMB": max(r for _, r in ours), "floorPeakRssMB": max(r for _, r in floor)}
            rows.append(row)
            print(row, flush=True)
    table = ["| N | sessions.json (gzip) | ours ms/session | floor ms/session | ours/floor | without fsync | ours total | ours peak RSS | floor peak RSS |",
             "|---|---|---|---|---|---|---|---|---|"]
    table += [f"| {r['n']} | {r['sessionsJsonMB']} MB | {r['oursMsPerSession']} | {r['floorMsPerSession']} | "
              f"{r['ratio']}× | {r['ratioWithoutFsync']}× | {r['oursSeconds']} s | {r['oursPeakRssMB']} MB | "
              f"{r['floorPeakRssMB']} MB |" for r in rows]
    write_results("desktop", {"rows": rows, "runs": runs}, "\n".join(table))
