"""Free space (invariant 6): before each session's write, the store must have room for what it
writes, twice over (IndexedDB's accounting and compression are not ours to predict). When it
has not, or the write is refused for quota, the session is left as it was and the batch stops."""
from __future__ import annotations

from ..backend import StorageBackend
from .errors import InsufficientSpaceError

MARGIN = 2


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1_000_000:.2f} MB"


def not_enough_space(name: str, needed: int, available: int | None = None) -> InsufficientSpaceError:
    """`available` None: the browser itself refused the write (its estimate can't be trusted then)."""
    found = (f"{_mb(available)} free" if available is not None
             else f"the browser refused to store its {_mb(needed)} (QuotaExceededError)")
    return InsufficientSpaceError(
        f"Not enough storage space to migrate {name}: needs about {_mb(needed * MARGIN)}, "
        f"{found}. Free some space, then run again; nothing was lost.")


async def ensure_space(backend: StorageBackend, name: str, needed: int) -> None:
    estimate = await backend.estimate()
    if estimate.available < needed * MARGIN:
        raise not_enough_space(name, needed, estimate.available)
