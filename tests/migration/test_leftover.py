"""leftover_action: what happens to a legacy copy of a session found already chunked — every
branch of the decision, without I/O (test_batch and test_single run them against storage)."""
import pytest
from taskerino_storage.migration.leftover import Leftover, leftover_action

BASE = dict(equal=False, saved_since=False, backed_up=False, marker_checksum="m", copy_checksum="c",
            chunked_checksum="k", marker_backup_kept=False)


@pytest.mark.parametrize("facts, action", [
    ({"equal": True}, Leftover.REMOVE),  # the copy is the chunked session: it may go (backed up first)
    ({"saved_since": True, "backed_up": True}, Leftover.REMOVE),  # the app edited it; original backed up
    ({"saved_since": True, "backed_up": False}, Leftover.KEEP_BOTH),  # an edit, and no backup of the copy
    ({"marker_checksum": "c"}, Leftover.MIGRATE_AGAIN),  # written from this copy, never verified
    ({"marker_checksum": "c", "saved_since": True}, Leftover.KEEP_BOTH),  # ... but saved since: an edit
    ({"marker_checksum": "k", "marker_backup_kept": True}, Leftover.MIGRATE_AGAIN),  # the copy changed later
    ({"marker_checksum": "k", "marker_backup_kept": False}, Leftover.KEEP_BOTH),  # its original backup is gone
    ({}, Leftover.KEEP_BOTH),  # differs, and nothing says which one to keep
])
def test_each_branch(facts, action):
    assert leftover_action(**{**BASE, **facts}) is action
