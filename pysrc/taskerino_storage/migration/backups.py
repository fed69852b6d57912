"""Backups of original sessions: `sessions/{id}.backup-{stamp}` holding the seed's envelope

    {session, backupCreatedAt, expiresAt, originalFormat: "monolithic",
     source: {layout: "array"|"record", key}, checksum}

`source` says where the original came from, so rollback puts it back there; `checksum` is the
session's (checksum.session_checksum), so rollback can tell whether the chunked session changed.
Backups written by the seed's own code lack both: they came from `sessions/{id}` records.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from ..errors import BackupError, RecordDecodeError
from ..session import layout
from ..session.checksum import session_checksum
from ..storage.port import StorageBackend
from .markers import read_marker
from .results import BackupInfo

ORIGINAL_FORMAT = "monolithic"


def make_envelope(session: dict, checksum: str, source: dict, created: datetime,
                  retention_days: int) -> dict:
    return {"session": session, "backupCreatedAt": layout.js_iso(created),
            "expiresAt": layout.js_iso(created + timedelta(days=retention_days)),
            "originalFormat": ORIGINAL_FORMAT, "source": source, "checksum": checksum}


async def backup_keys(backend: StorageBackend, session_id: str | None = None,
                      keys: list[str] | None = None) -> list[str]:
    """Backup keys (of one session, or all), oldest first by their stamp."""
    if keys is None:
        prefix = f"sessions/{session_id}.backup-" if session_id is not None else "sessions/"
        keys = await backend.keys(prefix)
    found = []
    for key in keys:
        parsed = layout.parse_backup_key(key)
        if parsed and (session_id is None or parsed.session_id == session_id):
            found.append((parsed.stamp, key))
    return [key for _, key in sorted(found)]


def free_backup_key(session_id: str, when: datetime, taken: Iterable[str]) -> str:
    """backup_key(id, when), or with -1, -2... appended when taken (`taken`: the session's
    backup keys, listed under its lock): a backup is never overwritten."""
    base = layout.backup_key(session_id, when)
    taken = set(taken)
    key, n = base, 0
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


@dataclass
class Backup:
    key: str
    session_id: str
    session: dict
    created_at: str | None
    expires_at: str | None
    checksum: str  # the stored one, or computed for the seed's backups without one
    source: dict  # {layout, key}


async def read_backup(backend: StorageBackend, key: str) -> Backup:
    """The backup at `key`, checked to be one: BackupError naming the problem otherwise."""
    parsed = layout.parse_backup_key(key)
    if parsed is None:
        raise BackupError(f"{key!r} is not a backup key (sessions/{{id}}.backup-{{time}})")
    try:
        found = await backend.get_many([key])
    except RecordDecodeError as exc:
        raise BackupError(f"the backup {key!r} cannot be read: {exc.reason}") from None
    if key not in found:
        raise BackupError(f"there is no backup at {key!r}")
    envelope = found[key]
    session = envelope.get("session") if isinstance(envelope, dict) else None
    if not isinstance(session, dict) or session.get("id") != parsed.session_id:
        raise BackupError(f"{key!r} does not hold a backup of session {parsed.session_id!r}")
    checksum = envelope.get("checksum")
    actual = session_checksum(session)
    if checksum is not None and checksum != actual:
        raise BackupError(f"the backup {key!r} is damaged: its session does not match its checksum")
    source = envelope.get("source")
    if not (isinstance(source, dict) and source.get("layout") in ("array", "record")):
        source = {"layout": "record", "key": layout.legacy_session_key(parsed.session_id)}
    return Backup(key, parsed.session_id, session, _text(envelope.get("backupCreatedAt")),
                  _text(envelope.get("expiresAt")), actual, source)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


_STAMP = re.compile(r"(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d)-(\d{3})Z(?:-\d+)?")


def stamp_iso(stamp: str) -> str | None:
    """The ISO time a key's stamp was made from ('2024-10-24T12-34-56-789Z' -> ...12:34:56.789Z)."""
    match = _STAMP.fullmatch(stamp)
    if not match:
        return None
    day, h, m, s, ms = match.groups()
    return f"{day}T{h}:{m}:{s}.{ms}Z"


def parse_iso(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


async def describe_backups(backend: StorageBackend, keys: list[str]) -> list[BackupInfo]:
    """Every backup among `keys`, with its dates: from the key's stamp and the session's marker
    when it names this backup, so the (large) backup itself is read only when neither tells."""
    infos = []
    markers: dict[str, dict | None] = {}
    for key in await backup_keys(backend, keys=keys):
        parsed = layout.parse_backup_key(key)
        if parsed.session_id not in markers:
            markers[parsed.session_id] = await read_marker(backend, parsed.session_id)
        marker = markers[parsed.session_id]
        created = stamp_iso(parsed.stamp)
        if marker and marker.get("backupKey") == key and created:
            expires = _text(marker.get("expiresAt"))
        else:
            try:
                backup = await read_backup(backend, key)
            except BackupError:
                infos.append(BackupInfo(key, parsed.session_id, created, None))
                continue
            created, expires = backup.created_at or created, backup.expires_at
        infos.append(BackupInfo(key, parsed.session_id, created, expires))
    return infos
