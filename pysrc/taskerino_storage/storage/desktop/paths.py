"""Where things live in a desktop data folder (Tauri's AppData for com.taskerino.desktop).

The app keeps key K at db/K.json, a '/' in K making folders, with no escaping
(TauriFileSystemAdapter: `${DB_DIR}/${collection}.json`). Beside the keys, db/ holds the app's
own clutter, never a key: K.tmp.json (a save in progress), K.backup.json and K.<ms>.backup.json
(copies made on save), tx-temp-* and older .tx-* folders (transactions), wal.log, wal.checkpoint.

Our own files (journal, temporary files) live in OWN_DIR beside db/, a name the app never reads:
on the same file system as db/, so a rename into db/ is atomic and a full disk is felt there.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ...errors import StorageError, UnstorableKeyError

APP_ID = "com.taskerino.desktop"
DB_DIR = "db"
WAL_LOG = "wal.log"
WAL_CHECKPOINT = "wal.checkpoint"
OWN_DIR = ".taskerino-storage"  # beside db/, never inside it
JOURNAL = "journal.json"
TMP_DIR = "tmp"

_CLUTTER_FILE = re.compile(r"\.(tmp|backup|\d+\.backup)\.json$")
_CLUTTER_DIR = re.compile(r"^(tx-temp-|\.tx-)")


def default_data_dir() -> Path:
    """The app's folder on this OS: platformdirs' user data dir for its identifier (macOS
    ~/Library/Application Support, Linux $XDG_DATA_HOME or ~/.local/share, Windows %APPDATA%)."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_ID, appauthor=False, roaming=True))


def is_clutter_name(name: str) -> bool:
    """A file name in db/ that is the app's clutter, never a key's file."""
    return bool(_CLUTTER_FILE.search(name))


def is_clutter_dir(name: str) -> bool:
    return bool(_CLUTTER_DIR.match(name))


def key_path(db: Path, key: str) -> Path:
    """db/K.json; UnstorableKeyError for a key no file of ours may stand for: one that would leave db/,
    or that the app would take for its clutter or its log."""
    parts = key.split("/")
    try:
        key.encode("utf-8")  # a lone surrogate names no file the app (Rust, UTF-8 paths) could open
    except UnicodeEncodeError:
        raise UnstorableKeyError(f"the key {key!r} cannot be stored as a file under db/ (not UTF-8)") from None
    if (not key or any(p in ("", ".", "..") for p in parts) or "\x00" in key or "\\" in key
            or is_clutter_name(key + ".json") or is_clutter_dir(parts[0]) or key in ("wal", )):
        raise UnstorableKeyError(f"the key {key!r} cannot be stored as a file under db/")
    return db.joinpath(*parts[:-1], parts[-1] + ".json")


def check_app_can_reach(key: str) -> None:
    """UnstorableKeyError for a key whose file Taskerino cannot open: its fs scope ($APPDATA/**, Tauri's
    glob, where a leading dot must be literal on macOS and Linux) refuses any path component starting
    with '.', so the app would lose sight of a session stored there (docs/desktop.md)."""
    if any(part.startswith(".") for part in key.split("/")):
        raise UnstorableKeyError(f"the key {key!r} cannot be stored as a file Taskerino can read: its file "
                           "access refuses a path component starting with '.' (macOS, Linux)")


def app_may_remove(key: str) -> bool:
    """Whether the app's fs scope lets it remove db/K.json: under db/ only its backups
    (db/**/*.backup.json; tx-temp-*, wal.log and wal.checkpoint are no keys)."""
    return key.endswith(".backup") and not any(part.startswith(".") for part in key.split("/")[:-1])


class FolderNames:
    """The names already in db/'s folders, by case-folded name: a new file or folder whose name
    differs from an existing one only by letter case is refused everywhere, since on macOS and
    Windows both are one (docs/desktop.md). Each folder is listed once, then kept up to date with
    the names this process adds; a clash is checked again on disk before it is reported."""

    def __init__(self, db: Path):
        self.db = db
        self._names: dict[Path, dict[str, str]] = {}

    def _list(self, folder: Path) -> dict[str, str]:
        try:
            return {entry.name.casefold(): entry.name for entry in os.scandir(folder)}
        except (FileNotFoundError, NotADirectoryError):
            return {}

    def check(self, key: str) -> None:
        """UnstorableKeyError naming the existing file when db/K.json would clash by case."""
        parts = key.split("/")
        parts[-1] += ".json"
        folder = self.db
        for part in parts:
            names = self._names.get(folder)
            if names is None:
                names = self._names[folder] = self._list(folder)
            found = names.get(part.casefold())
            if found is not None and found != part:
                names = self._names[folder] = self._list(folder)  # ours may be stale
                found = names.get(part.casefold())
            if found is not None and found != part:
                rel = (folder / found).relative_to(self.db.parent)
                raise UnstorableKeyError(f"the key {key!r} cannot be stored as a file: {rel} differs from it only "
                                   "by letter case, and on macOS and Windows both are one file")
            names.setdefault(part.casefold(), part)
            folder = folder / part


def walk_keys(db: Path, prefix: str = "") -> list[str]:
    """Every key with a file under db/ starting with `prefix`, sorted; clutter is skipped."""
    found: list[str] = []
    start_dir = prefix.rpartition("/")[0]
    root = db.joinpath(*start_dir.split("/")) if start_dir else db
    if not root.is_dir():
        return []
    base = start_dir + "/" if start_dir else ""
    stack = [(root, base)]
    while stack:
        folder, rel = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StorageError(f"could not list {folder}: {exc.strerror}. Check its permissions, "
                               "then run again.") from None
        for entry in entries:
            name = entry.name
            if entry.is_dir(follow_symlinks=False):
                if not (rel == "" and is_clutter_dir(name)) and (rel + name + "/").startswith(prefix[:len(rel + name) + 1]):
                    stack.append((Path(entry.path), rel + name + "/"))
            elif name.endswith(".json") and not is_clutter_name(name):
                key = rel + name[:-5]
                if key.startswith(prefix):
                    found.append(key)
    return sorted(found)
