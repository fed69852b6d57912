"""Taskerino's write-ahead log, read by the app's own rules (TauriFileSystemAdapter
`recoverFromWAL`, `replayWrite`, `replayDelete`, `checkpoint`), so that every command sees the
folder as the app will after its next launch.

At every launch the app reads db/wal.log (one JSON entry a line), and replays the entries whose
`timestamp` is greater than parseInt(db/wal.checkpoint) (0 when that file is missing): committed
transaction groups first (each group in log order, groups in order of first appearance), then the
standalone entries. A `write` puts JSON.stringify(entry.data) at db/K.json — plain JSON, no
envelope; a `delete` removes db/K.json when it exists. Then it checkpoints: wal.checkpoint <- Date.now(),
wal.log <- "". One unparsable line and nothing is replayed (and nothing checkpointed); an empty
log returns early. A replay that fails part-way (a write whose folder does not exist: replay
creates no folders) stops there, unchecked, and happens again at the next launch.

Taskerino's fs scope lets it remove only its backups and WAL files under db/, and reach no path
component starting with '.': a pending entry it cannot apply throws in every replay, which never
checkpoints, so the entries before it would be replayed again over a migration at every launch.
Such a log is refused like an unparsable one (WalUnreadableError, nothing changed).

We never add entries. A writing command applies the pending ones on disk and leaves
wal.checkpoint at or after every entry's timestamp with wal.log empty (the backend settles it as `WalState` says).
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import StorageError
from . import paths
from ...session import js_json
from .envelope import now_ms



class WalUnreadableError(StorageError):
    """wal.log can't be parsed: the app would replay nothing, and we can't know its effect."""


@dataclass
class WalOp:
    key: str
    text: str | None  # the file's new JSON text; None: the file is removed
    origin: str  # "line N" of wal.log


@dataclass
class WalState:
    """What the app's next launch would do with the log."""

    ops: list[WalOp] = field(default_factory=list)
    entries: int = 0  # lines in wal.log
    stale: int = 0  # entries at or before the checkpoint: never replayed
    skipped: list[str] = field(default_factory=list)  # why some pending entries won't apply
    max_timestamp: float = 0.0
    checkpoint_text: str | None = None
    log_empty: bool = True

    @property
    def needs_settling(self) -> bool:
        """Something to write: ops to apply, or a log to empty / a checkpoint to move."""
        return bool(self.ops) or not self.log_empty

    def describe(self) -> list[str]:
        if self.log_empty:
            return []
        lines = [f"Taskerino's write-ahead log (db/{paths.WAL_LOG}) holds {_count(self.entries, 'entry', 'entries')}: "
                 f"{len(self.ops)} would be applied at the app's next launch, {self.stale} "
                 f"{'is' if self.stale == 1 else 'are'} older than its checkpoint and not applied."]
        lines += [f"  {op.origin}: {'write' if op.text is not None else 'delete'} {op.key}" for op in self.ops]
        lines += [f"  {why}" for why in self.skipped]
        return lines

    def checkpoint_value(self) -> int:
        """At or after every entry's timestamp and now."""
        top = self.max_timestamp if math.isfinite(self.max_timestamp) else 0
        return max(now_ms(), math.ceil(top))


