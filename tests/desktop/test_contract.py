"""The storage contract (testing/contract.py) on the desktop backend, on a real folder, with an
app-side store that writes and reads files as Taskerino's TauriFileSystemAdapter does."""
import pytest
from desktop.app_folder_store import DesktopAppStore
from taskerino_storage.storage.desktop import DesktopBackend
from taskerino_storage.testing import contract as storage_contract


@pytest.mark.parametrize("name", sorted(storage_contract.CASES))
async def test_desktop_backend(name, tmp_path):
    backend = DesktopBackend.open(tmp_path, create=True)
    assert await storage_contract.run(name, backend, DesktopAppStore(tmp_path)) == "ok"
