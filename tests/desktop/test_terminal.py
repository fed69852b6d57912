"""On a terminal, a progress bar (tqdm) instead of the console's [n%] lines; piped, the lines.
The command leaves no process behind: its whole group is gone when it exits."""
from __future__ import annotations

import fcntl
import os
import pty
import struct
import termios
import subprocess

import psutil
from desktop.app_folder import AppFolder
from desktop.helpers import COMMAND, ENV, ROOT, cli
from taskerino_storage.demo.samples import generate_sessions


def test_a_terminal_gets_a_bar_and_a_pipe_gets_lines(tmp_path):
    for name in ("tty", "piped"):
        AppFolder(tmp_path / name).save("sessions", generate_sessions(12, seed=51, size="small"))
    main, side = pty.openpty()
    fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal has a size
    process = subprocess.Popen([*COMMAND, "--data-dir", str(tmp_path / "tty"), "migrate"], env=ENV, cwd=ROOT,
                               stdin=side, stdout=side, stderr=side)
    os.close(side)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert process.wait() == 0
    text = seen.decode("utf-8", "replace")
    assert "%|" in text and "Migrating session" in text  # tqdm's bar, with the current session
    assert "[50%]" not in text and "Migration Results" in text
    piped = cli(tmp_path / "piped", "migrate")
    assert piped.returncode == 0 and "[50%] Migrating session" in piped.stdout and "%|" not in piped.stderr


def test_no_process_is_left_behind(tmp_path):
    AppFolder(tmp_path).save("sessions", generate_sessions(6, seed=52, size="small"))
    process = subprocess.Popen([*COMMAND, "--data-dir", str(tmp_path), "migrate"], env=ENV, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    group = process.pid
    assert process.wait() == 0
    left = [p.pid for p in psutil.process_iter(["pid"]) if _group(p) == group]
    assert left == []


def _group(process) -> int | None:
    try:
        return os.getpgid(process.pid)
    except OSError:
        return None


def test_the_hints_name_the_terminals_subcommands_not_the_consoles_calls(tmp_path):
    folder = AppFolder(tmp_path / "data")
    folder.save("sessions", generate_sessions(2, seed=14, size="small"))
    dry, done = cli(folder.base, "migrate", "--dry-run"), cli(folder.base, "migrate")
    text = dry.stdout + done.stdout
    assert f"   taskerino-storage --data-dir {folder.base} migrate --verbose" in dry.stdout
    assert f"   taskerino-storage --data-dir {folder.base} rollback SESSION-ID [BACKUP-PATH] --confirm" in done.stdout
    assert f"   taskerino-storage --data-dir {folder.base} status" in done.stdout
    assert not [c for c in ("rollbackSession(", "showMigrationStatus(", "runChunkedMigration(", "without dryRun") if c in text]
