"""Taskerino's desktop file store (the Tauri build's `TauriFileSystemAdapter`) as a StorageBackend."""
from .backend import DesktopBackend, NotADataFolderError
from .paths import default_data_dir
from .wal import WalUnreadableError

__all__ = ["DesktopBackend", "NotADataFolderError", "WalUnreadableError", "default_data_dir"]
