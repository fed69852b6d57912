"""Is Taskerino running? Nothing keeps the app and another process apart (it takes no lock on
its folder), so a command that writes must know it is closed.

A process is Taskerino when its executable is the app's: the name psutil reports for it, or
the file name of its executable, is the bundle's binary (productName "Taskerino" in
src-tauri/tauri.conf.json: Taskerino.app/Contents/MacOS/Taskerino, Taskerino.exe, taskerino on
Linux). Never by its command line: ours names the app too (`taskerino-storage`, a data folder
called com.taskerino.desktop), as may an editor or a shell."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import PurePath

APP_EXECUTABLES = {"taskerino", "taskerino.exe"}


@dataclass(frozen=True)
class RunningApp:
    pid: int
    executable: str


def running_app() -> RunningApp | None:
    """The first running Taskerino found, or None. psutil is a desktop-only dependency."""
    import psutil

    own = os.getpid()
    for process in psutil.process_iter(["pid", "name", "exe"]):
        info = process.info
        if info["pid"] == own:
            continue
        names = {(info.get("name") or "").lower()}
        if info.get("exe"):
            names.add(PurePath(info["exe"]).name.lower())
        if names & APP_EXECUTABLES:
            return RunningApp(info["pid"], info.get("exe") or info.get("name") or "?")
    return None
