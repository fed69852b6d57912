"""Refusals before anything is written (exit 2, one clear line naming the problem, nothing
changed): a running Taskerino (by its executable, never by a command line that mentions it), a
missing folder, a folder that is not Taskerino's, one we may not read; and bad files, reported
by name and left byte-identical."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from desktop.app_folder import AppFolder
from desktop.helpers import cli, snapshot
from taskerino_storage.demo.samples import generate_sessions


@pytest.fixture
def legacy_folder(tmp_path):
    folder = AppFolder(tmp_path / "data")
    folder.save("sessions", generate_sessions(3, seed=31, size="small"))
    return folder


def test_a_running_app_is_refused_and_force_overrides(legacy_folder, tmp_path):
    app = tmp_path / "bin" / "taskerino"
    app.parent.mkdir()
    shutil.copy(shutil.which("sleep"), app)  # an executable named like the app's
    running = subprocess.Popen([str(app), "60"])
    try:
        before = snapshot(legacy_folder.base)
        done = cli(legacy_folder.base, "migrate")
        assert done.returncode == 2 and done.result["kind"] == "refused"
        assert f"Taskerino is running (pid {running.pid}" in done.stderr and "--force" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
        assert snapshot(legacy_folder.base) == before
        status = cli(legacy_folder.base, "status")  # reading is allowed, with a warning
        assert status.returncode == 0 and "Taskerino is running" in status.stdout
        forced = cli(legacy_folder.base, "migrate", "--force")
        assert forced.returncode == 0 and forced.result["migrated"] == 3
    finally:
        running.kill()
        running.wait()


def test_a_process_that_only_mentions_the_app_is_not_taken_for_it(legacy_folder):
    mentions = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "taskerino",
                                 "/Applications/Taskerino.app/Contents/MacOS/Taskerino"])
    try:
        done = cli(legacy_folder.base, "migrate")  # our own command line names it too
        assert done.returncode == 0, done.stderr
    finally:
        mentions.kill()
        mentions.wait()


def test_a_missing_folder_is_refused(tmp_path):
    done = cli(tmp_path / "nowhere", "status")
    assert done.returncode == 2 and "does not exist" in done.stderr and "--data-dir" in done.stderr
    assert str(tmp_path / "nowhere") in done.stderr
    assert not (tmp_path / "nowhere").exists()


def test_a_folder_that_is_not_taskerinos_is_refused(tmp_path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.json").write_text("{}")
    before = snapshot(tmp_path)
    for args in (["status"], ["migrate"], ["cleanup", "--confirm"]):
        done = cli(tmp_path / "photos", *args)
        assert done.returncode == 2 and "is not a Taskerino data folder (it has no db/ folder)" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert snapshot(tmp_path) == before


def test_a_folder_we_may_not_read_is_refused(tmp_path):
    """Root reads every file, so the command runs as `nobody` (setpriv) on a db/ folder only root
    may open (in a folder of its own under /tmp: pytest's tmp_path is root's alone)."""
    if not shutil.which("setpriv"):
        pytest.skip("setpriv is needed to run the command as another user")
    import tempfile
    outer = Path(tempfile.mkdtemp(prefix="taskerino-perm-"))
    try:
        outer.chmod(0o755)
        folder = AppFolder(outer / "data")
        folder.save("sessions", generate_sessions(1, seed=33, size="small"))
        folder.base.chmod(0o755)
        folder.db.chmod(0o700)
        before = snapshot(outer)
        done = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               *cli_argv(folder.base, "migrate")], capture_output=True, text=True,
                              env=_env(), timeout=120)
        assert done.returncode == 2, done.stderr + done.stdout
        assert f"{folder.db} cannot be read (permission denied)" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
        assert snapshot(outer) == before
    finally:
        shutil.rmtree(outer)


def cli_argv(folder, *args):
    from desktop.helpers import COMMAND
    return [*COMMAND, "--data-dir", str(folder), *args, "--json"]


def _env():
    from desktop.helpers import ENV
    return {**ENV, "HOME": "/tmp"}


def test_a_corrupt_sessions_file_is_named_and_left_as_it_is(tmp_path):
    folder = AppFolder(tmp_path)
    good = generate_sessions(2, seed=32, size="small")
    folder.save(f"sessions/{good[0]['id']}", good[0])
    bad = folder.write_text("sessions", '{"version": 1, "data": "GZIP_V1:H4sIAAAA')  # cut short
    raw = bad.read_bytes()
    done = cli(tmp_path, "migrate")
    assert done.returncode == 1
    assert str(bad) in done.stdout and "put back a good copy" in done.stdout
    assert bad.read_bytes() == raw
    assert done.result["migrated"] == 1  # the other session still migrates


def test_the_default_folder_is_the_apps_on_this_os(tmp_path):
    """Linux: $XDG_DATA_HOME/com.taskerino.desktop (platformdirs)."""
    from desktop.helpers import COMMAND, ENV, ROOT
    folder = AppFolder(tmp_path / "com.taskerino.desktop")
    folder.save("sessions", generate_sessions(2, seed=34, size="small"))
    done = subprocess.run([*COMMAND, "status", "--json"], env={**ENV, "XDG_DATA_HOME": str(tmp_path)}, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and '"legacy": 2' in done.stdout.splitlines()[-1]


async def test_a_second_command_on_the_same_folder_is_refused(legacy_folder):
    """The engine's batch lock is an OS file lock: held here, another process is refused."""
    from taskerino_storage.migration.locks import BATCH_LOCK
    from taskerino_storage.storage.desktop import DesktopBackend

    backend = DesktopBackend.open(legacy_folder.base, writable=False)
    before = snapshot(legacy_folder.base)
    async with backend.lock(BATCH_LOCK, wait=False):
        done = cli(legacy_folder.base, "migrate")
    assert done.returncode == 2 and "Another taskerino-storage command is working on this folder" in done.stderr
    assert snapshot(legacy_folder.base) == before
    assert cli(legacy_folder.base, "migrate").returncode == 0  # released: free again


def test_a_writer_never_settles_another_writers_journal(legacy_folder):
    """A second writing command is refused before it looks at the journal or the log."""
    from taskerino_storage.storage.desktop import DesktopBackend

    first = DesktopBackend.open(legacy_folder.base)  # a writer, mid-run
    try:
        (legacy_folder.base / ".taskerino-storage" / "tmp").mkdir(parents=True, exist_ok=True)
        staged = legacy_folder.base / ".taskerino-storage" / "tmp" / "in-flight"
        staged.write_text("the first writer's uncommitted temporary")
        done = cli(legacy_folder.base, "migrate")
        assert done.returncode == 2 and "Another taskerino-storage command" in done.stderr
        assert staged.exists()
    finally:
        first.close()
