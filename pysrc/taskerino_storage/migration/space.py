"""Free space (invariant 6): before each session's write, the store must have room for what it
writes, twice over (IndexedDB's accounting and compression are not ours to predict). When it
has not, or the write is refused for quota, the session is left as it was and the batch stops.
Where the platform can't estimate (no navigator.storage), there is no pre-check: the write the
browser refuses for quota is the check, and it too writes nothing and stops the batch.

A batch asks the browser once, then counts its own writes against what it was told, asking
again once they have used half of it: an estimate costs a round trip, ~1.4 ms a session."""
from __future__ import annotations

from ..errors import InsufficientSpaceError
from ..storage.port import StorageBackend

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


class SpaceCheck:
    """ensure(store, name, needed) for a run of writes (one per command: never reused across)."""

    REFRESH = 0.5  # ask again once this run's writes reach this share of the room last seen

    def __init__(self) -> None:
        self.available: int | None = None
        self.used = 0  # by this run's writes since the browser was last asked
        self.unknown = False  # the platform can't estimate: asked once, never again

    async def ensure(self, backend: StorageBackend, name: str, needed: int) -> None:
        if self.unknown:
            return
        if self.available is None or self.used + needed * MARGIN > self.available * self.REFRESH:
            reserved = self.used  # what the estimate will count; another session may add meanwhile
            estimate = await backend.estimate()
            if estimate is None:
                self.unknown = True
                return
            self.available = estimate.available
            self.used = max(0, self.used - reserved)
            if self.available < needed * MARGIN:
                raise not_enough_space(name, needed, self.available)
        self.used += needed * MARGIN
