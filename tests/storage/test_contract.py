"""The storage contract on the in-memory backend (CPython). tests/browser runs it on IndexedDB."""
import pytest
from taskerino_storage import MemoryBackend
from taskerino_storage.testing import contract as storage_contract
from taskerino_storage.testing.memory_app_store import MemoryAppStore


@pytest.mark.parametrize("encoding", ["gzip", "json"])
@pytest.mark.parametrize("name", sorted(storage_contract.CASES))
async def test_memory_backend(name, encoding):
    backend = MemoryBackend(encoding=encoding)
    assert await storage_contract.run(name, backend, MemoryAppStore(backend)) == "ok"


async def test_memory_batch_over_quota_changes_nothing():
    from taskerino_storage.errors import QuotaExceededError

    backend = MemoryBackend(quota=10_000)
    await backend.write_batch({"keep": "x"})
    before = dict(backend.records)
    with pytest.raises(QuotaExceededError, match="quota"):
        await backend.write_batch({f"k{i}": "y" * 100 for i in range(1000)}, deletes=["keep"])
    assert backend.records == before
