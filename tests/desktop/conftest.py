"""The desktop store's lock files go to the system's temp folder, one folder per data folder
(storage/desktop/backend.py `_lock_path`): right for a user, who has one data folder, but this
suite makes hundreds. So while it runs, the temp folder is one of its own, removed at the end,
for the tests and for the commands they start (TMPDIR, set here before helpers.py builds the
commands' environment). World-writable, as /tmp is: some commands run as `nobody`
(test_refusals.py)."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile

SUITE_TEMP = tempfile.mkdtemp(prefix="taskerino-storage-desktop-tests-")
os.chmod(SUITE_TEMP, 0o1777)
os.environ["TMPDIR"] = tempfile.tempdir = SUITE_TEMP
atexit.register(shutil.rmtree, SUITE_TEMP, ignore_errors=True)
