"""The marker record `sessions/{id}/migration`, written with the chunked form in the same batch:

    {backupKey, checksum, backupCreatedAt, expiresAt, migratedAt, verifiedAt, chunkedUpdatedAt}

backupKey (null with skipBackup) names the backup of the original; checksum is the original's
(checksum.session_checksum). chunkedUpdatedAt is the updatedAt the migration gave the metadata:
while the metadata still has it, nobody saved the chunked session since, so a difference from the
original is the migration's fault, never an edit to keep. verifiedAt stays null until the chunked form was verified equal to
the original AND the legacy copy was removed (a record of what happened; cleanup judges from the stored data
itself, whoever migrated: docs/design.md).
It lives under sessions/{id}/ so the app's delete_session takes it along; saving and loading
the session ignore it.
"""
from __future__ import annotations

from ..errors import RecordDecodeError
from ..session import layout
from ..storage.port import StorageBackend


def new_marker(checksum: str, backup: dict | None, backup_key: str | None, migrated_at: str,
               chunked_updated_at: object) -> dict:
    return {"backupKey": backup_key, "checksum": checksum,
            "backupCreatedAt": backup["backupCreatedAt"] if backup else None,
            "expiresAt": backup["expiresAt"] if backup else None,
            "migratedAt": migrated_at, "verifiedAt": None, "chunkedUpdatedAt": chunked_updated_at}


async def read_marker(backend: StorageBackend, session_id: str) -> dict | None:
    """The marker, or None when absent or unreadable (a missing marker only keeps backups longer)."""
    try:
        marker = await backend.get(layout.migration_marker_key(session_id))
    except RecordDecodeError:
        return None
    return marker if isinstance(marker, dict) else None


def verified(marker: dict, when: str) -> dict:
    return {**marker, "verifiedAt": when}

