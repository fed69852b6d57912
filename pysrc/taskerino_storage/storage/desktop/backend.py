"""The StorageBackend port (storage/port.py) over Taskerino's desktop data folder.

Keys are files (paths.py) in the app's own format (envelope.py); each write_batch lands whole or
not at all through our journal (journal.py); the `sessions` array is streamed (array.py). On
opening, the folder is brought to what the app would see after its next launch: a writable
backend finishes what a killed run left, then applies the app's write-ahead log on disk and
checkpoints it (wal.py); a read-only one (status, --dry-run) lays both over the folder in memory
and changes nothing. What it did or found is in `notices`, one line each.
"""
from __future__ import annotations

import asyncio
import bisect
import hashlib
import itertools
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ...errors import LockBusyError, MigrationBusyError, QuotaExceededError, RecordDecodeError, StorageError
from ...session import layout
from .. import codec
from ..port import IndexChange, StorageBackend, StorageEstimate, check_new_elements, to_append
from . import array, envelope, files, paths, wal
from .index_file import IndexFile
from .journal import Journal


class NotADataFolderError(StorageError):
    """The folder is missing, or is not a Taskerino data folder (no db/ in it)."""


class DesktopBackend(StorageBackend):
    encoding = "gzip"  # every file is the app's GZIP_V1 envelope (testing/contract.py asks)

    def __init__(self, base: Path | str, *, writable: bool = True):
        self.base = Path(base)
        self.db = self.base / paths.DB_DIR
        self.writable = writable
        self.journal = Journal(self.base)
        self.overlay: dict[str, bytes | Path | None] = {}  # read-only: key -> content after the next launch
        self.notices: list[str] = []
        self.wal = wal.WalState()
        self._keys: list[str] | None = None  # every key, sorted (keys())
        self._names = paths.FolderNames(self.db)  # new names that clash by case are refused
        self._folder_fd: int | None = None  # a writer's hold on the folder (_hold_folder)
        self._written: dict[str, tuple[str, str]] = {}  # the last batch: key -> (codec text, file text)
        self._index = IndexFile()  # session-index as we last wrote it, ready to grow (index_file.py)
        self.full_disk: str | None = None  # the message of the write a full disk stopped, naming the file
        self._locks: dict[str, asyncio.Lock] = {}
        self._lock_files: dict[str, int] = {}

    @classmethod
    def open(cls, base: Path | str, *, writable: bool = True, create: bool = False) -> "DesktopBackend":
        """Check the folder and bring it to the app's next-launch view (see the module doc).
        NotADataFolderError, wal.WalUnreadableError (nothing changed), StorageError."""
        backend = cls(base, writable=writable)
        if create:
            backend.db.mkdir(parents=True, exist_ok=True)
        backend._check_folder()
        if writable:
            # Before touching anything: another writing command may be mid-batch (its journal,
            # its temporaries); settling them under its feet would break its batch.
            backend._hold_folder()
            backend.notices += backend.journal.settle()
            backend.wal = wal.read_wal(backend.db, files.read_bytes)
            backend.notices += [line.replace("would be applied at the app's next launch", "were applied now")
                                for line in backend.wal.describe()]
            backend._settle_wal()
        else:
            backend.notices += backend.journal.describe()
            backend.overlay.update(backend.journal.overlay())
            backend.wal = wal.read_wal(backend.db, backend._read_file_or_overlay)
            backend.notices += backend.wal.describe()
            for op in backend.wal.ops:
                backend.overlay[op.key] = None if op.text is None else op.text.encode("utf-8", "surrogatepass")
        return backend

    def _hold_folder(self) -> None:
        fd = os.open(self._lock_path("folder"), os.O_RDWR | os.O_CREAT, 0o666)
        if not _os_try_lock(fd):
            os.close(fd)
            raise MigrationBusyError(f"another taskerino-storage command is writing to {self.base}")
        self._folder_fd = fd

    def close(self) -> None:
        """Let another writing command in (the process's exit does it too)."""
        if self._folder_fd is not None:
            _os_unlock(self._folder_fd)
            self._folder_fd = None

    def _lock_path(self, name: str) -> Path:
        """A lock file for `name` on this folder: in the system's temp folder (never in the data
        folder, which status and a dry run must leave byte-identical), keyed by its real path."""
        folder = Path(tempfile.gettempdir()) / ("taskerino-storage-" + hashlib.sha256(
            str(self.base.resolve()).encode()).hexdigest()[:16])
        folder.mkdir(exist_ok=True)
        return folder / (hashlib.sha256(name.encode()).hexdigest()[:24] + ".lock")

    def _check_folder(self) -> None:
        if not self.base.exists():
            raise NotADataFolderError(f"{self.base} does not exist. Pass Taskerino's data folder with --data-dir.")
        if not self.base.is_dir():
            raise NotADataFolderError(f"{self.base} is a file, not Taskerino's data folder. Pass the folder with --data-dir.")
        if not self.db.is_dir():
            raise NotADataFolderError(f"{self.base} is not a Taskerino data folder (it has no db/ folder). "
                                      "Pass the folder that holds db/ with --data-dir.")
        if not os.access(self.db, os.R_OK | os.X_OK):
            raise NotADataFolderError(f"{self.db} cannot be read (permission denied). Run as the user who "
                                      "runs Taskerino, or fix the folder's permissions.")

    def _settle_wal(self) -> None:
        """Apply the pending entries as replay would, then checkpoint: wal.checkpoint at or after
        every entry's timestamp, wal.log empty. Each file replaced atomically; idempotent."""
        if not self.wal.needs_settling:
            return
        touched: dict[str, Path] = {}
        for op in self.wal.ops:
            target = paths.key_path(self.db, op.key)
            if op.text is None:
                files.remove(target)
            else:
                temporary = self.journal.new_temporary()
                files.write_new(temporary, [op.text.encode("utf-8", "surrogatepass")])
                files.replace(temporary, target)
            touched[str(target.parent)] = target.parent
        for folder in touched.values():
            files.fsync_dir(folder)
        for name, text in ((paths.WAL_CHECKPOINT, str(self.wal.checkpoint_value())), (paths.WAL_LOG, "")):
            temporary = self.journal.new_temporary()
            files.write_new(temporary, [text.encode()])
            files.replace(temporary, self.db / name)
        files.fsync_dir(self.db)

    # -- reading
    def _read_file_or_overlay(self, path: Path) -> bytes | None:
        return files.read_bytes(path)

    def _content(self, key: str) -> bytes | None:
        if key in self.overlay:
            found = self.overlay[key]
            return found if not isinstance(found, Path) else files.read_bytes(found)
        try:
            return files.read_bytes(paths.key_path(self.db, key))
        except StorageError as exc:
            raise RecordDecodeError(key, str(exc)) from None

    async def read(self, key: str) -> codec.Decoded | None:
        raw = self._content(key)
        if raw is None:
            return None
        try:
            return envelope.decode_file(key, raw)
        except RecordDecodeError as exc:
            raise self.unreadable(exc) from None

    def unreadable(self, exc: RecordDecodeError) -> RecordDecodeError:
        """The error for a file that can't be read, naming the file and what to do."""
        where = self.overlay.get(exc.key, paths.key_path(self.db, exc.key))
        name = str(where) if isinstance(where, Path) else f"db/{exc.key}.json as the write-ahead log leaves it"
        return RecordDecodeError(exc.key, f"{exc.reason} — file {name}; it is left as it is: put back a "
                                          "good copy (db/ keeps <name>.<ms>.backup.json copies of earlier "
                                          "saves) or move it out of db/, then run again")

    async def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        found = {}
        for key in keys:
            decoded = await self.read(key)
            if decoded is not None:
                found[key] = decoded.value
        return found

    async def read_back(self, texts: Mapping[str, str]) -> list[str]:
        """Each file's data gunzipped and compared as text with the text written for `texts[key]`
        (JSON.stringify's form of it, as write_batch stores)."""
        differ = []
        for key, text in texts.items():
            try:
                raw = self._content(key)
                parsed = None if raw is None else json.loads(raw)
                data = parsed.get("data") if isinstance(parsed, dict) else None
                written = self._written.get(key)
                expected = written[1] if written is not None and written[0] == text else \
                    envelope.js_text(codec.loads(key, text))
                same = isinstance(data, str) and parsed.get("compressed") is True and codec.decode_text(data) == expected
            except (ValueError, RecordDecodeError):
                same = False
            if not same:
                differ.append(key)
        return differ

    async def keys(self, prefix: str = "") -> list[str]:
        """From one listing of db/, kept up to date by our own writes: a session's backups are
        listed by prefix once per session, and walking db/sessions/ each time made a batch
        quadratic. (Nothing else writes meanwhile: the app is closed, our lock is held.)"""
        if self._keys is None:
            found = set(paths.walk_keys(self.db))
            for key, content in self.overlay.items():
                (found.discard if content is None else found.add)(key)
            self._keys = sorted(found)
        start = bisect.bisect_left(self._keys, prefix)
        end = start
        while end < len(self._keys) and self._keys[end].startswith(prefix):
            end += 1
        return self._keys[start:end]

    def _listed(self, steps: list[list[str]]) -> None:
        """Our own batch's puts and deletes, in the listing."""
        if self._keys is None:
            return
        for step in steps:
            at = bisect.bisect_left(self._keys, step[1])
            there = at < len(self._keys) and self._keys[at] == step[1]
            if step[0] == "put" and not there:
                self._keys.insert(at, step[1])
            elif step[0] == "delete" and there:
                del self._keys[at]

    async def estimate(self) -> StorageEstimate:
        usage = shutil.disk_usage(self.db)
        return StorageEstimate(usage=usage.used, quota=usage.used + usage.free)

    # -- writing
    async def write_batch(self, puts: Mapping[str, Any] | None = None, deletes: Iterable[str] = (), *,
                          index: IndexChange | None = None) -> None:
        with self._noting_full_disk():
            await self._write_batch(puts, deletes, index)

    @contextmanager
    def _noting_full_disk(self):
        try:
            yield
        except QuotaExceededError as exc:
            self.full_disk = str(exc)
            raise

    async def append_to_array(self, key: str, element: dict, puts: Mapping[str, Any] | None = None,
                              deletes: Iterable[str] = (), *, index: IndexChange | None = None) -> bool:
        """The port's append, streamed: the array is scanned (never held) for elements with that
        id, and the new file — every element as its very text, then this one — is staged and
        renamed with the batch's other files, atomically."""
        check_new_elements(key, [element])
        source = self.array_source(key)
        same = [None if e.error else codec.dumps(e.value) for e in (array.elements(source) if source else ())
                if array.element_id(e.value) == element["id"]]
        keep = to_append(key, [(element["id"], codec.dumps(element))], {element["id"]: same} if same else {})
        with self._noting_full_disk():
            staged = {}
            if keep:
                texts = (e.text for e in array.elements(source)) if source is not None else iter(())
                staged[key] = array.stage_array(self.journal, itertools.chain(texts, [envelope.js_text(element)]))
            await self._write_batch(puts, deletes, index, staged)
        return bool(keep)

    async def _write_batch(self, puts, deletes, index, staged: Mapping[str, Path] | None = None) -> None:
        """`staged`: files already written (and fsynced) as temporaries, by key: put with the rest."""
        if not self.writable:
            for path in (staged or {}).values():
                path.unlink(missing_ok=True)
            raise StorageError("this folder was opened read-only (status or a dry run)")
        puts = dict(puts or {})
        texts: dict[str, str | bytes | Path] = {k: envelope.js_text(v) for k, v in puts.items()}
        # What read_back will be asked about (codec.dumps, remembered by the plan: no new encoding).
        self._written = {k: (codec.dumps(v), texts[k]) for k, v in puts.items()}
        removal = index is not None and index.op == "remove"
        index_file = False  # the index's new file comes from self._index
        if index is not None:
            identity = self.fingerprint(layout.SESSION_INDEX_KEY)
            ids = self._index.ids(identity)
            if ids is None:
                current = await self.read(layout.SESSION_INDEX_KEY)
                ids = None if current is None else current.value
            changed = index.edit(ids)
            if changed is not None:
                texts[layout.SESSION_INDEX_KEY] = self._index.file_for(changed, identity=identity)
                index_file = True
        texts.update(staged or {})
        deletes = [k for k in dict.fromkeys(deletes) if k not in texts]
        for key in [*texts, *deletes]:
            paths.key_path(self.db, key)  # refuse a key no file may stand for, before writing anything
        for key in texts:
            paths.check_app_can_reach(key)
            self._names.check(key)
        steps, written, parents = [], [], []
        try:
            for key in _put_order(texts, first=True):
                steps.append(self._stage(key, texts[key], written, parents))
            steps += _delete_steps(deletes, index_first=removal, texts=texts,
                                   stage=lambda k: self._stage(k, texts[k], written, parents))
            for key in _put_order(texts, first=False):
                if not any(s[1] == key for s in steps):
                    steps.append(self._stage(key, texts[key], written, parents))
            files.fsync_all(written, [*parents, self.journal.tmp])
            self.journal.commit(steps)
        except BaseException:
            self.journal.discard(written)
            self._index.landed(None)
            raise
        try:
            self.journal.apply(steps)
        except BaseException:
            self._keys = None  # list again: part of it may have landed
            self._index.landed(None)
            raise
        self._listed(steps)
        self._index.landed(self.fingerprint(layout.SESSION_INDEX_KEY) if index_file else None)

    def _stage(self, key: str, text: str | bytes | Path, written: list[Path], parents: list[Path]) -> list[str]:
        """The new file under a temporary name (fsynced later, with the batch's others; a Path:
        staged already; bytes: the file itself), and the folders its target needs."""
        if isinstance(text, Path):
            temporary = text
            written.append(temporary)
        else:
            temporary = self.journal.new_temporary()
            written.append(temporary)
            content = text if isinstance(text, bytes) else envelope.encode_file(text)
            files.write_new(temporary, [content], sync=False)
        target = paths.key_path(self.db, key)
        if not target.parent.is_dir():
            files.make_dirs(target.parent, self.db, parents)
        return ["put", key, temporary.name]

    # -- the sessions array
    def fingerprint(self, key: str):
        if key in self.overlay:
            return ("overlay", id(self.overlay[key]))
        try:
            st = paths.key_path(self.db, key).stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def array_source(self, key: str) -> array.Source | None:
        if key in self.overlay:
            found = self.overlay[key]
            if found is None:
                return None
            return array.Source(key, path=found) if isinstance(found, Path) else array.Source(key, content=found)
        path = paths.key_path(self.db, key)
        return array.Source(key, path=path) if path.exists() else None

    async def open_array(self, key: str) -> array.DesktopArrayRecord | None:
        source = self.array_source(key)
        return None if source is None else array.DesktopArrayRecord(self, key, source)

    def rewrite_array(self, key: str, texts: Iterator[str]) -> None:
        if not self.writable:
            raise StorageError("this folder was opened read-only (status or a dry run)")
        with self._noting_full_disk():
            array.write_array(self.journal, paths.key_path(self.db, key), texts)

    # -- locks: between tasks of this process (asyncio) and between processes (an OS file lock)
    async def _acquire_lock(self, name: str, wait: bool):
        lock = self._locks.setdefault(name, asyncio.Lock())
        if not wait and lock.locked():
            raise LockBusyError(f"lock {name!r} is held by another task")
        await lock.acquire()
        try:
            fd = await self._os_lock(name, wait)
        except BaseException:
            lock.release()
            raise

        async def release() -> None:
            _os_unlock(fd)
            lock.release()

        return release

    async def _os_lock(self, name: str, wait: bool) -> int:
        fd = os.open(self._lock_path(name), os.O_RDWR | os.O_CREAT, 0o666)
        while True:
            if _os_try_lock(fd):
                return fd
            if not wait:
                os.close(fd)
                raise LockBusyError(f"lock {name!r} is held by another process working on {self.base}")
            await asyncio.sleep(0.05)


