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


_pool = None


def fsync_all(files: Iterable[Path] = (), folders: Iterable[Path] = ()) -> None:
    """fsync many files and folders at once, on threads (fsync releases the GIL): the file
    system commits them together instead of one journal flush each."""
    global _pool
    jobs = [(p, False) for p in files] + [(d, True) for d in dict.fromkeys(folders)]
    if len(jobs) <= 1:
        for path, is_dir in jobs:
            fsync_dir(path) if is_dir else _fsync_file(path)
        return
    if _pool is None:
        from concurrent.futures import ThreadPoolExecutor
        _pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="fsync")
    for done in [_pool.submit(fsync_dir if is_dir else _fsync_file, path) for path, is_dir in jobs]:
        done.result()


def _fsync_file(path: Path) -> None:
    with os_errors(path, "write"):
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_new(path: Path, chunks: Iterable[bytes], *, sync: bool = True) -> None:
    """Create `path` (which must not exist) from `chunks`, fsynced unless `sync` is False (the
    caller then fsyncs it, with others: fsync_all); removed again on failure."""
    with os_errors(path, "write"):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
        try:
            try:
                for chunk in chunks:
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(fd, view):]
                if sync:
                    os.fsync(fd)
            finally:
                os.close(fd)
        except BaseException:
            path.unlink(missing_ok=True)
            raise


def make_dirs(folder: Path, stop: Path, created: list[Path] | None = None) -> None:
    """mkdir -p `folder`, fsyncing each parent of a folder it creates (up to `stop`); with
    `created`, the parents are appended there for the caller to fsync (fsync_all) instead."""
    missing = []
    probe = folder
    while not probe.is_dir():
        missing.append(probe)
        if probe == stop or probe.parent == probe:
            break
        probe = probe.parent
    for made in reversed(missing):
        with os_errors(made, "create the folder"):
            made.mkdir(exist_ok=True)
            if created is None:
                fsync_dir(made.parent)
            else:
                created.append(made.parent)


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