def js_number(value) -> float:
    """Number(value), as `>` coerces it."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if value is None:
        return 0.0
    if isinstance(value, str):
        s = value.strip()
        if not s:
            return 0.0
        try:
            return float(int(s, 16)) if s[:2].lower() == "0x" else float(s.replace("Infinity", "inf")) \
                if re.fullmatch(r"[+-]?(Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)", s) else math.nan
        except ValueError:
            return math.nan
    return math.nan


def js_parse_int(text: str) -> float:
    """parseInt(text) with no radix: leading whitespace, a sign, 0x for hex, then digits; NaN
    when there are none."""
    m = re.match(r"\s*([+-]?)(0[xX][0-9a-fA-F]+|\d+)", text)
    if not m:
        return math.nan
    digits = m.group(2)
    n = int(digits, 16) if digits[:2].lower() == "0x" else int(digits)
    return float(-n if m.group(1) == "-" else n)


def read_wal(db: Path, read_bytes) -> WalState:
    """The log's pending effect; WalUnreadableError when the app could not parse it."""
    state = WalState()
    raw = read_bytes(db / paths.WAL_LOG)
    if raw is None:
        return state
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise WalUnreadableError(_unreadable("it is not UTF-8 text")) from None
    lines = [(n, line) for n, line in enumerate(text.split("\n"), 1) if line.strip()]
    if not lines:
        state.log_empty = raw == b""
        return state
    state.log_empty = False
    entries = []
    for n, line in lines:
        try:
            entry = json.loads(line, parse_constant=_no_constant)
        except ValueError as exc:
            raise WalUnreadableError(_unreadable(f"line {n} is not JSON ({getattr(exc, 'msg', exc)})")) from None
        if entry is None:
            raise WalUnreadableError(_unreadable(f"line {n} is null"))
        entries.append((n, line, entry))
    state.entries = len(entries)
    checkpoint_raw = read_bytes(db / paths.WAL_CHECKPOINT)
    checkpoint = 0.0
    if checkpoint_raw is not None:
        state.checkpoint_text = checkpoint_raw.decode("utf-8", "replace")
        checkpoint = js_parse_int(state.checkpoint_text)
    groups: dict[str, list] = {}
    standalone = []
    for n, line, entry in entries:
        stamp = js_number(entry.get("timestamp")) if isinstance(entry, dict) else math.nan
        if not math.isnan(stamp):
            state.max_timestamp = max(state.max_timestamp, stamp)
        if not (stamp > checkpoint):  # NaN on either side: not replayed, as in JS
            state.stale += 1
            continue
        tx = entry.get("transactionId") if isinstance(entry, dict) else None
        (groups.setdefault(str(tx), []) if tx not in (None, False, 0, "") else standalone).append((n, line, entry))
    ordered = [e for group in groups.values()
               if any(x[2].get("operation") == "transaction-commit" for x in group)
               and not any(x[2].get("operation") == "transaction-rollback" for x in group)
               for e in group]
    ordered += standalone
    present: dict[str, bool] = {}  # folder -> exists, as replay goes (replay creates none)
    for n, line, entry in ordered:
        operation = entry.get("operation")
        if operation not in ("write", "delete"):
            continue
        key = entry.get("collection")
        if not isinstance(key, str):
            raise WalUnreadableError(_unreadable(f"line {n} names no collection"))
        try:
            target = paths.key_path(db, key)
        except StorageError:
            raise WalUnreadableError(_unreadable(f"line {n} names {key!r}, not a file under db/")) from None
        if operation == "delete":
            last = next((op for op in reversed(state.ops) if op.key == key), None)
            if (read_bytes(target) is None) if last is None else last.text is None:
                continue  # replayDelete skips a missing file
            _check_app_may_remove(n, key)
            state.ops.append(WalOp(key, None, f"line {n}"))
            continue
        _check_app_can_reach(n, key)
        folder = str(target.parent)
        if folder not in present:
            present[folder] = target.parent.is_dir()
        if "data" not in entry or not present[folder]:
            why = "has no data" if "data" not in entry else f"its folder {target.parent} does not exist"
            state.skipped.append(f"line {n} ({key}) {why}: the app's replay stops there every launch, "
                                 "so neither it nor the entries after it are applied")
            break
        # replayWrite: JSON.stringify(JSON.parse(line).data): 1e400 -> null, -0 -> 0, big integers rounded
        state.ops.append(WalOp(key, js_json.js_stringify(entry["data"], nonfinite_null=True), f"line {n}"))
    return state


def _check_app_can_reach(n: int, key: str) -> None:
    try:
        paths.check_app_can_reach(key)
    except StorageError:
        raise WalUnreadableError(_unappliable(n, f"writes {key!r}, a path Taskerino's file access "
                                              "refuses (a component starting with '.')")) from None


def _check_app_may_remove(n: int, key: str) -> None:
    _check_app_can_reach(n, key)
    if not paths.app_may_remove(key):
        raise WalUnreadableError(_unappliable(n, f"deletes db/{key}.json, which Taskerino's file access "
                                              "may not remove (only its backups and WAL files)"))


def _unappliable(n: int, what: str) -> str:
    return (f"db/{paths.WAL_LOG} line {n} {what}: the app's replay fails there at every launch and never "
            "checkpoints, so it would replay the entries before it over anything written now. Nothing "
            "was changed. Remove that line from the log (keep a copy), then run again.")


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")  # JSON.parse refuses NaN and Infinity


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _unreadable(why: str) -> str:
    return (f"db/{paths.WAL_LOG} cannot be read: {why}. Taskerino would replay none of it either. "
            "Nothing was changed. Taskerino replays none of it, so moving that file out of db/ "
            "changes nothing the app shows; do that, then run again.")
