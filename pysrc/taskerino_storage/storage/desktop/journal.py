"""Our own journal: each write_batch lands whole or not at all, on a file system, whatever
stops it (docs/desktop.md, "Atomicity").

  1. every new file is written to OWN_DIR/tmp/ under a fresh name and fsynced; the folders the
     targets need are created (everything that needs space happens here);
  2. the journal, OWN_DIR/journal.json, names every step (put: temporary -> key; delete: key);
     it is written under a temporary name, fsynced and renamed: THE COMMIT POINT;
  3. the steps run in order: renames over db/K.json and removals, each folder fsynced;
  4. the journal is removed.

The next writing command first settles what a killed run left: a journal is finished (step 3
again: a put whose temporary is gone is done), temporaries without a journal are removed (the
batch never committed). status and --dry-run only describe it and read the folder as finishing
it would leave it (overlay()). The app never reads OWN_DIR: it lives beside db/, not in it.
"""
from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable
from pathlib import Path

from ...errors import StorageError
from . import files, paths


class Journal:
    def __init__(self, base: Path):
        self.base = base
        self.db = base / paths.DB_DIR
        self.own = base / paths.OWN_DIR
        self.tmp = self.own / paths.TMP_DIR
        self.path = self.own / paths.JOURNAL

    # -- a batch
    def new_temporary(self) -> Path:
        if not self.tmp.is_dir():
            files.make_dirs(self.tmp, self.base)
        return self.tmp / uuid.uuid4().hex

    def commit(self, steps: list[list[str]]) -> None:
        """Write the journal naming `steps` (["put", key, temporary name] | ["delete", key]); the
        temporaries it names are already fsynced."""
        staged = self.own / (paths.JOURNAL + ".new")
        staged.unlink(missing_ok=True)
        files.write_new(staged, [json.dumps({"version": 1, "steps": steps}).encode()])
        files.replace(staged, self.path)
        files.fsync_dir(self.own)

    def apply(self, steps: list[list[str]]) -> None:
        touched: dict[str, Path] = {}
        for step in steps:
            target = paths.key_path(self.db, step[1])
            if step[0] == "put":
                source = self.tmp / step[2]
                if source.exists():
                    if not target.parent.is_dir():
                        files.make_dirs(target.parent, self.db)
                    files.replace(source, target)
                    touched[str(target.parent)] = target.parent
            elif files.remove(target):
                touched[str(target.parent)] = target.parent
        files.fsync_all(folders=touched.values())
        # Not fsynced: a journal that comes back after a power cut is finished again, harmlessly
        # (every put whose temporary is gone is done; a delete of what is gone does nothing).
        self.path.unlink(missing_ok=True)

    def discard(self, temporaries: Iterable[Path]) -> None:
        for path in temporaries:
            path.unlink(missing_ok=True)

    # -- what a killed run left
    def pending(self) -> list[list[str]] | None:
        """The steps of a committed, unfinished batch; None when there is none."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(f"could not read {self.path}: {exc.strerror}") from None
        try:
            return json.loads(raw)["steps"]
        except (ValueError, KeyError, TypeError):
            raise StorageError(f"{self.path} is damaged; it is this tool's own journal, not Taskerino's "
                               "data. Move it away and run again.") from None

    def leftovers(self) -> list[Path]:
        try:
            return [Path(e.path) for e in os.scandir(self.tmp)]
        except FileNotFoundError:
            return []

    def describe(self) -> list[str]:
        steps = self.pending()
        lines = []
        if steps is not None:
            keys = sorted({s[1] for s in steps})
            lines.append(f"An earlier run was stopped after committing a write of {len(keys)} files "
                         f"({', '.join(keys[:3])}{', …' if len(keys) > 3 else ''}); the next writing "
                         "command finishes it.")
        left = [p for p in self.leftovers() if steps is None or p.name not in {s[2] for s in steps if s[0] == "put"}]
        if left:
            lines.append(f"An earlier run was stopped before committing a write: {len(left)} temporary "
                         f"files in {self.tmp}; the next writing command removes them (nothing of "
                         "Taskerino's is in them).")
        return lines

    def settle(self) -> list[str]:
        """Finish a committed batch, remove uncommitted temporaries; what was done, one line each."""
        said = self.describe()
        steps = self.pending()
        if steps is not None:
            self.apply(steps)
        self.discard(self.leftovers())
        self.own.joinpath(paths.JOURNAL + ".new").unlink(missing_ok=True)
        return [line.replace("the next writing command finishes it", "finished it now")
                    .replace("the next writing command removes them", "removed them now") for line in said]

    def overlay(self) -> dict[str, Path | None]:
        """Read-only: key -> the file it will hold once the journal is finished (None: removed)."""
        steps = self.pending() or []
        view: dict[str, Path | None] = {}
        for step in steps:
            if step[0] == "put":
                source = self.tmp / step[2]
                if source.exists():
                    view[step[1]] = source
            else:
                view[step[1]] = None
        return view
