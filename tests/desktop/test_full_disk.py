"""A disk that fills mid-run (a size-limited tmpfs, filled by another writer while the command
runs): the run stops with exit 1, one human line on stderr that names the file and says to free
space and run again, no traceback, the JSON result still last on stdout; nothing is lost; with
space again, a rerun finishes. On the tmpfs the free-space check usually stops the run first
(migration/space.py); the injected ENOSPC tests make a write itself fail, at several points."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

import pytest
from desktop.app_folder import AppFolder
from desktop.helpers import COMMAND, ENV, ROOT, cli
from desktop.test_kill import check_whole
from taskerino_storage.demo.samples import generate_sessions


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()}); the ENOSPC tests below inject it instead")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill_up(mount) -> None:
    """Another writer takes every free byte."""
    fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        for size in (1 << 20, 4096, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)


def test_a_disk_that_fills_mid_run_stops_cleanly_and_a_later_run_finishes(small_disk, tmp_path):
    base = small_disk / "data"
    folder = AppFolder(base)
    sessions = generate_sessions(40, seed=21, size="small")
    folder.save("sessions", sessions)
    for delay in (0.9, 0.6, 0.4, 0.25):
        process = subprocess.Popen([*COMMAND, "--data-dir", str(base), "migrate", "--json"], env=ENV, cwd=ROOT,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        fill_up(small_disk)
        out, err = process.communicate(timeout=300)
        if process.returncode == 1:
            break
        assert process.returncode == 0, err
        (small_disk / "filler").unlink()  # it finished first: start again from legacy data
        shutil.rmtree(base)
        folder = AppFolder(base)
        folder.save("sessions", sessions)
    else:
        pytest.fail("the disk never filled during a run")
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Free some space" in lines[0] or "free space" in lines[0].lower(), lines[0]
    assert str(base) in lines[0] or "Not enough storage space" in lines[0], lines[0]
    result = json.loads(out.rstrip("\n").rpartition("\n")[2])
    assert result["success"] is False
    check_whole(base, sessions, tmp_path / "scratch")  # nothing lost
    (small_disk / "filler").unlink()
    done = cli(base, "migrate")
    assert done.returncode == 0, done.stderr + done.stdout
    assert cli(base, "status").result["legacy"] == 0
    check_whole(base, sessions, tmp_path / "scratch")


INJECT = """
import errno, os, sys
from taskerino_storage.terminal.cli import entry_point
real, calls = os.write, [0]
def write(fd, data):  # the file system says ENOSPC from the Nth write of a file on
    calls[0] += 1
    if calls[0] >= LIMIT:
        raise OSError(errno.ENOSPC, "No space left on device")
    return real(fd, data)
LIMIT = int(sys.argv.pop(1))
os.write = write
entry_point()
"""


@pytest.mark.parametrize("limit", [15, 40, 90])
def test_enospc_on_a_write_stops_with_one_line_naming_the_file(tmp_path, limit):
    base = tmp_path / "data"
    folder = AppFolder(base)
    sessions = generate_sessions(12, seed=22, size="small")
    folder.save("sessions", sessions)
    done = subprocess.run([COMMAND[0], "-c", INJECT, str(limit), "--data-dir", str(base), "migrate", "--json"],
                          env=ENV, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr + done.stdout[-2000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert "the disk is full: could not write" in lines[0] and str(base) in lines[0], lines[0]
    assert "Free some space and run again" in lines[0]
    assert json.loads(done.stdout.rstrip("\n").rpartition("\n")[2])["success"] is False
    check_whole(base, sessions, tmp_path / "scratch")
    assert cli(base, "migrate").returncode == 0
    check_whole(base, sessions, tmp_path / "scratch")
