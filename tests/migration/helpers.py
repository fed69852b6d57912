"""Shared helpers for the migration tests: stores holding legacy sessions in both layouts, and
the checks behind the invariants (every session readable, nothing duplicated)."""
from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from typing import Any

from taskerino_storage.migration import Runtime, commands, open_runtime
from taskerino_storage.session import layout
from taskerino_storage.session.compare import json_diff, json_equal
from taskerino_storage.storage.chunked import ChunkedSessionStorage
from taskerino_storage.storage.memory import MemoryBackend
from taskerino_storage.demo.samples import generate_sessions

NOW = datetime(2025, 10, 24, 12, 34, 56, 789000, tzinfo=timezone.utc)
STAMP = "2025-10-24T12-34-56-789Z"


def ticking_clock():
    """A clock 1 ms later at each call: a second migration of a session would stamp a second backup."""
    ticks = iter(range(10**9))
    return lambda: NOW + timedelta(milliseconds=next(ticks))


def sessions(n: int, broken: int = 0, seed: int = 0) -> list[dict]:
    return generate_sessions(n, seed, broken=broken, size="small")


def store_with(array: list | None = None, records: list[dict] = (), *, encoding: str = "gzip",
               quota: int = 1 << 40, backend: MemoryBackend | None = None) -> MemoryBackend:
    """A MemoryBackend (`backend`, or a new one) holding `array` as the app's `sessions` and each
    of `records` at sessions/{id}."""
    backend = backend or MemoryBackend(encoding=encoding, quota=quota)
    from taskerino_storage.storage import codec

    if array is not None:
        backend.put_raw(layout.LEGACY_SESSIONS_KEY, codec.encode_data(array, encoding))
    for session in records:
        backend.put_raw(layout.legacy_session_key(session["id"]), codec.encode_data(session, encoding))
    return backend


def migrator(backend, now=NOW, **kw) -> Runtime:
    """What the commands run on, for `backend`, with the clock pinned to `now`."""
    return open_runtime(backend, now=now, **kw)


def raw(backend: MemoryBackend) -> dict[str, Any]:
    """Every record's DATA exactly as stored, to compare byte for byte."""
    return {key: record["data"] for key, record in backend.records.items()}


def decoded(backend: MemoryBackend, key: str) -> Any:
    from taskerino_storage.storage import codec

    return codec.decode_data(key, backend.records[key]["data"])


def legacy_copies(backend: MemoryBackend) -> dict[str, list[Any]]:
    """id -> every legacy copy of it (array elements and sessions/{id} records)."""
    found: dict[str, list[Any]] = {}
    if layout.LEGACY_SESSIONS_KEY in backend.records:
        for element in decoded(backend, layout.LEGACY_SESSIONS_KEY):
            if isinstance(element, dict) and isinstance(element.get("id"), str):
                found.setdefault(element["id"], []).append(element)
    for key in backend.records:
        sid = layout.parse_legacy_session_key(key)
        if sid is not None:
            found.setdefault(sid, []).append(decoded(backend, key))
    return found


async def check_every_session_readable(backend: MemoryBackend, originals: list[dict]) -> dict[str, str]:
    """Invariant 1: each original reads back equal from its complete chunked form (when its
    metadata says chunked) or else from its one legacy copy. Returns id -> "chunked"|"legacy"."""
    chunked = ChunkedSessionStorage(backend)
    copies = legacy_copies(backend)
    where = {}
    for original in originals:
        sid = original["id"]
        if await chunked.is_chunked(sid):
            loaded = await chunked.load_full_session(sid)
            assert json_equal(loaded, original), (sid, json_diff(original, loaded)[:3])
            where[sid] = "chunked"
        else:
            assert len(copies.get(sid, [])) == 1, (sid, "legacy copies", len(copies.get(sid, [])))
            assert json_equal(copies[sid][0], original), sid
            where[sid] = "legacy"
        assert len(copies.get(sid, [])) <= 1, (sid, "duplicated legacy copies")
        assert all(json_equal(c, original) for c in copies.get(sid, [])), sid
    status = await commands.get_migration_status(open_runtime(backend))
    assert status.total == len(originals)
    assert status.chunked == sum(1 for w in where.values() if w == "chunked")
    assert status.legacy == sum(1 for w in where.values() if w == "legacy")
    return where


async def check_fully_migrated(backend: MemoryBackend, originals: list[dict]) -> None:
    """Everything chunked exactly once, no legacy copy left, one backup and a verified marker each."""
    where = await check_every_session_readable(backend, originals)
    assert set(where.values()) <= {"chunked"}
    assert legacy_copies(backend) == {}
    index = decoded(backend, layout.SESSION_INDEX_KEY)
    assert sorted(index) == sorted(s["id"] for s in originals)  # each once
    for original in originals:
        sid = original["id"]
        backups = [k for k in backend.records if (p := layout.parse_backup_key(k)) and p.session_id == sid]
        assert len(backups) == 1, (sid, backups)
        envelope = decoded(backend, backups[0])
        assert json_equal(envelope["session"], original)
        marker = decoded(backend, layout.migration_marker_key(sid))
        assert marker["backupKey"] == backups[0] and marker["verifiedAt"] is not None, marker


def deep(value: Any) -> Any:
    return copy.deepcopy(value)
