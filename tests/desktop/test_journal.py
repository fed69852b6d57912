"""A run killed right after its journal's commit point: status and a dry run report the
unfinished write and change nothing (and count as it will be); the next writing command
finishes it, says so, and leaves no temporary behind. A run killed before the commit point
leaves orphans that the next writing command removes."""
from __future__ import annotations

import subprocess

from desktop.app_folder import AppFolder
from desktop.helpers import COMMAND, ENV, ROOT, cli, snapshot
from desktop.test_kill import check_whole
from taskerino_storage.demo.samples import generate_sessions

KILL_AT = """
import os, signal, sys
from taskerino_storage.storage.desktop import files
from taskerino_storage.terminal.cli import entry_point
where = sys.argv.pop(1)
real = files.replace
def replace(source, target):
    committed = any(p.name == "journal.json" for p in source.parents[1].iterdir()) if source.parent.name == "tmp" else False
    if (where == "after-commit" and committed and "db" in target.parts) or (where == "before-commit" and target.name == "journal.json"):
        os.kill(os.getpid(), signal.SIGKILL)
    return real(source, target)
files.replace = replace
entry_point()
"""


def killed_run(base, where):
    done = subprocess.run([COMMAND[0], "-c", KILL_AT, where, "--data-dir", str(base), "migrate"], env=ENV,
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == -9, done.stderr


def test_a_committed_journal_is_reported_then_finished(tmp_path):
    folder = AppFolder(tmp_path)
    sessions = generate_sessions(3, seed=61, size="small")
    folder.save("sessions", sessions)
    killed_run(tmp_path, "after-commit")
    assert (tmp_path / ".taskerino-storage" / "journal.json").exists()
    before = snapshot(tmp_path)
    status = cli(tmp_path, "status")
    assert status.returncode == 0 and "the next writing command finishes it" in status.stdout
    assert status.result["chunked"] == 1  # read as finishing it will leave it
    dry = cli(tmp_path, "migrate", "--dry-run")
    assert dry.returncode == 0 and "the next writing command finishes it" in dry.stdout
    assert snapshot(tmp_path) == before
    check_whole(tmp_path, sessions, tmp_path.parent / (tmp_path.name + "-scratch"))
    done = cli(tmp_path, "migrate")
    assert done.returncode == 0 and "finished it now" in done.stdout, done.stdout + done.stderr
    assert not (tmp_path / ".taskerino-storage" / "journal.json").exists()
    assert list((tmp_path / ".taskerino-storage" / "tmp").iterdir()) == []
    assert cli(tmp_path, "status").result["chunked"] == 3


def test_temporaries_of_an_uncommitted_batch_are_removed(tmp_path):
    folder = AppFolder(tmp_path)
    sessions = generate_sessions(2, seed=62, size="small")
    folder.save("sessions", sessions)
    killed_run(tmp_path, "before-commit")
    assert list((tmp_path / ".taskerino-storage" / "tmp").iterdir())
    status = cli(tmp_path, "status")
    assert "stopped before committing a write" in status.stdout and status.result["chunked"] == 0
    done = cli(tmp_path, "migrate")
    assert done.returncode == 0 and "removed them now" in done.stdout
    assert list((tmp_path / ".taskerino-storage" / "tmp").iterdir()) == []
    check_whole(tmp_path, sessions, tmp_path.parent / (tmp_path.name + "-scratch"))
