"""A platform without a storage estimate (WebKitGTK has no navigator.storage) or with other
limits: the batch runs without the free-space pre-check, a write refused for quota still stops
it cleanly, and the status names each limit in `problems`."""
from __future__ import annotations

from taskerino_storage.migration import commands
from taskerino_storage.storage.memory import MemoryBackend

from .helpers import check_every_session_readable, check_fully_migrated, deep, migrator, sessions, store_with

S = sessions(4)
LIMIT = "This browser has no navigator.storage.estimate(): free space is not checked"


class NoEstimate(MemoryBackend):
    """A memory backend on a platform that can't tell its free space."""

    estimates = 0

    async def estimate(self):
        self.estimates += 1
        return None

    async def platform_limits(self):
        return [LIMIT]


async def test_no_estimate_migrates_everything_and_asks_once():
    backend = store_with(array=deep(S[:2]), records=deep(S[2:]), backend=NoEstimate())
    result = await commands.migrate_all_sessions(migrator(backend))
    assert (result.success, result.migrated, result.error_count) == (True, 4, 0)
    assert backend.estimates == 1  # the answer "can't tell" is not asked again per session
    await check_fully_migrated(backend, S)


async def test_no_estimate_a_write_refused_for_quota_stops_cleanly():
    backend = store_with(array=deep(S[:3]), backend=NoEstimate())
    backend.quota = backend._usage() + 5_000  # room for no session
    result = await commands.migrate_all_sessions(migrator(backend))
    assert not result.success and "Not enough storage space" in result.stopped and "QuotaExceededError" in result.stopped
    assert result.migrated == 0
    await check_every_session_readable(backend, S[:3])


async def test_status_names_each_platform_limit_after_the_record_problems():
    backend = store_with(backend=NoEstimate())
    backend.put_raw("sessions", "GZIP_V1:not base64!")  # the app's array can't be read: a record problem
    status = await commands.get_migration_status(migrator(backend))
    assert status.problems[-1] == LIMIT and len(status.problems) == 2


async def test_no_limits_on_a_platform_that_has_everything():
    status = await commands.get_migration_status(migrator(store_with(array=deep(S[:1]))))
    assert status.problems == []