def _put_order(texts: Mapping[str, str], *, first: bool) -> list[str]:
    """Records before the files that make a session visible: its metadata, then the index.
    first=True: every put but those; False: the metadata, then the index."""
    def late(key: str) -> int:
        if key == layout.SESSION_INDEX_KEY:
            return 2
        parsed = layout.parse_chunked_key(key)
        return 1 if parsed is not None and parsed.part == "metadata" else 0
    return [k for k in texts if late(k) == 0] if first else sorted((k for k in texts if late(k)), key=late)


def _delete_steps(deletes: list[str], *, index_first: bool, texts, stage) -> list[list[str]]:
    """A removal from the index goes first (the app stops listing the session), then the
    metadata, then the rest: a session disappears from the app's list before its records go."""
    steps = []
    if index_first and layout.SESSION_INDEX_KEY in texts:
        steps.append(stage(layout.SESSION_INDEX_KEY))
    def rank(key: str) -> int:
        parsed = layout.parse_chunked_key(key)
        return 0 if parsed is not None and parsed.part == "metadata" else 1
    steps += [["delete", k] for k in sorted(deletes, key=rank)]
    return steps


def _os_try_lock(fd: int) -> bool:
    if os.name == "nt":
        import msvcrt
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _os_unlock(fd: int) -> None:
    os.close(fd)  # closing the descriptor releases the lock (flock and msvcrt alike)
