"""Durable file operations: a new file is written under a temporary name, fsynced, and renamed
over its target; the folder is fsynced after renames and removals, so a power cut or a kill
leaves the old file or the new one, never a mix. A full disk becomes QuotaExceededError naming
the file; any other OS error a StorageError naming it."""
from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from ...errors import QuotaExceededError, StorageError

_NO_SPACE = {errno.ENOSPC, errno.EDQUOT}


def fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a folder to fsync it; its renames are durable (MoveFileEx)
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def os_errors(path: Path, doing: str):
    """OSError -> QuotaExceededError (no space) or StorageError, each naming `path`."""
    try:
        yield
    except OSError as exc:
        if exc.errno in _NO_SPACE:
            raise QuotaExceededError(f"the disk is full: could not write {path}. "
                                     "Free some space and run again; nothing was lost.") from None
        raise StorageError(f"could not {doing} {path}: {exc.strerror or exc}") from None


def write_new(path: Path, chunks: Iterable[bytes]) -> None:
    """Create `path` (which must not exist) from `chunks`, fsynced; removed again on failure."""
    with os_errors(path, "write"):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
        try:
            try:
                for chunk in chunks:
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(fd, view):]
                os.fsync(fd)
            finally:
                os.close(fd)
        except BaseException:
            path.unlink(missing_ok=True)
            raise


def make_dirs(folder: Path, stop: Path) -> None:
    """mkdir -p `folder`, fsyncing each parent of a folder it creates (up to `stop`)."""
    missing = []
    probe = folder
    while not probe.is_dir():
        missing.append(probe)
        if probe == stop or probe.parent == probe:
            break
        probe = probe.parent
    for created in reversed(missing):
        with os_errors(created, "create the folder"):
            created.mkdir(exist_ok=True)
            fsync_dir(created.parent)


def replace(source: Path, target: Path) -> None:
    with os_errors(target, "replace"):
        os.replace(source, target)


def remove(path: Path) -> bool:
    with os_errors(path, "remove"):
        try:
            path.unlink()
            return True
        except FileNotFoundError:
            return False


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes, None when absent; StorageError naming it when it can't be read."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise StorageError(f"{path} is a folder where a file was expected") from None
    except OSError as exc:
        raise StorageError(f"could not read {path}: {exc.strerror or exc}. "
                           "Check its permissions, then run again.") from None
